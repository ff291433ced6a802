"""Orders — `orders`: a person's search ("Search by", "Search for", "Channel", "Order
date"), the caption `N orders`, one row per order, 50 a page.

The portal matches any part of the chosen field ("ann@example.com" also finds
"joann@example.com", "#1001" also finds "#10010"), so a search returns every row it
shows; picking the exact one is the caller's business (`rows_for_reference`,
`rows_for_email`). "Order date" starts at "Last 30 days" on every visit: each search
chooses all four fields again and checks the page shows them, never trusting a default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page

from pages._screen import reading
from pages.ecart._parse import (
    ITEM,
    parse_date,
    parse_money,
    parse_shopify,
    squash,
)
from pages.ecart._screen import goto, settle
from pages.ecart._table import read_rows, table_with
from pages.ecart.order_page import OrderPage
from portalpilot import PortalFailure

BY_EMAIL = "Customer email"
BY_REFERENCE = "Channel order ref"
BY_SHOPIFY = "Shopify order"
BY_NAME = "Customer name"
SEARCH_BY = (BY_EMAIL, BY_REFERENCE, BY_SHOPIFY, BY_NAME)
ALL_CHANNELS = "All channels"
CHANNELS = (ALL_CHANNELS, "Kogan", "Catch", "eBay", "Website")
# "Order date": days back -> the option's words; None is "All time".
PERIODS: dict[int | None, str] = {
    30: "Last 30 days",
    90: "Last 90 days",
    365: "Last 12 months",
    None: "All time",
}
COLUMNS = (
    "Order date",
    "Channel",
    "Channel order ref",
    "Shopify order",
    "Customer",
    "Email",
    "Items",
    "Total",
    "Status",
)
CAPTION = re.compile(r"^\s*(\d+) orders?\s*$")
PAGE_OF = re.compile(r"^\s*Page (\d+) of (\d+)\s*$")
NO_MATCH = "No orders match your search."
MAX_PAGES = 100  # a pager that never ends is a portal fault, not a reason to loop


@dataclass(frozen=True)
class Item:
    """One line of the Items cell: `2 × Title (SKU)`."""

    quantity: int
    title: str
    sku: str


@dataclass(frozen=True)
class OrderRow:
    """One order as the list shows it."""

    placed: date
    channel: str
    reference: str  # the channel's order ref: ESG-… for Kogan
    shopify: str | None  # "#1042"; None when "Not synced"
    customer: str
    email: str
    items: tuple[Item, ...]
    total: Decimal
    status: str


def rows_for_reference(rows: Iterable[OrderRow], reference: str) -> list[OrderRow]:
    """The rows whose channel order ref is exactly `reference` (never a longer one)."""
    wanted = reference.strip()
    return [row for row in rows if row.reference == wanted]


def rows_for_email(rows: Iterable[OrderRow], email: str) -> list[OrderRow]:
    """The rows whose email is exactly `email`, ignoring case (never joann@ for ann@)."""
    wanted = email.strip().casefold()
    return [row for row in rows if row.email.casefold() == wanted]


class OrderSearch:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Orders", exact=True)
        self.search_by = page.get_by_label("Search by", exact=True)
        self.search_for = page.get_by_label("Search for", exact=True)
        self.channel = page.get_by_label("Channel", exact=True)
        self.order_date = page.get_by_label("Order date", exact=True)
        self.search_button = page.get_by_role("button", name="Search", exact=True)
        self.table = table_with(page, ("Channel order ref", "Shopify order"))
        self.caption_text = page.get_by_text(CAPTION)
        self.no_match = page.get_by_text(NO_MATCH, exact=True)
        self.busy = page.locator("[aria-busy=true]")
        self.pagination = page.get_by_text(PAGE_OF)
        self.next_page_control = self._pager("Next page")
        self.previous_page_control = self._pager("Previous page")
        self._base_url: str | None = None

    @reading
    def open(self, base_url: str) -> OrderSearch:
        """A fresh visit: the form at its defaults, the list of the last 30 days."""
        self._visit(base_url)
        return self

    @reading
    def search(
        self, by: str, text: str, channel: str = ALL_CHANNELS, days: int | None = 30
    ) -> list[OrderRow]:
        """Search as a person does, and return every row of every page of the results.

        `by` is one of SEARCH_BY, `channel` one of CHANNELS, `days` 30, 90, 365 or None
        ("All time"). It starts from the Orders page shown, or from a fresh visit when
        another page shows (a failed attempt is retried so); `open` first.
        """
        if by not in SEARCH_BY:
            raise ValueError(f"Search by offers {SEARCH_BY}, not {by!r}")
        if channel not in CHANNELS:
            raise ValueError(f"Channel offers {CHANNELS}, not {channel!r}")
        if days not in PERIODS:
            raise ValueError(f"Order date offers {list(PERIODS)} days, not {days!r}")
        self._ready()
        choices = {
            self.search_by: by,
            self.channel: channel,
            self.order_date: PERIODS[days],
        }
        for select, words in choices.items():
            select.select_option(label=words)
        self.search_for.fill(text)
        with self.page.expect_navigation():
            self.search_button.click()
        self._wait_for_results()
        self._check_shown(choices, text)
        return self.all_rows()

    # --- reading ----------------------------------------------------------------------

    def caption(self) -> str:
        """The table's caption, `N orders`."""
        return squash(self.caption_text.first.inner_text())

    def count(self) -> int:
        """How many orders the search found in all pages, from the caption."""
        match = CAPTION.match(self.caption())
        if not match:
            raise PortalFailure(f"the caption {self.caption()!r} is not 'N orders'")
        return int(match.group(1))

    def page_number(self) -> tuple[int, int]:
        """(this page, pages in all), from "Page 1 of 2"."""
        if self.pagination.count() != 1:
            raise PortalFailure("the list shows no single 'Page N of M'")
        match = PAGE_OF.match(self.pagination.inner_text())
        if not match:
            raise PortalFailure("the list's 'Page N of M' could not be read")
        return int(match.group(1)), int(match.group(2))

    def rows(self) -> list[OrderRow]:
        """The rows of the page shown, read by column name, not by position."""
        cells = read_rows(self.table, COLUMNS, "of orders")
        if not cells and self.count() and not self.no_match.count():
            raise PortalFailure(f"the caption says {self.caption()!r} but the table is empty")
        try:
            return [self._row(row) for row in cells]
        except PortalFailure as error:
            raise PortalFailure(f"an order row does not read as the spec says: {error}") from None

    def all_rows(self) -> list[OrderRow]:
        """Every row of every page, from the page shown on; as many as the caption says."""
        total = self.count()
        rows = self.rows()
        for _ in range(MAX_PAGES):
            if len(rows) >= total or not self.has_next_page():
                break
            self.next_page()
            rows += self.rows()
        if len(rows) != total:
            raise PortalFailure(f"the list shows {len(rows)} rows, its caption {total}")
        return rows

    def has_next_page(self) -> bool:
        control = self.next_page_control
        return control.count() > 0 and control.first.is_enabled()

    def has_previous_page(self) -> bool:
        control = self.previous_page_control
        return control.count() > 0 and control.first.is_enabled()

    def next_page(self) -> None:
        self._turn(self.next_page_control, +1)

    def previous_page(self) -> None:
        self._turn(self.previous_page_control, -1)

    def open_order(self, reference: str) -> OrderPage:
        """Follow the link of exactly this channel order ref to its order page."""
        link = self.table.get_by_role("link", name=reference, exact=True)
        if link.count() != 1:
            raise PortalFailure(f"the list shows {link.count()} links {reference!r}, not one")
        link.click()
        return OrderPage(self.page).wait()

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _row(cells: dict[str, str]) -> OrderRow:
        return OrderRow(
            placed=parse_date(cells["Order date"]),
            channel=squash(cells["Channel"]),
            reference=squash(cells["Channel order ref"]),
            shopify=parse_shopify(cells["Shopify order"]),
            customer=squash(cells["Customer"]),
            email=squash(cells["Email"]),
            items=_items(cells["Items"]),
            total=parse_money(cells["Total"]),
            status=squash(cells["Status"]),
        )

    def _check_shown(self, choices: dict[Locator, str], text: str) -> None:
        """The results are those of this search: the address's `q` is the text, and
        every field shows its choice (a portal that went back to a default says so)."""
        shown_q = parse_qs(urlsplit(self.page.url).query).get("q", [""])[0]
        if shown_q.strip() != text.strip():
            raise PortalFailure(f"the results are for {shown_q!r}, not {text!r}")
        for select, words in choices.items():
            chosen = select.evaluate("s => s.selectedOptions[0] && s.selectedOptions[0].text")
            if squash(str(chosen or "")) != words:
                raise PortalFailure(f"the search shows {chosen!r} where {words!r} was chosen")

    def _pager(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True).or_(
            self.page.get_by_role("button", name=name, exact=True)
        )

    def _turn(self, control: Locator, step: int) -> None:
        number, _ = self.page_number()
        if not control.count() or not control.first.is_enabled():
            raise PortalFailure(f"the list has no page {number + step}")
        control.first.click()
        settle(self.page, self.page.get_by_text(f"Page {number + step} of", exact=False))
        self._wait_for_results()

    def _visit(self, base_url: str) -> None:
        self._base_url = base_url
        goto(self.page, base_url, "orders")
        self._wait_for_results()

    def _ready(self) -> None:
        """The Orders page, loaded: the one shown, else a fresh visit."""
        try:
            if self.search_button.count() and self.heading.count():
                self._wait_for_results()
                return
        except PortalFailure:
            pass  # its list failed: visit it again
        if self._base_url is None:
            raise PortalFailure("the Orders page is not shown: open it first")
        self._visit(self._base_url)

    def _wait_until_idle(self) -> None:
        self.busy.first.wait_for(state="detached")

    def _wait_for_results(self) -> None:
        """The page has loaded; wait for the results that fill in after it."""
        settle(self.page, self.heading)
        settle(self.page, self.caption_text)
        self._wait_until_idle()


def _items(text: str) -> tuple[Item, ...]:
    items = []
    for line in (squash(line) for line in text.splitlines()):
        if not line:
            continue
        match = ITEM.match(line)
        if not match:
            raise PortalFailure(f"an item does not read '2 × Title (SKU)': {line!r}")
        items.append(Item(int(match.group(1)), match.group(2), match.group(3)))
    if not items:
        raise PortalFailure("an order row has no items")
    return tuple(items)
