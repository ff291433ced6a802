"""The Kogan page objects, with pytest-playwright's own `page`, on both markups of the spec.

Markup "b" is a second rendering of the same spec (other structure, ids and classes):
page objects built on roles, labels and visible text work on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import KOGAN_EMAIL, KOGAN_PASSWORD, MockPortal, login
from playwright.sync_api import Page

from pages.kogan import KOGAN, OrderList, OrderView, SignInPage
from portalpilot import Answer, Change, GuardBypassed, LoginRejected, PortalDown, Reply, Seen
from portalpilot._guard import ChangeLog, Guard


@pytest.fixture(params=["a", "b"])
def portal(request: pytest.FixtureRequest, kogan: MockPortal) -> Iterator[MockPortal]:
    kogan.reset(markup=request.param)
    yield kogan


@pytest.fixture
def orders(page: Page, portal: MockPortal) -> OrderList:
    KOGAN.prepare(page)
    KOGAN.sign_in(page, login(portal.url, KOGAN_EMAIL, KOGAN_PASSWORD))
    return OrderList(page).open(portal.url)


def test_sign_in_rejects_a_wrong_password(page: Page, portal: MockPortal) -> None:
    with pytest.raises(LoginRejected, match="Invalid email or password"):
        SignInPage(page).open(portal.url).log_in(KOGAN_EMAIL, "wrong")
    assert len(portal.events("login_failed")) == 1


def test_new_visit_shows_seven_days_and_search_narrows(orders: OrderList) -> None:
    assert "last 7 days" in orders.caption()
    orders.show_period(30)
    orders.search("ESG-10012")

    rows = orders.rows()
    assert sorted(r.reference for r in rows) == [
        "ESG-10012",
        "ESG-100123",
        "ESG-1001234",
        "ESG-10012345",
    ]
    assert orders.caption() == '4 items · last 30 days · matching "ESG-10012"'
    [row] = orders.rows_of("ESG-10012")
    assert (row.customer, row.sku, row.title) == (
        "Olivia Bennett",
        "KG-BT-SPK",
        "Bluetooth Speaker",
    )
    assert (row.quantity, row.total, row.status) == (1, Decimal("89.95"), "Dispatched")
    assert isinstance(row.placed, date)


def test_one_row_per_order_line(orders: OrderList) -> None:
    orders.search("ESG-20020")
    rows = orders.rows_of("ESG-20020")
    assert {r.sku: (r.quantity, r.total) for r in rows} == {
        "KG-HDMI-2M": (2, Decimal("39.80")),
        "KG-USB-HUB": (1, Decimal("49.00")),
    }


def test_periods_decide_what_is_listed(orders: OrderList) -> None:
    orders.search("ESG-201")
    assert {r.reference for r in orders.rows()} == set()
    orders.show_period(30)
    assert {r.reference for r in orders.rows()} == {"ESG-20100"}
    orders.show_period(90)
    assert {r.reference for r in orders.rows()} == {"ESG-20100", "ESG-20110"}


def test_pagination_walks_every_page(orders: OrderList) -> None:
    orders.show_period(90)
    number, pages = orders.page_number()
    assert (number, pages >= 3) == (1, True)
    seen = list(orders.rows())
    assert len(seen) == 25
    while orders.has_next_page():
        orders.next_page()
        seen += orders.rows()
    assert orders.page_number() == (pages, pages)
    total = int(orders.caption().split()[0])
    assert len(seen) == total


def test_settings_menu_follows_the_line_status(orders: OrderList) -> None:
    orders.search("ESG-20030")
    menu = orders.open_settings("ESG-20030", "KG-LED-STRIP")
    assert (menu.can_refund(), menu.can_cancel()) == (True, False)
    menu.close()
    menu = orders.open_settings("ESG-20030", "KG-SMART-PLUG")
    assert (menu.can_refund(), menu.can_cancel()) == (False, True)
    menu.close()
    menu = orders.open_settings("ESG-20030", "KG-DESK-LAMP")
    assert (menu.can_refund(), menu.can_cancel()) == (False, False)


def test_refund_dialog_reads_and_cancels(orders: OrderList, portal: MockPortal) -> None:
    orders.search("ESG-20410")
    dialog = orders.open_settings("ESG-20410", orders.rows_of("ESG-20410")[0].sku).refund()
    details = dialog.read()
    assert (details.reference, details.quantity, details.amount) == (
        "ESG-20410",
        1,
        Decimal("1234.50"),
    )
    dialog.cancel()
    assert portal.events("refund") == []


def test_refund_dialog_confirms_only_through_the_guard(
    orders: OrderList, portal: MockPortal, tmp_path: Path
) -> None:
    orders.search("ESG-10012")
    dialog = orders.open_settings("ESG-10012", "KG-BT-SPK").refund()
    dialog.choose_reason("Faulty Item")
    with pytest.raises(GuardBypassed):
        dialog.confirm("ESG-10012", "KG-BT-SPK")
    assert portal.events("refund") == []

    def read() -> Seen:
        status = orders.status_of("ESG-10012", "KG-BT-SPK")
        return {"Refunded": Seen.DONE, "Dispatched": Seen.ABSENT}[status]

    guard = Guard(ChangeLog(tmp_path), "kogan-test", "test", "run-1", open=set())
    change = Change("ESG-10012/KG-BT-SPK/refund", read)
    committed = guard.commit(change, lambda: dialog.confirm("ESG-10012", "KG-BT-SPK"))

    assert committed.reply == Reply(
        Answer.DONE, "Refund of $89.95 submitted for ESG-10012 (KG-BT-SPK)."
    )
    assert committed.seen is Seen.DONE
    assert [(e["reference"], e["sku"]) for e in portal.events("refund")] == [
        ("ESG-10012", "KG-BT-SPK")
    ]
    assert [row["state"] for row in ChangeLog(tmp_path).rows()] == ["done"]


def test_refund_dialog_without_a_reason_is_refused(orders: OrderList, tmp_path: Path) -> None:
    orders.search("ESG-10012")
    dialog = orders.open_settings("ESG-10012", "KG-BT-SPK").refund()
    guard = Guard(ChangeLog(tmp_path), "kogan-test", "test", "run-1", open=set())
    change = Change("ESG-10012/KG-BT-SPK/refund", lambda: Seen.ABSENT)
    committed = guard.commit(change, lambda: dialog.confirm("ESG-10012", "KG-BT-SPK"))
    assert committed.reply == Reply(Answer.REFUSED, "Choose a reason.")


def test_order_view_lists_lines_and_history(
    page: Page, orders: OrderList, portal: MockPortal
) -> None:
    details = OrderView(page).open(portal.url, "ESG-20030").read("ESG-20030")
    assert {line.sku: line.status for line in details.lines} == {
        "KG-LED-STRIP": "Dispatched",
        "KG-SMART-PLUG": "Awaiting dispatch",
        "KG-DESK-LAMP": "Refunded",
    }
    assert "Mia Thompson" in details.text
    assert details.history


def test_maintenance_page_is_recognised(page: Page, portal: MockPortal) -> None:
    portal.faults(maintenance=True)
    with pytest.raises(PortalDown):
        SignInPage(page).open(portal.url)
