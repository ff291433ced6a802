"""The Shopify page objects, with pytest-playwright's own `page`, on both markups of the spec.

Markup "b" renders the same spec otherwise (ARIA tables in another column order, tabs and
pagers that load in place, cards in another order and not all regions, text-only labels
tied by random ids, the summary before the lines): page objects that read only what the
spec promises read both the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page

from pages.shopify import (
    SHOPIFY,
    CardLine,
    NoSuchOrder,
    OrderList,
    OrderPage,
    RefundLine,
    RefundPage,
    SignInPage,
)
from portalpilot import Answer, GuardBypassed, LoginRejected
from portalpilot._guard import Change, ChangeLog, Guard, Seen

EMAIL, PASSWORD = "owner@example.com", "shopify-demo"
D = Decimal


@pytest.fixture(params=["a", "b"])
def shopify(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/shopify/")
    portal.reset(markup=request.param)
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, shopify: MockPortal) -> Page:
    SHOPIFY.prepare(page)
    SHOPIFY.sign_in(page, login(shopify.url, EMAIL, PASSWORD))
    return page


def order_state(portal: MockPortal, number: str) -> dict[str, Any]:
    return next(o for o in portal.state()["orders"] if o["number"] == number)


def guard(tmp_path: Path) -> Guard:
    return Guard(ChangeLog(tmp_path), "shopify-test", "test", "run-1", open=set())


def test_sign_in_rejects_a_wrong_password(page: Page, shopify: MockPortal) -> None:
    with pytest.raises(LoginRejected, match="Incorrect email or password"):
        SignInPage(page).open(shopify.url).log_in(EMAIL, "wrong")
    assert len(shopify.events("login_failed")) == 1


def test_the_list_filters_as_you_type_and_by_tab(signed_in: Page, shopify: MockPortal) -> None:
    shopify.faults(slow_list_ms=300)  # the table fills in after the page has loaded
    orders = OrderList(signed_in).open(shopify.url)
    first = orders.rows()
    assert len(first) == 50 and orders.has_next_page() and not orders.has_previous_page()
    orders.next_page()
    assert len(orders.rows()) == 16 and orders.has_previous_page()

    found = orders.search("#1001")  # a prefix: "#10010" to "#10015" are listed too
    assert sorted(row.number for row in found) == ["#1001", *(f"#{n}" for n in range(10010, 10016))]
    assert "query=%231001" in signed_in.url
    [row] = [row for row in found if row.number == "#1001"]
    assert (row.customer, row.channel, row.total, row.items) == (
        "Liam Nguyen", "Kogan", D("59.00"), 1)  # fmt: skip
    assert (row.payment_status, row.fulfillment_status) == ("Paid", "Fulfilled")
    assert [r.number for r in orders.search("CHLOE.MARTIN@")] == ["#1049"]
    assert orders.search("nobody at all") == []

    orders.search("")
    orders.choose_tab("Unpaid")
    unpaid = {row.number: row.payment_status for row in orders.rows()}
    assert unpaid == {"#1004": "Authorized", "#1005": "Payment pending", "#1006": "Partially paid"}


def test_order_page_reads_a_kogan_order(signed_in: Page, shopify: MockPortal) -> None:
    page = OrderPage(signed_in).open_by_number(shopify.url, "#1042")
    order = page.read()
    assert order.order_id == order_state(shopify, "#1042")["id"]
    assert (order.number, order.payment_status, order.fulfillment_status) == (
        "#1042", "Paid", "Fulfilled")  # fmt: skip
    assert order.cards == {"Fulfilled": (CardLine("KG-LAMP-BLK", D("49.95"), 1),)}
    assert (order.customer, order.email) == ("Jane Citizen", "jane.citizen@example.com")
    assert (order.note, order.tags) == ("Kogan order ESG-20481234", ("Kogan",))
    totals = order.totals
    assert (totals.total, totals.paid, totals.refunded, totals.net) == (
        D("59.90"), D("59.90"), D("0.00"), D("59.90"))  # fmt: skip
    assert order.can_refund and not order.canceled

    k8 = OrderPage(signed_in).open_by_number(shopify.url, "1049").read()
    assert k8.payment_status == "Partially refunded" and k8.customer == "Chloé Martin"
    mugs, tea = k8.line("KG-MUG-SET"), k8.line("KG-TEA-TIN")
    assert mugs is not None and (mugs.quantity, mugs.refunded, mugs.left) == (2, 2, 0)
    assert tea is not None and (tea.quantity, tea.refunded, tea.left) == (2, 0, 2)
    assert k8.totals.refunded == D("29.00")

    exact = OrderPage(signed_in).open_by_number(shopify.url, "#1001").read()
    assert (exact.number, exact.email) == ("#1001", "liam.n@example.com")  # not #10010
    k4 = OrderPage(signed_in).open_by_number(shopify.url, "#1044").read()
    assert (k4.payment_status, k4.can_refund, k4.totals.net) == ("Refunded", False, D("0.00"))
    canceled = OrderPage(signed_in).open_by_number(shopify.url, "#1007").read()
    assert (canceled.payment_status, canceled.canceled, canceled.note, canceled.tags) == (
        "Voided", True, "", ())  # fmt: skip
    with pytest.raises(NoSuchOrder):
        OrderPage(signed_in).open_by_number(shopify.url, "#1061")


def test_refund_page_reads_lines_and_follows_what_is_typed(
    signed_in: Page, shopify: MockPortal
) -> None:
    refund = OrderPage(signed_in).open_by_number(shopify.url, "#1002").start_refund()
    assert refund.order_number() == "#1002"
    assert refund.lines() == [
        RefundLine("AP-SHIRT-BLU-M", D("59.95"), 3, 0),
        RefundLine("GIFT-WRAP", D("5.00"), 1, 0),
    ]
    fresh = refund.summary()
    assert (fresh.refund_total, fresh.button_amount, fresh.button_enabled) == (D(0), D(0), False)
    assert (fresh.available, fresh.shipping_available) == (D("194.80"), D("9.95"))
    assert (fresh.restock, fresh.notify) == (True, True)

    refund.set_quantity("AP-SHIRT-BLU-M", 2)
    refund.set_shipping(D("9.95"))
    typed = refund.summary()
    assert (typed.items_subtotal, typed.shipping, typed.refund_total, typed.tax) == (
        D("119.90"), D("9.95"), D("129.85"), D("11.80"))  # fmt: skip
    assert (typed.amount, typed.button_amount, typed.button_enabled) == (
        D("129.85"), D("129.85"), True)  # fmt: skip
    refund.set_amount(D("100.00"))
    assert refund.summary().button_amount == D("100.00")
    assert refund.line("AP-SHIRT-BLU-M").quantity == 2

    free = RefundPage(signed_in).open(shopify.url, order_state(shopify, "#1009")["id"])
    untracked = free.summary()
    assert (untracked.restock, untracked.shipping_available) == (None, None)
    assert not free.set_restock(True)
    assert shopify.events("refund") == []


def test_refund_is_made_only_through_the_guard(
    signed_in: Page, shopify: MockPortal, tmp_path: Path
) -> None:
    stock = shopify.state()["stock"]["KG-LAMP-BLK"]
    order = OrderPage(signed_in).open_by_number(shopify.url, "#1042")
    refund = order.start_refund()
    refund.set_quantity("KG-LAMP-BLK", 1)
    refund.set_shipping(D("9.95"))
    refund.write_reason("Faulty: does not turn on")
    with pytest.raises(GuardBypassed):
        refund.submit_refund()
    assert shopify.events("refund") == []

    def read() -> Seen:
        refunded = OrderPage(signed_in).open(shopify.url, order_id).read().totals.refunded
        return Seen.DONE if refunded == D("59.90") else Seen.ABSENT

    order_id = order_state(shopify, "#1042")["id"]
    committed = guard(tmp_path).commit(Change("#1042/refund", read), refund.submit_refund)
    assert (committed.reply.answer, committed.reply.message) == (Answer.DONE, "Refunded $59.90")
    assert committed.seen is Seen.DONE
    [event] = shopify.events("refund")
    assert event["lines"] == [{"sku": "KG-LAMP-BLK", "quantity": 1, "restocked": 1}]
    assert (event["amount"], event["shipping"], event["reason"]) == (
        59.9, 9.95, "Faulty: does not turn on")  # fmt: skip
    assert shopify.state()["stock"]["KG-LAMP-BLK"] == stock + 1
    assert len(shopify.events("customer_notified")) == 1
    assert order_state(shopify, "#1042")["payment_status"] == "Refunded"


def test_an_ambiguous_answer_and_a_stale_form(
    signed_in: Page, shopify: MockPortal, tmp_path: Path
) -> None:
    """commit_then_error: the portal fails after refunding, and only the reading tells.
    A form opened before another tab refunded the rest is refused, nothing changed."""
    refund = OrderPage(signed_in).open_by_number(shopify.url, "#1050").start_refund()
    refund.set_quantity("KG-RICE-CKR", 1)
    shopify.faults(commit_then_error=1)
    k9 = order_state(shopify, "#1050")["id"]

    def read() -> Seen:
        page = OrderPage(signed_in).open(shopify.url, k9).read()
        return Seen.DONE if page.payment_status == "Refunded" else Seen.ABSENT

    committed = guard(tmp_path).commit(Change("#1050/refund", read), refund.submit_refund)
    assert committed.reply.answer is Answer.FAILED
    assert re.search("Something went wrong", committed.reply.message)
    assert committed.seen is Seen.DONE and len(shopify.events("refund")) == 1

    refund = OrderPage(signed_in).open_by_number(shopify.url, "#1049").start_refund()
    assert [line.sku for line in refund.lines()] == ["KG-TEA-TIN"]  # the mugs are refunded
    refund.set_quantity("KG-TEA-TIN", 2)
    k8 = order_state(shopify, "#1049")["id"]
    other_tab = {"quantity-KG-TEA-TIN": "2", "amount": "24.00", "restock": "1"}
    assert signed_in.request.post(f"{shopify.url}admin/orders/{k8}/refund", form=other_tab).ok

    stale = Change("#1049/refund", lambda: Seen.ABSENT)
    committed = guard(tmp_path).commit(stale, refund.submit_refund)
    assert committed.reply.answer is Answer.REFUSED
    assert committed.reply.message == "There's nothing left to refund on this order."
    assert len(shopify.events("refund")) == 2
