"""Поръчки — `orders`: status filter, search, 20 rows a page, "Следваща" / "Предишна"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from playwright.sync_api import Locator, Page, expect

from pages._screen import reading
from pages.chopni._parse import parse_date, parse_money, squash
from pages.chopni._screen import goto, settle
from portalpilot import PortalFailure

COLUMNS = ("Номер", "Дата", "Клиент", "Сума", "Статус")
ALL = "Всички"


@dataclass(frozen=True)
class OrderRow:
    """One order as the list shows it."""

    number: str
    placed: date
    customer: str
    total: Decimal
    status: str


class OrderList:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Поръчки", exact=True)
        self.status_filter = page.get_by_label("Статус", exact=True)
        self.search_field = page.get_by_label("Търсене", exact=True)
        self.search_button = page.get_by_role("button", name="Търси", exact=True)
        self.table = (
            page.get_by_role("table")
            .or_(page.get_by_role("grid"))
            .filter(has=page.get_by_role("columnheader", name="Номер", exact=True))
        )
        self.headers = self.table.get_by_role("columnheader")
        self.next_page_link = self._pager("Следваща")
        self.previous_page_link = self._pager("Предишна")

    @reading
    def open(self, base_url: str, status: str = "", query: str = "") -> OrderList:
        """The list, filtered by its address (`orders?status=SHIPPED&q=...`)."""
        params = {key: value for key, value in (("status", status), ("q", query)) if value}
        goto(self.page, base_url, "orders" + (f"?{urlencode(params)}" if params else ""))
        self._wait_for_table()
        return self

    def filter_status(self, status: str) -> None:
        """Choose one status ("" or "Всички" for all); the list reloads."""
        with self.page.expect_navigation():
            self.status_filter.select_option(label=status or ALL)
        self._wait_for_table()

    def search(self, text: str) -> None:
        self.search_field.fill(text)
        with self.page.expect_navigation():
            self.search_button.click()
        self._wait_for_table()

    def rows(self) -> list[OrderRow]:
        """The rows of the page shown, read by column name, not by position."""
        headers = [squash(text) for text in self.headers.all_inner_texts()]
        if any(name not in headers for name in COLUMNS):
            raise PortalFailure(f"the orders table's headers read {headers}, not {list(COLUMNS)}")
        index = {name: headers.index(name) for name in COLUMNS}
        rows = []
        for row in self.table.get_by_role("row").all():
            cells = row.get_by_role("cell").or_(row.get_by_role("gridcell")).all_inner_texts()
            if not cells:
                continue  # the header row
            if len(cells) != len(headers):
                raise PortalFailure(f"an orders row has {len(cells)} cells for {headers}")
            try:
                rows.append(
                    OrderRow(
                        number=squash(cells[index["Номер"]]),
                        placed=parse_date(cells[index["Дата"]]),
                        customer=squash(cells[index["Клиент"]]),
                        total=parse_money(cells[index["Сума"]]),
                        status=squash(cells[index["Статус"]]),
                    )
                )
            except (ValueError, PortalFailure) as error:
                raise PortalFailure(f"an orders row could not be read: {error}") from None
        return rows

    def has_next_page(self) -> bool:
        return self.next_page_link.count() > 0

    def has_previous_page(self) -> bool:
        return self.previous_page_link.count() > 0

    def next_page(self) -> None:
        self._turn(self.next_page_link)

    def previous_page(self) -> None:
        self._turn(self.previous_page_link)

    def open_order(self, number: str) -> None:
        """Follow the link of exactly this order number."""
        self.table.get_by_role("link", name=number, exact=True).click()

    def find(self, number: str) -> OrderRow | None:
        """The row of exactly this number, from every page of the current list."""
        while True:
            found = [row for row in self.rows() if row.number == number]
            if found or not self.has_next_page():
                return found[0] if found else None
            self.next_page()

    # --- waiting ----------------------------------------------------------------------

    def _pager(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True).or_(
            self.page.get_by_role("button", name=name, exact=True)
        )

    def _turn(self, control: Locator) -> None:
        """Click a pager control; done when the first row is another order's."""
        cell = self.page.get_by_role("cell").or_(self.page.get_by_role("gridcell"))
        first_row = self.table.get_by_role("row").filter(has=cell).first
        before = first_row.inner_text()
        control.first.click()
        expect(first_row).not_to_have_text(before)
        self._wait_for_table()

    def _wait_for_table(self) -> None:
        """The page has loaded; wait for the table that fills in after it."""
        settle(self.page, self.heading)
        settle(self.page, self.headers.first)
