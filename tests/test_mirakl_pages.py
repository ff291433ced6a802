"""The Mirakl page objects, with pytest-playwright's own `page`, on both markups of the spec.

Markup "b" renders the same spec otherwise (ARIA tables and grids, lists, split texts,
random ids, dialogs made when opened, parts filled in after load): page objects built on
the spec's roles, labels and words read both the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page

from pages.mirakl import (
    MIRAKL,
    IncidentList,
    MessageList,
    OrderLine,
    OrderPage,
    RefundEntry,
    ThreadPage,
)
from portalpilot import GuardBypassed, PortalFailure

EMAIL, PASSWORD = "shop@example.com", "mirakl-demo"


@pytest.fixture(params=["a", "b"])
def mirakl(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/mirakl/")
    portal.reset(markup=request.param)
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, mirakl: MockPortal) -> Page:
    MIRAKL.prepare(page)
    MIRAKL.sign_in(page, login(mirakl.url, EMAIL, PASSWORD))
    return page


def test_order_page_reads_facts_lines_refunds_and_incidents(
    signed_in: Page, mirakl: MockPortal
) -> None:
    order = OrderPage(signed_in).open(mirakl.url, "8817455906-B")
    details = order.details("8817455906-B")

    facts = details.facts
    assert (facts.state, facts.customer) == ("RECEIVED", "Jan Kowalski")
    assert (facts.total_paid, facts.already_refunded, facts.shipping_price) == (
        Decimal("61.00"), Decimal("27.00"), Decimal("7.00"))  # fmt: skip
    assert details.lines == (OrderLine("VAS-GLASS-L", 2, Decimal("27.00")),)
    [refund] = details.refunds
    assert (refund.sku, refund.quantity, refund.amount) == ("VAS-GLASS-L", 1, Decimal("27.00"))
    assert details.now == datetime(2026, 5, 15, 12, 0)  # the mock's clock, whatever the hour
    assert order.open_incidents() == ()

    incident = OrderPage(signed_in).open(mirakl.url, "8817455912-A")
    assert incident.open_incidents() == ("Item not received",)
    assert incident.refunds() is None  # nothing refunded, nothing shown: not an error
    assert not OrderPage(signed_in).open(mirakl.url, "8817455999-A").exists()


def test_lists_read_by_their_column_headers(signed_in: Page, mirakl: MockPortal) -> None:
    threads = MessageList(signed_in).open(mirakl.url)
    rows = {row.thread_id: row for row in threads.rows()}
    first = rows["TH-10001"]
    assert (first.order_id, first.subject, first.customer, first.status) == (
        "8817455903-A", "Where is my parcel?", "Emma Laurent", "Unread")  # fmt: skip
    assert first.last_message == datetime(2026, 5, 13, 10, 0)  # 50 hours before noon
    threads.filter(order="8817455903-A")
    assert sorted(row.thread_id for row in threads.rows()) == ["TH-10001", "TH-10009"]

    incidents = IncidentList(signed_in).open_from_menu().of_order("8817455914-A")
    assert [(i.reason, i.is_solved) for i in incidents] == [(incidents[0].reason, True)]


def test_thread_shows_its_messages_by_their_text(signed_in: Page, mirakl: MockPortal) -> None:
    thread = ThreadPage(signed_in).open(mirakl.url, "TH-10003")

    assert thread.message_count() == 3
    assert thread.shows_message("Of course, we will   send it shortly.")
    assert not thread.shows_message("Of course")  # a whole message, never a part of one
    summary = thread.summary()
    assert (summary.subject, summary.order_id, summary.customer) == (
        "Invoice request", "8817455905-A", "Sofia Rossi")  # fmt: skip


def test_a_thread_that_shows_no_messages_raises(signed_in: Page, mirakl: MockPortal) -> None:
    mirakl.reset(markup=mirakl.state().get("markup"), blind_after_change=True)
    with httpx.Client(base_url=mirakl.url) as shop:
        shop.post("login", data={"email": EMAIL, "password": PASSWORD, "next": ""})
        assert shop.post("messages/TH-10002", data={"text": "On its way."}).status_code == 303
    MIRAKL.sign_in(signed_in, login(mirakl.url, EMAIL, PASSWORD))  # the reset ended the session

    with pytest.raises(PortalFailure, match="went wrong"):
        ThreadPage(signed_in).open(mirakl.url, "TH-10002")


def test_state_changing_clicks_refuse_to_run_outside_the_guard(
    signed_in: Page, mirakl: MockPortal
) -> None:
    refund = OrderPage(signed_in).open(mirakl.url, "8817455903-A").start_refund()
    refund.choose_partial()
    refund.set_line("BLB-E27-4", 1, None)
    refund.choose_reason("Item returned")
    with pytest.raises(GuardBypassed):
        refund.refund()

    solve = OrderPage(signed_in).open(mirakl.url, "8817455912-A").mark_as_solved()
    solve.write("Re-shipped.")
    with pytest.raises(GuardBypassed):
        solve.confirm()

    talk = OrderPage(signed_in).open(mirakl.url, "8817455915-A").start_conversation()
    talk.fill("Customer and operator", "Invoice", "Your invoice.", [])
    with pytest.raises(GuardBypassed):
        talk.send()

    thread = ThreadPage(signed_in).open(mirakl.url, "TH-10002")
    thread.write_reply("On its way.", [])
    with pytest.raises(GuardBypassed):
        thread.send()

    kinds = {event["type"] for event in mirakl.events()}
    assert kinds == {"login"}  # nothing was refunded, solved or sent
    assert mirakl.state()["notifications"] == []


def test_refund_entries_are_read_part_by_part(signed_in: Page, mirakl: MockPortal) -> None:
    with httpx.Client(base_url=mirakl.url) as shop:
        shop.post("login", data={"email": EMAIL, "password": PASSWORD, "next": ""})
        form = {"mode": "partial", "reason": "Item returned", "quantity-LMP-DESK-01": "1",
                "shipping": "5.99"}  # fmt: skip
        assert shop.post("orders/8817455903-A/refund", data=form).status_code == 303

    refunds = OrderPage(signed_in).open(mirakl.url, "8817455903-A").refunds()
    assert refunds is not None
    assert [(r.sku, r.quantity, r.amount) for r in refunds] == [
        ("LMP-DESK-01", 1, Decimal("34.90")), (None, 0, Decimal("5.99"))]  # fmt: skip
    assert all(isinstance(r, RefundEntry) and r.refund_id == refunds[0].refund_id for r in refunds)
