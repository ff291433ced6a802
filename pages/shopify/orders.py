"""Orders — `admin/orders`: tabs, "Search orders" (filters as you type), 50 rows a page.

The table is read by its column headers, never by position; it says `aria-busy="true"`
while it loads, and rows are read only once it no longer does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Locator, Page, expect

from pages._screen import reading
from pages.shopify._parse import order_number, parse_datetime, parse_money, squash
from pages.shopify._screen import goto, settle
from portalpilot import PortalFailure

COLUMNS = ("Order", "Date", "Customer", "Channel", "Total", "Payment status", "Fulfillment status")
ITEMS = re.compile(r"^(\d+) items?$")
LOAD_MS = 30_000


@dataclass(frozen=True)
class OrderRow:
    """One order as the list shows it."""

    number: str  # "#1042"
    placed: datetime
    customer: str
    channel: str  # "Online Store" or "Kogan"
    total: Decimal
    payment_status: str
    fulfillment_status: str
    items: int | None  # None when the list shows no "Items" column


class OrderList:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Orders", exact=True)
        self.search_field = page.get_by_label("Search orders", exact=True)
        self.table = (
            page.get_by_role("table")
            .or_(page.get_by_role("grid"))
            .filter(has=page.get_by_role("columnheader", name="Order", exact=True))
        )
        self.headers = self.table.get_by_role("columnheader")
        self.busy = page.locator("[aria-busy=true]")
        self.next_page_control = self._pager("Next")
        self.previous_page_control = self._pager("Previous")

    @reading
    def open(self, base_url: str, query: str = "") -> OrderList:
        """The list, searched by its address (`admin/orders?query=...`) when `query` is given."""
        goto(
            self.page,
            base_url,
            "admin/orders" + (f"?{urlencode({'query': query})}" if query else ""),
        )
        self._wait_for_table()
        return self

    def search(self, text: str) -> list[OrderRow]:
        """Type into "Search orders"; the list filters itself. Returns the rows shown."""
        wanted = text.strip()
        self.search_field.fill(text)
        self.page.wait_for_url(lambda url: _query_of(url) == wanted, timeout=LOAD_MS)
        self._wait_for_table()
        return self.rows()

    def choose_tab(self, name: str) -> None:
        """ "All", "Unfulfilled", "Unpaid" or "Open"; done when the tab is selected and the
        table has loaded."""
        self.page.get_by_role("tab", name=name, exact=True).click()
        selected = self.page.get_by_role("tab", name=name, exact=True, selected=True)
        settle(self.page, selected)
        self._wait_for_table()

    def rows(self) -> list[OrderRow]:
        """The rows of the page shown, read by column name, not by position."""
        self._wait_for_table()
        headers = [squash(text) for text in self.headers.all_inner_texts()]
        if any(name not in headers for name in COLUMNS):
            raise PortalFailure(f"the orders table's headers read {headers}, not {list(COLUMNS)}")
        cells = self.table.get_by_role("cell").or_(self.table.get_by_role("gridcell"))
        texts = [squash(text) for text in cells.all_inner_texts()]
        if len(texts) % len(headers):
            raise PortalFailure(f"the orders table has {len(texts)} cells for {headers}")
        rows = []
        for start in range(0, len(texts), len(headers)):
            row = dict(zip(headers, texts[start : start + len(headers)], strict=True))
            rows.append(_row(row))
        return rows

    def has_next_page(self) -> bool:
        return self.next_page_control.count() > 0

    def has_previous_page(self) -> bool:
        return self.previous_page_control.count() > 0

    def next_page(self) -> None:
        self._turn(self.next_page_control)

    def previous_page(self) -> None:
        self._turn(self.previous_page_control)

    def find(self, number: str) -> OrderRow | None:
        """The row of exactly this number (`#1001`, never `#10010`), from every page."""
        wanted = order_number(number)
        while True:
            found = [row for row in self.rows() if row.number == wanted]
            if len(found) > 1:
                raise PortalFailure(f"the list shows {wanted} {len(found)} times")
            if found or not self.has_next_page():
                return found[0] if found else None
            self.next_page()

    def open_order(self, number: str) -> None:
        """Follow the link of exactly this order number."""
        link = self.table.get_by_role("link", name=order_number(number), exact=True)
        if link.count() != 1:
            raise PortalFailure(f"the list shows {link.count()} links {number!r}, not one")
        link.click()

    # --- waiting ----------------------------------------------------------------------

    def _pager(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True).or_(
            self.page.get_by_role("button", name=name, exact=True)
        )

    def _turn(self, control: Locator) -> None:
        """Click a pager control; done when the first row is another order's."""
        cell = self.table.get_by_role("cell").or_(self.table.get_by_role("gridcell"))
        before = cell.first.inner_text()
        control.first.click()
        expect(cell.first).not_to_have_text(before, timeout=LOAD_MS)
        self._wait_for_table()

    def _wait_for_table(self) -> None:
        """The page has loaded, the table has stopped loading, and it shows its headers (or
        the portal's error where it should be)."""
        settle(self.page, self.heading)
        try:
            expect(self.busy).to_have_count(0, timeout=LOAD_MS)
        except AssertionError as error:
            raise PortalFailure("the orders table did not finish loading") from error
        settle(self.page, self.headers.first)


def _query_of(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("query", [""])[0]


def _row(row: dict[str, str]) -> OrderRow:
    try:
        items = ITEMS.match(row.get("Items", ""))
        return OrderRow(
            number=row["Order"],
            placed=parse_datetime(row["Date"]),
            customer=row["Customer"],
            channel=row["Channel"],
            total=parse_money(row["Total"]),
            payment_status=row["Payment status"],
            fulfillment_status=row["Fulfillment status"],
            items=int(items.group(1)) if items else None,
        )
    except PortalFailure as error:
        raise PortalFailure(f"an orders row could not be read: {error}") from None
