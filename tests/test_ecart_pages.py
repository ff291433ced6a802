"""The Electronic Cart page objects, with pytest-playwright's own `page`, on both markups.

Markup "b" renders the same spec otherwise (ARIA tables in another column order, a
caption that is a labelling paragraph, items split by line breaks, pager buttons, the
description list in another order, history newest first): page objects that read only
what the spec promises work on both. The portal is read-only: the events show searches
and order views, nothing else.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page, expect

from pages.ecart import (
    BY_EMAIL,
    BY_REFERENCE,
    BY_SHOPIFY,
    ECART,
    Item,
    NoSuchOrder,
    OrderPage,
    OrderSearch,
    SignInPage,
    rows_for_email,
    rows_for_reference,
)
from portalpilot import LoginRejected, PortalDown, SessionExpired

EMAIL, PASSWORD = "ops@example.com", "ecart-demo"
TODAY = dt.date(2026, 5, 15)


@pytest.fixture(params=["a", "b"])
def ecart(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/ecart/")
    portal.reset(markup=request.param)
    assert portal.state().get("markup", request.param) == request.param
    yield portal
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, ecart: MockPortal) -> Page:
    ECART.prepare(page)
    ECART.sign_in(page, login(ecart.url, EMAIL, PASSWORD))
    return page


def order(ecart: MockPortal, reference: str) -> dict[str, Any]:
    return next(o for o in ecart.state()["orders"] if o["reference"] == reference)


def searched(ecart: MockPortal) -> list[tuple[str, str, str, int | None, int]]:
    return [(e["by"], e["text"], e["channel"], e["days"], e["results"])
            for e in ecart.events("search")]  # fmt: skip


def test_sign_in_rejects_a_wrong_password(page: Page, ecart: MockPortal) -> None:
    with pytest.raises(LoginRejected, match="Incorrect email or password"):
        SignInPage(page).open(ecart.url).log_in(EMAIL, "wrong")
    assert [e["type"] for e in ecart.events()] == ["login_failed"]


def test_searches_return_every_row_and_the_exact_pick_is_the_callers(
    signed_in: Page, ecart: MockPortal
) -> None:
    ecart.faults(slow_list_ms=1500)  # the list fills in after the page: busy till then
    signed_in.goto(f"{ecart.url}orders")
    expect(signed_in.get_by_role("table")).to_have_attribute("aria-busy", "true")
    ecart.faults(slow_list_ms=300)
    orders = OrderSearch(signed_in).open(ecart.url)
    assert signed_in.get_by_role("table").get_attribute("aria-busy") == "false"
    rows = orders.search(BY_EMAIL, "ann@example.com")  # K5: joann@example.com matches too
    assert signed_in.url.endswith("/ecart/orders?by=email&q=ann%40example.com&channel=all&days=30")
    assert orders.caption() == "4 orders" and orders.count() == 4
    assert [row.reference for row in rows] == [
        "WEB-88121", "CG-7745120", "ESG-20487721", "ESG-20487720"]  # fmt: skip
    assert [row.email for row in rows_for_email(rows, "Ann@Example.com")] == ["ann@example.com"] * 3
    [k5] = rows_for_reference(rows, "ESG-20487720")
    assert (k5.channel, k5.shopify, k5.customer, k5.status) == (
        "Kogan",
        "#1045",
        "Ann Lee",
        "Shipped",
    )
    assert k5.items == (Item(2, "Water Bottle 1L", "KG-BOTTLE-1L"),)
    assert (k5.placed, k5.total) == (TODAY - dt.timedelta(days=12), Decimal("39.90"))
    ecart.faults()

    # K11: the ticket's email finds nothing; the reference only with "Last 90 days".
    assert orders.search(BY_EMAIL, "jack.w@work.example") == []
    assert orders.count() == 0
    assert orders.search(BY_REFERENCE, "ESG-20493380") == []  # "Last 30 days"
    [k11] = orders.search(BY_REFERENCE, "ESG-20493380", days=90)
    assert (k11.shopify, k11.email, k11.placed) == (
        "#1058", "jack.white@example.com", TODAY - dt.timedelta(days=45))  # fmt: skip
    [k6] = orders.search(BY_REFERENCE, "ESG-20488830")
    assert (k6.shopify, k6.status) == (None, "Awaiting shipment")  # "Not synced"
    k2 = orders.search(BY_SHOPIFY, "#1001", channel="Kogan")
    assert sorted(row.shopify or "" for row in k2) == ["#1001", "#10010"]
    assert [row.shopify for row in rows_for_reference(k2, "ESG-1001234")] == ["#1001"]

    assert [s for s in searched(ecart) if s[1]] == [  # the visits' default lists aside
        ("email", "ann@example.com", "all", 30, 4),
        ("email", "jack.w@work.example", "all", 30, 0),
        ("ref", "ESG-20493380", "all", 30, 0),
        ("ref", "ESG-20493380", "all", 90, 1),
        ("ref", "ESG-20488830", "all", 30, 1),
        ("shopify", "#1001", "kogan", 30, 2),
    ]
    assert {e["type"] for e in ecart.events()} == {"login", "search"}

    # A flaky portal: pages and lists that fail are loaded again, the answer is the same.
    ecart.faults(error_rate=0.3, seed=5)
    [k1] = orders.search(BY_REFERENCE, "ESG-20481234")
    assert (k1.shopify, k1.customer) == ("#1042", "Jane Citizen")


def test_pages_of_50_are_turned_until_the_caption_is_read_in_full(
    signed_in: Page, ecart: MockPortal
) -> None:
    ecart.faults(cookie_banner=True)  # a person accepts it; so does `prepare`
    recent = sorted(
        o["reference"]
        for o in ecart.state()["orders"]
        if (TODAY - dt.date.fromisoformat(o["placed"])).days < 30
    )
    assert len(recent) > 50
    orders = OrderSearch(signed_in).open(ecart.url)
    assert (orders.count(), orders.page_number()) == (len(recent), (1, 2))
    assert len(orders.rows()) == 50 and not orders.has_previous_page()
    every = orders.all_rows()
    assert sorted(row.reference for row in every) == recent
    assert orders.page_number() == (2, 2) and not orders.has_next_page()
    orders.previous_page()
    assert orders.page_number() == (1, 2)


def test_order_page_reads_the_description_list_and_items(
    signed_in: Page, ecart: MockPortal
) -> None:
    k8 = order(ecart, "ESG-20490050")
    orders = OrderSearch(signed_in).open(ecart.url)
    orders.search(BY_REFERENCE, "ESG-20490050")
    details = orders.open_order("ESG-20490050").details()
    assert (details.number, details.channel, details.reference, details.shopify) == (
        k8["number"], "Kogan", "ESG-20490050", "#1049")  # fmt: skip
    assert (details.customer, details.email, details.phone) == (
        "Chloé Martin", "chloe.martin@example.com", k8["phone"])  # fmt: skip
    assert details.placed == TODAY - dt.timedelta(days=14)
    assert details.ship_to == ", ".join(k8["ship_to"])
    assert [(i.sku, i.quantity, i.unit_price, i.line_total) for i in details.items] == [
        ("KG-MUG-SET", 2, Decimal("14.50"), Decimal("29.00")),
        ("KG-TEA-TIN", 2, Decimal("12.00"), Decimal("24.00")),
    ]

    k6 = OrderPage(signed_in).open(ecart.url, order(ecart, "ESG-20488830")["number"])
    assert (k6.details().shopify, k6.shipments()) == (None, [])
    history = k6.history()
    assert [line.text for line in history] == ["Imported from Kogan"]
    k1 = OrderPage(signed_in).open(ecart.url, order(ecart, "ESG-20481234")["number"])
    texts = [line.text for line in k1.history()]
    assert texts[:2] == ["Imported from Kogan", "Created in Shopify as #1042"]
    [shipment] = k1.shipments()
    assert shipment.shipped >= TODAY - dt.timedelta(days=6)
    with pytest.raises(NoSuchOrder):
        OrderPage(signed_in).open(ecart.url, "EC-999999")
    views = [e["reference"] for e in ecart.events("view_order")]
    assert views == ["ESG-20490050", "ESG-20488830", "ESG-20481234"]
    assert {e["type"] for e in ecart.events()} == {"login", "search", "view_order"}

    ecart.faults(maintenance=True)
    with pytest.raises(PortalDown):
        OrderSearch(signed_in).open(ecart.url)
    ecart.faults(session_ttl_s=0.5)
    time.sleep(0.8)
    with pytest.raises(SessionExpired):
        OrderSearch(signed_in).open(ecart.url)
