"""shopify.refund in a real Chromium, through the runner and the CLI, on both markups.

Every test that may change something asserts on the mock's `__mock__/state`: the `refund`
events, the stock and the orders, not what the page said. The orders are the Kogan
scenarios' (fixtures/_scenarios.py) as the Shopify mock seeds them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import MockPortal, cli_env, run_cli
from pydantic import ValidationError

from flows.shopify_refund import FLOW, RefundItem, ShopifyRefund, check_order
from pages.shopify import CardLine, OrderLine, ShopifyOrder, Totals
from portalpilot import Outcome, PortalSettings, Refusal, Result, Settings
from portalpilot._guard import ChangeLog
from portalpilot._runner import Robot
from portalpilot._sessions import Account
from portalpilot._settings import RetrySettings

EMAIL, PASSWORD = "owner@example.com", "shopify-demo"
D = Decimal


@pytest.fixture(scope="module")
def mock(base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/shopify/")
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture(scope="module", params=["a", "b"])
def shopify(request: pytest.FixtureRequest, mock: MockPortal) -> MockPortal:
    """The mock on each markup of the spec, reset once per markup: signing in again after
    every reset would cost more than the flows. So every test below works on orders of
    its own and asserts on those orders' events and stock only."""
    mock.reset(markup=request.param)
    return mock


def make_settings(state_dir: Path, url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        shopify=PortalSettings(base_url=url, email=EMAIL, password=PASSWORD),
    )


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shopify-state")


@pytest.fixture(scope="module")
def shared_robot(base_url: str, state_dir: Path) -> Iterator[Robot]:
    """One browser for the module."""
    with Robot(make_settings(state_dir, f"{base_url}/shopify/")) as robot:
        yield robot


@pytest.fixture
def robot(shared_robot: Robot, shopify: MockPortal) -> Robot:
    return shared_robot


def refund(robot: Robot, order: str, email: str, **values: Any) -> Result:
    item = ShopifyRefund.model_validate({"order": order, "email": email, **values})
    return robot.run(FLOW, item)


def order_state(portal: MockPortal, number: str) -> dict[str, Any]:
    return next(o for o in portal.state()["orders"] if o["number"] == number)


def refunds(
    portal: MockPortal, *numbers: str
) -> list[tuple[str, list[dict[str, Any]], float, float]]:
    """The `refund` events of these orders: (order, lines, shipping, amount)."""
    return [
        (e["order"], e["lines"], e["shipping"], e["amount"])
        for e in portal.events("refund")
        if e["order"] in numbers
    ]


# --- the input ------------------------------------------------------------------------------


def test_input_takes_numbers_and_lines_as_a_person_types_them() -> None:
    item = ShopifyRefund.model_validate(
        {"order": " 1049 ", "email": "Chloe.Martin@example.com", "skus": "KG-TEA-TIN: 2; kg-mug"}
    )
    assert (item.order, item.subject) == ("#1049", "#1049")
    assert item.skus == [RefundItem(sku="KG-TEA-TIN", quantity=2), RefundItem(sku="kg-mug")]
    assert item.key == "#1049/refund/KG-MUG+KG-TEA-TIN:2"
    assert (item.restock, item.notify, item.shipping, item.reason) == (
        True, False, False, "Refund request")  # fmt: skip
    whole = ShopifyRefund.model_validate(
        {"order": "#1042", "email": "a@b.co", "shipping": True, "reference": ""}
    )
    assert (whole.key, whole.reference) == ("#1042/refund/*+shipping", None)

    cases: list[tuple[dict[str, Any], str]] = [
        ({"order": "#10a42"}, "order"),
        ({"email": "jane.citizen"}, "email"),
        ({"reference": "ESG-12"}, "reference"),
        ({"skus": ["KG-TEA-TIN:0"]}, "skus"),
        ({"skus": "A; a:1"}, "skus"),
        ({"reason": "x" * 501}, "reason"),
    ]
    for bad, field in cases:
        with pytest.raises(ValidationError) as error:
            ShopifyRefund.model_validate({"order": "1042", "email": "a@b.co", **bad})
        assert [e["loc"][0] for e in error.value.errors()] == [field], bad


def kogan_order(**changes: Any) -> ShopifyOrder:
    """K1's #1042 as its order page reads, for the rules that need no browser."""
    lamp = CardLine("KG-LAMP-BLK", D("49.95"), 1)
    values: dict[str, Any] = {
        "order_id": "1234567890123",
        "number": "#1042",
        "payment_status": "Paid",
        "fulfillment_status": "Fulfilled",
        "canceled": False,
        "can_refund": True,
        "cards": {"Fulfilled": (lamp,)},
        "lines": (OrderLine("KG-LAMP-BLK", D("49.95"), 0, 1, 0),),
        "customer": "Jane Citizen",
        "email": "jane.citizen@example.com",
        "note": "Kogan order ESG-20481234",
        "tags": ("Kogan",),
        "totals": Totals(
            *(D(x) for x in ("49.95", "9.95", "5.45", "59.90", "59.90", "0", "59.90"))
        ),
    }
    return ShopifyOrder(**{**values, **changes})


def test_the_esg_reference_must_be_the_one_the_note_names() -> None:
    asked = ShopifyRefund.model_validate(
        {"order": "1042", "email": "jane.citizen@example.com", "reference": "ESG-2048123"}
    )
    with pytest.raises(Refusal, match=r"names ESG-20481234, not ESG-2048123$") as refused:
        check_order(asked, kogan_order())
    assert refused.value.status == "reference_mismatch"
    with pytest.raises(Refusal, match="names no ESG reference, not ESG-2048123"):
        check_order(asked, kogan_order(note=""))
    check_order(asked.model_copy(update={"reference": "ESG-20481234"}), kogan_order())
    check_order(asked.model_copy(update={"reference": None}), kogan_order(note=""))


# --- refunds, on both markups ------------------------------------------------------------------


def test_k1_is_refunded_once_with_its_shipping_and_restocked(
    robot: Robot, shopify: MockPortal
) -> None:
    stock = shopify.state()["stock"]["KG-LAMP-BLK"]
    first = refund(
        robot, "#1042", "Jane.Citizen@example.com", reference="ESG-20481234", shipping=True
    )
    again = refund(
        robot, "1042", "jane.citizen@example.com", reference="ESG-20481234", shipping=True
    )

    assert (first.outcome, first.status) == (Outcome.DONE, "refunded"), first.message
    fields = first.fields()
    assert fields["lines"] == [{"sku": "KG-LAMP-BLK", "quantity": 1, "amount": D("49.95")}]
    assert (fields["shipping"], fields["amount"], fields["restocked"]) == (
        D("9.95"), D("59.90"), True)  # fmt: skip
    assert (fields["customer"], fields["email"], fields["payment_status"]) == (
        "Jane Citizen", "jane.citizen@example.com", "Refunded")  # fmt: skip
    assert fields["changes"] == ["refund $59.90 of #1042 (KG-LAMP-BLK ×1, shipping $9.95)"]

    [event] = [e for e in shopify.events("refund") if e["order"] == "#1042"]
    assert event["lines"] == [{"sku": "KG-LAMP-BLK", "quantity": 1, "restocked": 1}]
    assert (event["shipping"], event["amount"], event["reason"]) == (9.95, 59.9, "Refund request")
    assert (event["restock"], event["notify"]) == (True, False)
    assert [e for e in shopify.events("customer_notified") if e["order"] == "#1042"] == []
    assert shopify.state()["stock"]["KG-LAMP-BLK"] == stock + 1

    # The same refund again: nothing left, nothing clicked.
    assert (again.outcome, again.status) == (Outcome.DONE, "already_refunded"), again.message
    assert (again.fields()["amount"], again.fields()["changes"]) == (D("0.00"), [])
    assert len(refunds(shopify, "#1042")) == 1


def test_what_must_not_be_refunded_is_not(robot: Robot, shopify: MockPortal) -> None:
    """#1001 with the email of #10010 (both Liam Nguyen's); K4's #1044, refunded before;
    a dry run of K3's #1043, walked to the button. None changes anything."""
    stock = shopify.state()["stock"]
    wrong = refund(robot, "#1001", "liam.nguyen@example.com")
    k4 = refund(robot, "#1044", "o.smith@example.com", reference="ESG-20486610")
    dry = refund(robot, "#1043", "jane.doe@example.com", shipping=True, dry_run=True)

    assert (wrong.outcome, wrong.status) == (Outcome.REFUSED, "email_mismatch"), wrong.message
    assert wrong.message == (
        "#1001 is Liam Nguyen's, whose email is liam.n@example.com, not liam.nguyen@example.com"
    )
    assert (k4.outcome, k4.status) == (Outcome.DONE, "already_refunded"), k4.message
    assert (k4.fields()["amount"], k4.fields()["lines"]) == (D("0.00"), [])
    assert (k4.fields()["already_refunded"], k4.fields()["payment_status"]) == (
        ["KG-MOUSE-WL"], "Refunded")  # fmt: skip
    assert (dry.outcome, dry.status, dry.dry_run) == (Outcome.DONE, "dry_run", True), dry.message
    assert dry.fields()["amount"] == D("39.95")
    assert dry.fields()["changes"] == ["refund $39.95 of #1043 (KG-FAN-DESK ×1, shipping $5.00)"]

    assert refunds(shopify, "#1001", "#10010", "#1044", "#1043") == []
    assert shopify.state()["stock"] == stock
    assert order_state(shopify, "#1043")["payment_status"] == "Paid"


def test_k8_refunds_only_the_tea_tins_and_never_more_than_is_left(
    robot: Robot, shopify: MockPortal
) -> None:
    too_many = refund(robot, "#1049", "chloe.martin@example.com", skus=["KG-TEA-TIN:3"])
    assert (too_many.outcome, too_many.status) == (Outcome.REFUSED, "quantity_exceeded")
    assert too_many.message == (
        "#1049: 3 × KG-TEA-TIN asked, but 2 of its 2 are left to refund (0 refunded before)"
    )
    assert refunds(shopify, "#1049") == []

    result = refund(robot, "#1049", "chloe.martin@example.com", reference="ESG-20490050")

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded"), result.message
    fields = result.fields()
    assert fields["lines"] == [{"sku": "KG-TEA-TIN", "quantity": 2, "amount": D("24.00")}]
    assert (fields["amount"], fields["already_refunded"]) == (D("24.00"), ["KG-MUG-SET"])
    assert refunds(shopify, "#1049") == [
        ("#1049", [{"sku": "KG-TEA-TIN", "quantity": 2, "restocked": 2}], 0.0, 24.0)
    ]


def test_an_answer_lost_to_a_server_error_is_read_not_clicked_again(
    robot: Robot, shopify: MockPortal, state_dir: Path
) -> None:
    """commit_then_error: the portal refunds #1001, then answers "Something went wrong";
    the guard's reading sees "Refunded" grown, so the refund is done, once; #10010 (a
    prefix match in the list) is left alone."""
    shopify.faults(commit_then_error=1)
    result = refund(robot, "1001", "LIAM.N@example.com", reference="ESG-1001234")

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded"), result.message
    assert refunds(shopify, "#1001", "#10010") == [
        ("#1001", [{"sku": "KG-PWR-BANK", "quantity": 1, "restocked": 1}], 0.0, 59.0)
    ]
    clicks = [r for r in ChangeLog(state_dir).rows() if r["key"] == "#1001/refund/*"]
    assert (clicks[-1]["state"], clicks[-1]["run_id"]) == ("done", result.run_id)
    assert "Something went wrong" in str(clicks[-1]["note"])


def open_click(state_dir: Path, shopify: MockPortal, key: str) -> None:
    """A click of `key` recorded by a run that died before it saw the portal's answer."""
    account = Account("shopify", shopify.url, EMAIL).key
    ChangeLog(state_dir).intend(account, key, FLOW.name, "run-that-died")


def refund_behind_the_robots_back(shopify: MockPortal, number: str, form: dict[str, str]) -> None:
    """What that click did, when it did: the refund form posted in another session."""
    with httpx.Client(base_url=shopify.url, follow_redirects=True) as other:
        other.post("login", data={"email": EMAIL, "password": PASSWORD}).raise_for_status()
        order_id = order_state(shopify, number)["id"]
        other.post(f"admin/orders/{order_id}/refund", data=form).raise_for_status()


def test_a_click_whose_answer_was_lost_is_read_before_anything(
    robot: Robot, shopify: MockPortal, state_dir: Path
) -> None:
    """An earlier run clicked and died. It refunded all of K9's #1050: found done, said
    "refunded", never clicked again. Some units of K5's #1045 (2 bottles): what is left
    cannot tell whether that click took one, so nothing is clicked and a person looks."""
    open_click(state_dir, shopify, "#1050/refund/*")
    form = {"quantity-KG-RICE-CKR": "1", "amount": "79.00", "restock": "1", "reason": "x"}
    refund_behind_the_robots_back(shopify, "#1050", form)
    ours = refund(robot, "#1050", "wang.fang@example.com")

    assert (ours.outcome, ours.status) == (Outcome.DONE, "refunded"), ours.message
    assert "an earlier click of ours" in ours.message and ours.fields()["amount"] is None
    assert len(refunds(shopify, "#1050")) == 1

    open_click(state_dir, shopify, "#1045/refund/KG-BOTTLE-1L:1")
    unknown = refund(robot, "#1045", "ann@example.com", skus=["KG-BOTTLE-1L:1"])

    assert (unknown.outcome, unknown.status) == (Outcome.UNKNOWN, "unknown"), unknown.message
    assert "a person must look" in unknown.message
    assert refunds(shopify, "#1045") == []


# --- the command line -----------------------------------------------------------------------


def cli_environment(mock: MockPortal, state: Path) -> dict[str, str]:
    return cli_env(
        mock.url.replace("/shopify/", "/kogan/"),
        state,
        PORTALPILOT_SHOPIFY__BASE_URL=mock.url,
        PORTALPILOT_SHOPIFY__EMAIL=EMAIL,
        PORTALPILOT_SHOPIFY__PASSWORD=PASSWORD,
    )


def test_cli_refuses_a_bad_quantity_with_exit_2(tmp_path: Path, mock: MockPortal) -> None:
    args = ("shopify", "refund", "#1049", "--email", "chloe.martin@example.com", "--json")
    bad = run_cli(*args, "--sku", "KG-TEA-TIN:0", env=cli_environment(mock, tmp_path), cwd=tmp_path)

    assert bad.returncode == 2, bad.stdout + bad.stderr[-2000:]
    answer = json.loads(bad.stdout)
    assert answer["flow"] == "shopify.refund"
    assert [e["field"] for e in answer["errors"]] == ["--sku[1].quantity"]


def test_cli_refunds_with_json_and_exits_0(tmp_path: Path, mock: MockPortal) -> None:
    mock.reset()
    args = ("shopify", "refund", "1049", "--email", "chloe.martin@example.com", "--json")
    environment = cli_environment(mock, tmp_path / "state")
    done = run_cli(*args, "--sku", "KG-TEA-TIN:2", env=environment, cwd=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["amount"], answer["restocked"]) == ("refunded", "24.00", True)
    assert refunds(mock, "#1049") == [
        ("#1049", [{"sku": "KG-TEA-TIN", "quantity": 2, "restocked": 2}], 0.0, 24.0)
    ]
