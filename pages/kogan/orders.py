"""Manage my orders — `orders`: period, search, rows (one per order line), pagination."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from pages._screen import reading
from pages.kogan._parse import parse_date, parse_money
from pages.kogan._screen import goto, settle
from pages.kogan.settings_menu import OrderSettingsMenu
from portalpilot import PortalFailure

PERIODS = (7, 30, 90)
COLUMNS = ("Order", "Date", "Customer", "Item", "Qty", "Total", "Status")


@dataclass(frozen=True)
class OrderRow:
    """One order line as the list shows it."""

    reference: str
    placed: date
    customer: str
    title: str
    sku: str
    quantity: int
    total: Decimal
    status: str  # "Awaiting dispatch", "Dispatched", "Refunded" or "Cancelled"


class OrderList:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Manage my orders")
        self.period = page.get_by_label("Show orders from")
        self.search_field = page.get_by_label("Search orders")
        self.search_button = page.get_by_role("button", name="Search", exact=True)
        self.table = page.get_by_role("table")
        self.headers = self.table.get_by_role("columnheader")
        self.no_orders = page.get_by_text("No orders found.")
        self.next_page_button = page.get_by_role("button", name="Next page")
        self.previous_page_button = page.get_by_role("button", name="Previous page")
        self.pagination = page.get_by_text(re.compile(r"^\s*Page \d+ of \d+\s*$"))
        self.status_message = page.get_by_role("status")
        self._days = 7
        self._query = ""

    @reading
    def open(self, base_url: str) -> OrderList:
        """A fresh visit: the portal always starts at "Last 7 days"."""
        goto(self.page, base_url, "orders")
        self._days, self._query = 7, ""
        self._wait_for_list()
        return self

    @reading
    def open_search(self, base_url: str, days: int, text: str) -> OrderList:
        """The list for `days` and `text`: by its address, else by the select and the field.

        The portal writes the period and query into the address (`orders?days=30&q=...`);
        opening that address saves two reloads of the table. A portal that ignores it
        shows "last 7 days" instead, and the period and search are then set by hand.
        """
        goto(self.page, base_url, f"orders?{urlencode({'days': days, 'q': text})}")
        settle(self.page, self._any_caption())
        self._wait_until_idle()
        wanted = self._caption_pattern(days, text)
        if not wanted.search(self._any_caption().first.inner_text()):
            self._days, self._query = 7, ""
            if days != 7:
                self.show_period(days)
            self.search(text)
        self._days, self._query = days, text
        return self

    def show_period(self, days: int) -> None:
        if days not in PERIODS:
            raise ValueError(f"the list offers {PERIODS} days, not {days}")
        self.period.select_option(label=f"Last {days} days")
        self._days = days
        self._wait_for_list()

    def search(self, text: str) -> None:
        self.search_field.fill(text)
        self.search_button.click()
        self._query = text
        self._wait_for_list()

    def caption(self) -> str:
        return self._caption().inner_text().strip()

    def page_number(self) -> tuple[int, int]:
        """(this page, pages in all), from "Page 1 of 3"; (1, 1) when there is no pager."""
        if not self.pagination.count():
            return 1, 1
        numbers = re.findall(r"\d+", self.pagination.first.inner_text())
        return int(numbers[0]), int(numbers[1])

    def rows(self) -> list[OrderRow]:
        """The rows of the page shown, read by column name, not by position."""
        if self.no_orders.count():
            return []
        headers = [text.strip() for text in self.headers.all_inner_texts()]
        missing = [name for name in COLUMNS if name not in headers]
        if missing:
            raise PortalFailure(f"the order list has no column {', '.join(missing)}: {headers}")
        index = {name: headers.index(name) for name in COLUMNS}
        # Every cell of every row in one read, then cut into rows of len(headers) cells.
        cells = self._cells(self._body_rows()).all_inner_texts()
        width = len(headers)
        if len(cells) % width:
            raise PortalFailure(f"{len(cells)} cells do not make rows of {width} columns")
        try:
            return [
                self._row(cells[start : start + width], index)
                for start in range(0, len(cells), width)
            ]
        except (ValueError, PortalFailure) as error:
            raise PortalFailure(f"an order row does not read as the spec says: {error}") from error

    @staticmethod
    def _row(row: list[str], index: dict[str, int]) -> OrderRow:
        item = row[index["Item"]].split()
        if not item:
            raise ValueError("an empty Item cell")
        return OrderRow(
            reference=row[index["Order"]].strip(),
            placed=parse_date(row[index["Date"]]),
            customer=" ".join(row[index["Customer"]].split()),
            # The SKU is the item cell's last word, in an element of its own.
            title=" ".join(item[:-1]),
            sku=item[-1],
            quantity=int(row[index["Qty"]].strip()),
            total=parse_money(row[index["Total"]]),
            status=" ".join(row[index["Status"]].split()),
        )

    def count(self) -> int:
        """How many rows the list has in all pages, from its caption ("3 items · ...")."""
        return int(self.caption().split()[0])

    def has_next_page(self) -> bool:
        return self.next_page_button.count() > 0 and self.next_page_button.is_enabled()

    def next_page(self) -> None:
        number, _ = self.page_number()
        self.next_page_button.click()
        self._wait_for_list(page=number + 1)

    def rows_of(self, reference: str) -> list[OrderRow]:
        """Every line of exactly this order, from every page of the current list."""
        rows = self.rows()
        seen, total = len(rows), self.count()
        found = [row for row in rows if row.reference == reference]
        while seen < total and self.has_next_page():
            self.next_page()
            rows = self.rows()
            seen += len(rows)
            found += [row for row in rows if row.reference == reference]
        return found

    def row(self, reference: str, sku: str) -> Locator:
        """The row of one order line: Order cell exactly `reference`, the SKU's own element."""
        order_cell = self.page.get_by_role("cell", name=reference, exact=True).or_(
            self.page.get_by_role("rowheader", name=reference, exact=True)
        )
        return (
            self._body_rows()
            .filter(has=order_cell)
            .filter(has=self.page.get_by_text(sku, exact=True))
        )

    def status_of(self, reference: str, sku: str) -> str:
        """The Status cell of one order line; PortalFailure if the list does not show it."""
        headers = [text.strip() for text in self.headers.all_inner_texts()]
        row = self.row(reference, sku)
        if row.count() != 1 or "Status" not in headers:
            raise PortalFailure(
                f"the order list shows {row.count()} rows for {reference} {sku} "
                f"(columns {headers}); its status cannot be read"
            )
        cells = self._cells(row).all_inner_texts()
        if len(cells) != len(headers):
            raise PortalFailure(f"the row of {reference} {sku} has {len(cells)} cells")
        return " ".join(cells[headers.index("Status")].split())

    def open_settings(self, reference: str, sku: str) -> OrderSettingsMenu:
        """Click the gear of one order line; the settings menu opens."""
        self.row(reference, sku).get_by_role("button", name="Order settings").click()
        menu = OrderSettingsMenu(self.page)
        menu.menu.wait_for()
        return menu

    def wait_for_status(
        self, reference: str, sku: str, status: str, timeout_ms: float | None = None
    ) -> bool:
        """True once the line's row shows `status`; False if it does not within the wait."""
        status_cell = self.page.get_by_role("cell", name=status, exact=True)
        try:
            settle(self.page, self.row(reference, sku).filter(has=status_cell), timeout_ms)
        except (PortalFailure, PlaywrightTimeoutError):
            return False
        return True

    # --- waiting ----------------------------------------------------------------------

    @staticmethod
    def _caption_pattern(days: int, query: str) -> re.Pattern[str]:
        text = rf"^\s*\d+ items? · last {days} days"
        if query:
            text += rf' · matching "{re.escape(query)}"'
        return re.compile(text + r"\s*$")

    def _caption(self) -> Locator:
        return self.page.get_by_text(self._caption_pattern(self._days, self._query))

    def _any_caption(self) -> Locator:
        return self.page.get_by_text(re.compile(r"^\s*\d+ items? · last \d+ days"))

    def _wait_until_idle(self) -> None:
        self.page.locator("[aria-busy=true]").wait_for(state="detached")

    def _wait_for_list(self, page: int | None = None) -> None:
        """Wait until the table shows this period and query (and page), loaded."""
        settle(self.page, self._caption())
        if page is not None:
            settle(self.page, self.page.get_by_text(re.compile(rf"^\s*Page {page} of \d+\s*$")))
        self._wait_until_idle()

    def _body_rows(self) -> Locator:
        return self.table.get_by_role("row").filter(
            has=self.page.get_by_role("cell").or_(self.page.get_by_role("rowheader"))
        )

    def _cells(self, row: Locator) -> Locator:
        return row.get_by_role("cell").or_(row.get_by_role("rowheader"))
