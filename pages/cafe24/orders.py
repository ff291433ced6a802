"""전체주문조회 — `admin/order/list`: "검색항목", "검색어", the period ("기간": "주문일" and
the buttons "오늘" to "3개월"), "검색"; "검색결과 N건" and the table, 20 rows a page,
"이전" / "다음"; an order's number is a link to its "주문상세정보"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect

from pages._korean import parse_date, parse_money, squash
from pages._screen import reading
from pages._tables import read_rows, tables
from pages.cafe24._screen import SOMETHING, choose, goto, mark_read, settle, unread
from portalpilot import PortalFailure

COLUMNS = ("주문일(결제일)", "주문번호", "주문자", "상품명", "결제금액", "주문상태")
SEARCH_BY = ("주문번호", "품목별 주문번호", "운송장번호", "주문자명", "수령자명", "수령자 휴대전화")
PERIODS = ("오늘", "어제", "3일", "7일", "15일", "1개월", "3개월")
NOTHING_FOUND = "검색된 주문내역이 없습니다."
TOO_LONG = "검색기간은 최대 3개월까지 설정할 수 있습니다."
COUNT = re.compile(r"검색결과\s*([\d,]+)\s*건")
LOAD_MS = 30_000


@dataclass(frozen=True)
class OrderRow:
    """One order as the list shows it."""

    ordered: date  # 주문일 (the 결제일 beside it is not kept)
    order: str  # 주문번호
    orderer: str
    products: str  # "첫 상품 외 2건"
    paid: Decimal  # 결제금액
    state: str  # 주문상태


class OrderList:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="전체주문조회", exact=True)
        self.search_text = page.get_by_label("검색어", exact=True)
        self.search_button = page.get_by_role("button", name="검색", exact=True)
        self.table = tables(page, None, ("주문번호", "주문상태"))
        self.count = page.get_by_text(COUNT)
        self.nothing_found = page.get_by_text(NOTHING_FOUND, exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)
        self.next_page_control = self._pager("다음")
        self.previous_page_control = self._pager("이전")

    @reading
    def open(self, base_url: str) -> OrderList:
        goto(self.page, base_url, "admin/order/list")
        settle(self.page, self.heading)
        return self

    def search(self, text: str, by: str = "주문번호", period: str = "3개월") -> list[OrderRow]:
        """Search (검색항목 `by`, 검색어 `text`, 주문일 over `period`) and read the rows of
        the first page (none: "검색된 주문내역이 없습니다."). What the list showed before
        is not taken for the answer."""
        if by not in SEARCH_BY or period not in PERIODS:
            raise ValueError(f"검색항목 {by!r} / 기간 {period!r} is not one the list offers")
        settle(self.page, self.heading)
        choose(self.page, "검색항목", by)
        self.search_text.fill(text)
        self.page.get_by_role("button", name=period, exact=True).click()
        rows = self._rows()
        mark_read(rows.or_(self.nothing_found))
        self.search_button.click()
        settle(self.page, unread(rows).or_(unread(self.nothing_found)).or_(self.alert))
        if self.alert.count() and not self._rows().count():
            raise PortalFailure(f"the search was refused: {squash(self.alert.first.inner_text())}")
        return self.rows()

    def rows(self) -> list[OrderRow]:
        if not self.table.count() and self.nothing_found.count():
            return []
        found = []
        for row in read_rows(self.table, COLUMNS, "of orders"):
            try:
                found.append(
                    OrderRow(
                        ordered=parse_date(row["주문일(결제일)"].plain, "주문일"),
                        order=row["주문번호"].text,  # a link: its words are the value
                        orderer=row["주문자"].plain,
                        products=row["상품명"].plain,
                        paid=parse_money(row["결제금액"].plain, "결제금액"),
                        state=row["주문상태"].plain,
                    )
                )
            except PortalFailure as error:
                raise PortalFailure(f"an orders row could not be read: {error}") from None
        return found

    def result_count(self) -> int | None:
        """N of "검색결과 N건", when shown."""
        if not self.count.count():
            return None
        match = COUNT.search(self.count.first.inner_text())
        return int(match.group(1).replace(",", "")) if match else None

    def find(self, order: str) -> OrderRow | None:
        """The row of exactly this 주문번호, from every page of the list shown."""
        while True:
            found = [row for row in self.rows() if row.order == order]
            if len(found) > 1:
                raise PortalFailure(f"the list shows {order} {len(found)} times")
            if found or not self.next_page_control.count():
                return found[0] if found else None
            self._turn(self.next_page_control)

    def open_order(self, order: str) -> None:
        """Follow the link of exactly this 주문번호."""
        link = self.table.get_by_role("link", name=order, exact=True)
        if link.count() != 1:
            raise PortalFailure(f"the list shows {link.count()} links {order}, not one")
        link.click()

    # --- helpers ------------------------------------------------------------------------

    def _rows(self) -> Locator:
        cell = self.page.get_by_role("cell").or_(self.page.get_by_role("gridcell"))
        return self.table.get_by_role("row").filter(has=cell)

    def _pager(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True).or_(
            self.page.get_by_role("button", name=name, exact=True)
        )

    def _turn(self, control: Locator) -> None:
        """Click a pager control; done when the first row is another order's."""
        first = self._rows().first
        before = first.inner_text()
        control.first.click()
        expect(self._rows().first).not_to_have_text(before, timeout=LOAD_MS)
