"""easyadmin.process_exchange: the whole exchange procedure of seed 002, across the EasyAdmin
and Cafe24 mocks (one shop), as one durable run.

Every test asserts on both mocks' `__mock__/state`: the `exchange` and `smart_notification`
events of EasyAdmin and the `tracking_saved` events of Cafe24, each exactly once, or none.
The orders are the shared shop's scenarios E1–E6 (fixtures/_kr_shop/scenarios.py); the
warehouse's shipment is the mock's `__mock__/ship`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal

from fixtures._kr_shop.scenarios import E1, E2, E3, E4, E5, E6
from flows.easyadmin_process_exchange import PROCEDURE, EasyAdminProcessExchange, cross_check
from pages.easyadmin import EasyAdminSettings
from portalpilot import Outcome, PortalSettings, Result, Settings
from portalpilot._procedure import Disagreement, run_procedure
from portalpilot._settings import RetrySettings


@pytest.fixture(scope="module")
def mocks(base_url: str) -> Iterator[dict[str, MockPortal]]:
    portals = {name: MockPortal(f"{base_url}/{name}/") for name in ("easyadmin", "cafe24")}
    yield portals
    portals["easyadmin"].reset()  # resets both: they share one shop
    for portal in portals.values():
        portal.http.close()


@pytest.fixture
def shop(mocks: dict[str, MockPortal], request: pytest.FixtureRequest) -> dict[str, MockPortal]:
    """The shop as seeded, on markup a, or the one a test asks (indirect)."""
    markup = getattr(request, "param", "a")
    for portal in mocks.values():
        portal.reset(**({"markup": markup} if markup != "a" else {}))
    return mocks


@pytest.fixture
def settings(base_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path / "state",
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        easyadmin=EasyAdminSettings(
            base_url=f"{base_url}/easyadmin/", email="cs01", password="ezadmin-demo", domain="demo"
        ),
        cafe24=PortalSettings(
            base_url=f"{base_url}/cafe24/", email="demoshop", password="cafe24-demo"
        ),
    )


def process(settings: Settings, order: str, line: str, product: str, **values: Any) -> Result:
    item = EasyAdminProcessExchange(order=order, line=line, product=product, **values)
    return run_procedure(settings, PROCEDURE, item)


def orders_of(shop: dict[str, MockPortal], number: str) -> list[dict[str, Any]]:
    return [o for o in shop["easyadmin"].state()["orders"] if o["주문번호"] == number]


def events(shop: dict[str, MockPortal], number: str) -> dict[str, list[Any]]:
    """What changed for one order: EasyAdmin's exchanges and notices, Cafe24's numbers."""
    mine = {o["관리번호"] for o in orders_of(shop, number)}
    easyadmin = [e for e in shop["easyadmin"].events() if e.get("관리번호") in mine]
    return {
        "exchange": [e["관리번호"] for e in easyadmin if e["type"] == "exchange"],
        "smart_notification": [
            e["관리번호"] for e in easyadmin if e["type"] == "smart_notification"
        ],
        "tracking_saved": [
            (e["line"], e["carrier"], e["number"])
            for e in shop["cafe24"].events("tracking_saved")
            if e["line"].startswith(number)
        ],
    }


def ship(shop: dict[str, MockPortal], number: str, carrier: str, tracking: str) -> None:
    """The warehouse prints and ships the order of 관리번호 `number` (송장, 배송, the send)."""
    body = {"관리번호": number, "택배사": carrier, "송장번호": tracking}
    shop["easyadmin"].http.post("__mock__/ship", json=body).raise_for_status()


def exchange_order(shop: dict[str, MockPortal], number: str) -> str:
    [made] = [o["관리번호"] for o in orders_of(shop, number) if o["원주문"] is not None]
    return str(made)


@pytest.mark.parametrize("shop", ["a", "b"], indirect=True)
def test_e1_mode_a_waits_for_the_shipment_then_one_notice(
    shop: dict[str, MockPortal], settings: Settings
) -> None:
    first = process(settings, E1.number, "01", "린넨 셔츠", option="블루/L")
    assert (first.outcome, first.status) == (Outcome.DONE, "waiting_for_shipment")
    assert "mode a" in first.message and "스마트알림" in first.message, first.message
    made = exchange_order(shop, E1.number)
    assert events(shop, E1.number) == {
        "exchange": [orders_of(shop, E1.number)[0]["관리번호"]],
        "smart_notification": [],
        "tracking_saved": [],
    }

    ship(shop, made, "CJ대한통운", "612399990101")
    done = process(settings, E1.number, "01", "린넨 셔츠", option="블루/L")
    assert (done.outcome, done.status) == (Outcome.DONE, "notified"), done.message
    fields = done.fields()
    assert (fields["mode"], fields["exchange_order"], fields["tracking"]) == (
        "a",
        made,
        "612399990101",
    )
    again = process(settings, E1.number, "01", "린넨 셔츠", option="블루/L")
    assert (again.outcome, again.status) == (Outcome.DONE, "notified")
    seen = events(shop, E1.number)
    assert len(seen["exchange"]) == 1 and len(seen["smart_notification"]) == 1
    # Mode a: EasyAdmin's own send saved the number on the original line, none typed by us.
    assert seen["tracking_saved"] == [(E1.detail, "CJ대한통운", "612399990101")]


@pytest.mark.parametrize("shop", ["a", "b"], indirect=True)
def test_e2_mode_b_exchanges_here_then_types_the_number_into_cafe24(
    shop: dict[str, MockPortal], settings: Settings
) -> None:
    first = process(settings, E2.number, "01", "면 티셔츠", option="화이트/XL")
    assert (first.outcome, first.status) == (Outcome.DONE, "waiting_for_shipment")
    assert f"{E2.number}-02" in first.message, first.message
    assert events(shop, E2.number)["tracking_saved"] == []

    ship(shop, exchange_order(shop, E2.number), "한진택배", "412399990102")
    done = process(settings, E2.number, "01", "면 티셔츠", option="화이트/XL")
    assert (done.outcome, done.status) == (Outcome.DONE, "tracking_entered"), done.message
    assert done.fields()["cafe24_line"] == f"{E2.number}-02"
    again = process(settings, E2.number, "01", "면 티셔츠", option="화이트/XL")
    assert again.status == "tracking_entered"
    seen = events(shop, E2.number)
    assert len(seen["exchange"]) == 1 and seen["smart_notification"] == []
    assert seen["tracking_saved"] == [(f"{E2.number}-02", "한진택배", "412399990102")]


def test_e3_to_e6_and_a_disagreement(shop: dict[str, MockPortal], settings: Settings) -> None:
    # E3: not collected; Cafe24's exchange arrives with the next collection.
    e3 = process(settings, E3.number, "01", "니트 가디건", option="그레이/FREE")
    assert (e3.outcome, e3.status) == (Outcome.DONE, "not_collected"), e3.message
    assert "next collection" in e3.message and f"{E3.number}-02" in e3.message
    assert orders_of(shop, E3.number) == []

    # E4: exchanged and shipped, sent to Cafe24: one 스마트알림.
    e4 = process(settings, E4.number, "01", "청바지 스트레이트", option="32")
    assert (e4.outcome, e4.status) == (Outcome.DONE, "notified"), e4.message

    # E5: mode b, shipped with 롯데택배: its number typed into -02.
    e5 = process(settings, E5.number, "01", "운동화", option="화이트/265")
    assert (e5.outcome, e5.status) == (Outcome.DONE, "tracking_entered"), e5.message

    # E6: a line in 송장, exchanged in place, the order on 보류: waiting for the shipment.
    plan = process(settings, E6.number, "02", "린넨 셔츠", option="블랙/XL", dry_run=True)
    assert (plan.outcome, plan.status) == (Outcome.DONE, "dry_run"), plan.message
    assert plan.fields()["changes"] and events(shop, E6.number)["exchange"] == []
    e6 = process(settings, E6.number, "02", "린넨 셔츠", option="블랙/XL")
    assert (e6.outcome, e6.status) == (Outcome.DONE, "waiting_for_shipment"), e6.message
    [e6_order] = orders_of(shop, E6.number)
    line = next(one for one in e6_order["lines"] if one["주문상세번호"] == E6.detail)
    assert line["보류"] and line["옵션"] == "블랙/XL"

    # E2 asked for another option than Cafe24's exchange: refused, naming both.
    other = process(settings, E2.number, "01", "면 티셔츠", option="블랙/L")
    assert (other.outcome, other.status) == (Outcome.REFUSED, "product_mismatch")
    assert "Cafe24" in other.message and "화이트/XL" in other.message and "블랙/L" in other.message

    # Each change once; a rerun of a finished one answers the same, changing nothing.
    again = process(settings, E5.number, "01", "운동화", option="화이트/265")
    assert (again.outcome, again.status, again.run_id) == (Outcome.DONE, e5.status, e5.run_id)
    assert events(shop, E3.number) == {
        "exchange": [],
        "smart_notification": [],
        "tracking_saved": [],
    }
    e4_seen, e5_seen = events(shop, E4.number), events(shop, E5.number)
    assert (e4_seen["exchange"], len(e4_seen["smart_notification"])) == ([], 1)
    assert (e5_seen["exchange"], e5_seen["smart_notification"]) == ([], [])
    assert e5_seen["tracking_saved"] == [(f"{E5.number}-02", "롯데택배", "651234567890")]
    assert len(events(shop, E6.number)["exchange"]) == 1
    assert events(shop, E2.number) == {
        "exchange": [],
        "smart_notification": [],
        "tracking_saved": [],
    }


def test_a_recipient_that_differs_is_refused_naming_both_systems() -> None:
    item = EasyAdminProcessExchange(order=E5.number, line="01", product="운동화")
    easyadmin = {
        "order": E5.number,
        "management_number": "10005",
        "recipient": "홍길동",
        "mobile": "010-8642-9753",
    }
    cafe24 = {
        "order": E5.number,
        "recipient": "홍길동",
        "recipient_mobile": "010-2468-1357",
        "exchanged": False,
    }
    with pytest.raises(Disagreement) as refused:  # the same name, another phone (E4's)
        cross_check(item, cafe24, easyadmin)
    assert refused.value.status == "recipient_mismatch"
    said = refused.value.message
    assert "EasyAdmin" in said and "Cafe24" in said
    assert "010-8642-9753" in said and "010-2468-1357" in said
    cross_check(item, {**cafe24, "recipient_mobile": "01086429753"}, easyadmin)  # agrees
