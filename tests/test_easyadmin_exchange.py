"""easyadmin.exchange and easyadmin.notify_exchange in a real Chromium, through the runner,
on both markups of the spec.

Every test that may change something asserts on the mock's `__mock__/state`: the
`exchange` and `smart_notification` events and the orders, not on what the page said. The
orders are the shared shop's scenarios E1–E6 (fixtures/_kr_shop/scenarios.py).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import MockPortal, cli_env, run_cli
from pydantic import ValidationError

from fixtures._kr_shop.scenarios import E1, E2, E3, E4, E6
from flows.easyadmin_exchange import FLOW as EXCHANGE
from flows.easyadmin_exchange import EasyAdminExchange
from flows.easyadmin_notify_exchange import FLOW as NOTIFY
from flows.easyadmin_notify_exchange import EasyAdminNotifyExchange
from pages.easyadmin import EasyAdminSettings
from portalpilot import Outcome, Result, Settings
from portalpilot._guard import ChangeLog
from portalpilot._runner import Robot
from portalpilot._sessions import Account
from portalpilot._settings import RetrySettings

USER, PASSWORD, DOMAIN = "cs01", "ezadmin-demo", "demo"


@pytest.fixture(scope="module")
def mock(base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/easyadmin/")
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture(scope="module", params=["a", "b"])
def markup(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def easyadmin(mock: MockPortal, markup: str) -> MockPortal:
    """The shop as seeded, on the markup of the module's turn: every test starts afresh
    (the robot signs in again after a reset ends its session)."""
    mock.reset(markup=markup)
    return mock


def make_settings(state_dir: Path, url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        easyadmin=EasyAdminSettings(base_url=url, email=USER, password=PASSWORD, domain=DOMAIN),
    )


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("easyadmin-state")


@pytest.fixture(scope="module")
def shared_robot(base_url: str, state_dir: Path) -> Iterator[Robot]:
    with Robot(make_settings(state_dir, f"{base_url}/easyadmin/")) as robot:
        yield robot


@pytest.fixture
def robot(shared_robot: Robot, easyadmin: MockPortal) -> Robot:
    return shared_robot


def exchange(robot: Robot, order: str, line: str, product: str, **values: Any) -> Result:
    item = EasyAdminExchange.model_validate(
        {"order": order, "line": line, "product": product, **values}
    )
    return robot.run(EXCHANGE, item)


def notify(robot: Robot, order: str, line: str, **values: Any) -> Result:
    item = EasyAdminNotifyExchange.model_validate({"order": order, "line": line, **values})
    return robot.run(NOTIFY, item)


def orders_of(portal: MockPortal, number: str) -> list[dict[str, Any]]:
    return [o for o in portal.state()["orders"] if o["주문번호"] == number]


def exchanges(portal: MockPortal, number: str) -> list[dict[str, Any]]:
    mine = {o["관리번호"] for o in orders_of(portal, number)}
    return [e for e in portal.events("exchange") if e["관리번호"] in mine]


def notices(portal: MockPortal, number: str) -> list[dict[str, Any]]:
    mine = {o["관리번호"] for o in orders_of(portal, number)}
    return [e for e in portal.events("smart_notification") if e["관리번호"] in mine]


# --- the input ------------------------------------------------------------------------------


def test_input_takes_lines_and_korean_as_a_person_types_them() -> None:
    decomposed = unicodedata.normalize("NFD", " 린넨  셔츠 ")
    item = EasyAdminExchange.model_validate(
        {"order": f" {E6.number} ", "line": "2", "product": decomposed, "option": "블랙/XL"}
    )
    assert (item.order, item.line, item.product) == (E6.number, f"{E6.number}-02", "린넨 셔츠")
    assert unicodedata.is_normalized("NFC", item.product)
    assert item.key == f"{E6.number}/{E6.number}-02/exchange"
    assert (item.quantity, item.cs_text, item.code) == (None, None, None)
    full = EasyAdminExchange.model_validate(
        {"order": E1.number, "line": E1.detail, "product": "린넨 셔츠", "cs_text": "  "}
    )
    assert (full.line, full.cs_text) == (E1.detail, None)
    notice = EasyAdminNotifyExchange.model_validate({"order": E4.number, "line": "-01"})
    assert notice.line == E4.detail

    cases: list[tuple[dict[str, Any], str]] = [
        ({"order": "2025-0301"}, "order"),
        ({"line": "A-01"}, "line"),
        ({"product": " "}, "product"),
        ({"quantity": 0}, "quantity"),
        ({"cs_text": "x" * 501}, "cs_text"),
    ]
    for bad, field in cases:
        with pytest.raises(ValidationError) as error:
            EasyAdminExchange.model_validate(
                {"order": E1.number, "line": "01", "product": "린넨 셔츠", **bad}
            )
        assert [e["loc"][0] for e in error.value.errors()] == [field], bad


# --- exchanges, on both markups -------------------------------------------------------------


def test_e6_a_line_in_송장_is_replaced_in_place_and_the_order_held(
    robot: Robot, easyadmin: MockPortal
) -> None:
    line = f"{E6.number}-02"
    first = exchange(robot, E6.number, "02", "린넨 셔츠", option="블랙/XL", cs_text="사이즈 교환")
    again = exchange(robot, E6.number, line, "린넨 셔츠", option="블랙/XL")

    assert (first.outcome, first.status) == (Outcome.DONE, "exchanged"), first.message
    fields = first.fields()
    assert (fields["state"], fields["mode"], fields["hold"], fields["exchange_order"]) == (
        "송장", "in_place", True, None)  # fmt: skip
    assert fields["before"] == {
        "product": "린넨 셔츠",
        "option": "블랙/L",
        "quantity": 1,
        "code": None,
    }
    assert fields["after"] == {
        "product": "린넨 셔츠", "option": "블랙/XL", "quantity": 1, "code": "P1001-06"
    }  # fmt: skip
    assert fields["cs_text"] == "사이즈 교환"
    assert fields["history"] == "상품교환: 린넨 셔츠 블랙/L → 린넨 셔츠 블랙/XL"
    [event] = exchanges(easyadmin, E6.number)
    assert (event["line"], event["after"], event["new_관리번호"]) == (
        line,
        "린넨 셔츠 블랙/XL",
        None,
    )
    [order] = orders_of(easyadmin, E6.number)
    assert order["보류"] is True
    assert [(x["옵션"], x["C/S"]) for x in order["lines"]] == [
        ("블랙/M", "정상"), ("블랙/XL", "교환"), ("네이비/FREE", "정상")]  # fmt: skip

    assert (again.outcome, again.status) == (Outcome.DONE, "already_exchanged"), again.message
    assert again.fields()["changes"] == [] and len(exchanges(easyadmin, E6.number)) == 1
    assert again.fields()["after"]["option"] == "블랙/XL"
    unshipped = notify(robot, E6.number, "02")  # its label is printed, the box not shipped
    assert (unshipped.outcome, unshipped.status) == (Outcome.REFUSED, "not_shipped")


def test_e1_a_line_in_배송_gets_an_exchange_order_then_one_notice_once_it_ships(
    robot: Robot, easyadmin: MockPortal
) -> None:
    sold_out = exchange(robot, E1.number, "01", "린넨 셔츠", option="블루/XL")
    assert (sold_out.outcome, sold_out.status) == (Outcome.REFUSED, "out_of_stock")
    assert "재고 0" in sold_out.message and exchanges(easyadmin, E1.number) == []
    early = notify(robot, E1.number, "01")
    assert (early.outcome, early.status) == (Outcome.REFUSED, "not_exchanged"), early.message

    done = exchange(robot, E1.number, "01", "린넨 셔츠", option="블루/L")
    assert (done.outcome, done.status) == (Outcome.DONE, "exchanged"), done.message
    made = [o for o in orders_of(easyadmin, E1.number) if o["원주문"] is not None]
    [new] = made
    fields = done.fields()
    assert (fields["mode"], fields["exchange_order"], fields["hold"]) == (
        "new_order", str(new["관리번호"]), False)  # fmt: skip
    assert [(x["주문상세번호"], x["옵션"], x["상태"]) for x in new["lines"]] == [
        (E1.detail, "블루/L", "접수")
    ]
    assert [e["new_관리번호"] for e in exchanges(easyadmin, E1.number)] == [new["관리번호"]]

    unshipped = notify(robot, E1.number, E1.detail)
    assert (unshipped.outcome, unshipped.status) == (Outcome.REFUSED, "not_shipped")
    shipped = {"관리번호": new["관리번호"], "택배사": "CJ대한통운", "송장번호": "612399990101"}
    easyadmin.http.post("__mock__/ship", json=shipped).raise_for_status()

    sent = notify(robot, E1.number, "01")
    again = notify(robot, E1.number, "01")
    assert (sent.outcome, sent.status) == (Outcome.DONE, "sent"), sent.message
    assert "612399990101" in sent.fields()["preview"]
    [event] = notices(easyadmin, E1.number)
    assert (event["template"], event["number"]) == ("교환 안내", E1.recipient.phone)
    assert (again.outcome, again.status) == (Outcome.DONE, "already_sent"), again.message
    assert len(notices(easyadmin, E1.number)) == 1


def test_what_must_not_be_exchanged_is_not(robot: Robot, easyadmin: MockPortal) -> None:
    """Not collected (E3); a line of another order; more units than the line has; a
    product or option EasyAdmin does not list; the same product; a dry run."""
    e3 = exchange(robot, E3.number, "01", "니트 가디건", option="그레이/FREE")
    other = exchange(robot, E2.number, E1.detail, "면 티셔츠", option="화이트/XL")
    more = exchange(robot, E2.number, "01", "면 티셔츠", option="화이트/XL", quantity=2)
    nothing = exchange(robot, E2.number, "01", "면 티셔츠 반팔", option="화이트/XL")
    no_option = exchange(robot, E2.number, "01", "면 티셔츠", option="레드/XL")
    several = exchange(robot, E2.number, "01", "면 티셔츠")
    same = exchange(robot, E2.number, "01", "면 티셔츠", option="화이트/L")
    dry = exchange(robot, E2.number, "01", "면 티셔츠", option="화이트/XL", dry_run=True)

    assert (e3.outcome, e3.status) == (Outcome.REFUSED, "not_collected"), e3.message
    assert "nothing is to be done here" in e3.message
    assert (other.status, more.status) == ("other_order", "quantity_exceeded")
    assert (nothing.status, no_option.status) == ("product_not_found", "option_not_found")
    assert (several.status, same.status) == ("ambiguous", "same_product")
    assert (dry.outcome, dry.status) == (Outcome.DONE, "dry_run"), dry.message
    assert dry.fields()["after"]["option"] == "화이트/XL"
    assert easyadmin.events("exchange") == []

    easyadmin.http.post("__mock__/collect").raise_for_status()
    after = exchange(robot, E3.number, "01", "니트 가디건", option="그레이/FREE")
    assert (after.outcome, after.status) == (Outcome.REFUSED, "line_not_found"), after.message
    assert f"{E3.number}-02" in after.message


def test_an_exchange_made_before_is_reported_or_refused_never_made_again(
    robot: Robot, easyadmin: MockPortal
) -> None:
    """E4 was exchanged for 청바지 스트레이트 32: asked again, done; asked for 28, refused.
    A cancelled line is refused in the portal's words."""
    same = exchange(robot, E4.number, "01", "청바지 스트레이트", option="32")
    other = exchange(robot, E4.number, "01", "청바지 스트레이트", option="28")
    assert (same.outcome, same.status) == (Outcome.DONE, "already_exchanged"), same.message
    assert same.fields()["exchange_order"] is not None
    assert (other.outcome, other.status) == (Outcome.REFUSED, "exchanged_otherwise")

    cancelled = next(
        (o, x)
        for o in easyadmin.state()["orders"]
        for x in o["lines"]
        if x["C/S"] == "취소" and o["원주문"] is None
    )
    order, line = cancelled
    refused = exchange(robot, order["주문번호"], line["주문상세번호"], "에코백")
    assert (refused.outcome, refused.status) == (Outcome.REFUSED, "cancelled"), refused.message
    assert "취소된 상품은 교환할 수 없습니다." in refused.message
    assert easyadmin.events("exchange") == []


def test_an_answer_lost_to_a_server_error_is_read_not_clicked_again(
    robot: Robot, easyadmin: MockPortal, state_dir: Path
) -> None:
    """commit_then_error: EasyAdmin makes E2's exchange, then answers 502; the reading sees
    C/S 교환 and the new 교환주문, so it is done, once. The same for E4's notice."""
    easyadmin.faults(commit_then_error=1)
    done = exchange(robot, E2.number, "01", "면 티셔츠", option="화이트/XL")
    assert (done.outcome, done.status) == (Outcome.DONE, "exchanged"), done.message
    assert len(exchanges(easyadmin, E2.number)) == 1
    assert done.fields()["exchange_order"] is not None
    key = f"{E2.number}/{E2.detail}/exchange"
    clicks = [r for r in ChangeLog(state_dir).rows() if r["key"] == key]
    assert clicks[-1]["state"] == "done" and "오류" in str(clicks[-1]["note"])

    easyadmin.faults(commit_then_error=1)
    sent = notify(robot, E4.number, "01")
    assert (sent.outcome, sent.status) == (Outcome.DONE, "sent"), sent.message
    assert len(notices(easyadmin, E4.number)) == 1


def test_a_click_whose_answer_was_lost_is_read_before_anything(
    robot: Robot, easyadmin: MockPortal, state_dir: Path
) -> None:
    """An earlier run clicked "교환" on E6 -02 and died before it saw the answer. That click
    made the exchange: the next run reads it done (ours: "exchanged"), never clicks again.
    An earlier click on E2 that did not make it: read absent, then made once."""
    line = f"{E6.number}-02"
    account = Account("easyadmin", easyadmin.url, USER).key
    ChangeLog(state_dir).intend(account, f"{E6.number}/{line}/exchange", EXCHANGE.name, "died")
    [order] = orders_of(easyadmin, E6.number)
    with httpx.Client(base_url=easyadmin.url, follow_redirects=True) as other:
        other.post("login", data={"domain": DOMAIN, "user": USER, "password": PASSWORD})
        form = {"order": order["관리번호"], "line": "1", "product": "P1001-06", "qty": "1"}
        other.post("cs/exchange", data=form).raise_for_status()
    assert len(exchanges(easyadmin, E6.number)) == 1

    ours = exchange(robot, E6.number, "02", "린넨 셔츠", option="블랙/XL")
    assert (ours.outcome, ours.status) == (Outcome.DONE, "exchanged"), ours.message
    assert len(exchanges(easyadmin, E6.number)) == 1

    ChangeLog(state_dir).intend(account, f"{E2.number}/{E2.detail}/exchange", EXCHANGE.name, "x")
    made = exchange(robot, E2.number, "01", "면 티셔츠", option="화이트/XL")
    assert (made.outcome, made.status) == (Outcome.DONE, "exchanged"), made.message
    assert len(exchanges(easyadmin, E2.number)) == 1


# --- the command line -----------------------------------------------------------------------


def test_cli_needs_the_domain_and_answers_in_korean(tmp_path: Path, mock: MockPortal) -> None:
    mock.reset()
    environment = cli_env(
        mock.url.replace("/easyadmin/", "/kogan/"),
        tmp_path / "state",
        PORTALPILOT_EASYADMIN__BASE_URL=mock.url,
        PORTALPILOT_EASYADMIN__EMAIL=USER,
        PORTALPILOT_EASYADMIN__PASSWORD=PASSWORD,
    )
    args = ("easyadmin", "notify-exchange", E4.number, "--line", "01", "--json")
    no_domain = run_cli(*args, "--dry-run", env=environment)
    assert no_domain.returncode == 2, no_domain.stdout + no_domain.stderr[-2000:]
    assert "PORTALPILOT_EASYADMIN__DOMAIN" in no_domain.stdout + no_domain.stderr

    environment["PORTALPILOT_EASYADMIN__DOMAIN"] = DOMAIN
    dry = run_cli(*args, "--dry-run", env=environment)
    assert dry.returncode == 0, dry.stdout + dry.stderr[-2000:]
    answer = json.loads(dry.stdout)
    assert (answer["status"], answer["template"]) == ("dry_run", "교환 안내")
    assert "청바지 스트레이트 32" in answer["preview"] and "홍길동" in answer["preview"]
    e3 = run_cli("easyadmin", "exchange", E3.number, "--line", "01", "--product", "니트 가디건",
                 "--json", env=environment)  # fmt: skip
    assert e3.returncode == 1, e3.stdout + e3.stderr[-2000:]
    assert json.loads(e3.stdout)["status"] == "not_collected"
    assert mock.events("smart_notification") == [] and mock.events("exchange") == []
