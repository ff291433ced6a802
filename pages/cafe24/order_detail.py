"""주문상세정보 — `admin/order/detail?order_id=NUMBER`: "주문번호 N", "주문자 정보",
"수령자 정보", the table "주문상품" (a button "송장번호 입력 LINE" per line), the table
"교환 정보" when the order has exchanges, and "처리상태 히스토리".

Tables are read by their names and column headers, parties by their labels; the
tracking-number dialog of a line is opened by the button named with its 품목별 주문번호.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from playwright.sync_api import Page

from pages._korean import fact, parse_count, parse_datetime, parse_money, squash
from pages._screen import reading
from pages._tables import Cell, read_rows, tables
from pages.cafe24._screen import goto, part, part_or_none, settle
from pages.cafe24.orders import OrderList
from pages.cafe24.tracking_dialog import TrackingDialog
from portalpilot import PortalFailure

ITEM_COLUMNS = (
    "품목별 주문번호", "상품명", "옵션", "수량", "판매가", "주문상태", "배송업체", "송장번호",
)  # fmt: skip
EXCHANGE_COLUMNS = ("클레임번호", "원 품목별 주문번호", "교환 품목별 주문번호", "교환상태")
HISTORY_COLUMNS = ("일시", "품목별 주문번호", "내용", "처리자")
ORDER_NUMBER = re.compile(r"(?<!품목별 )주문번호\s*:?\s*(\d{8}-\d{7})(?![\d-])")
NAME_LABELS = {
    "주문자 정보": ("주문자명", "주문자", "이름", "성명", "받는사람", "수령자명", "수령자"),
    "수령자 정보": ("수령자명", "수령자", "받는사람", "이름", "성명"),
}


class NoSuchOrder(LookupError):
    """The list shows no order with exactly this number."""


@dataclass(frozen=True)
class Party:
    """ "주문자 정보" or "수령자 정보"."""

    name: str | None  # None when the part labels it in words not known here
    mobile: str  # 휴대전화
    address: str  # 주소


@dataclass(frozen=True)
class OrderedItem:
    """One row of "주문상품"."""

    line: str  # 품목별 주문번호 (EasyAdmin's 주문상세번호)
    product: str
    option: str
    quantity: int
    price: Decimal  # 판매가
    state: str  # 주문상태
    carrier: str  # 배송업체, "" when none
    tracking: str  # 송장번호, "" when none


@dataclass(frozen=True)
class Exchange:
    """One row of "교환 정보": the line `original` was exchanged for the line `new`."""

    claim: str  # 클레임번호
    original: str  # 원 품목별 주문번호
    new: str  # 교환 품목별 주문번호
    state: str  # 교환상태


@dataclass(frozen=True)
class HistoryEntry:
    """One row of "처리상태 히스토리"."""

    at: datetime
    line: str  # 품목별 주문번호
    text: str  # 내용
    by: str  # 처리자


@dataclass(frozen=True)
class Cafe24Order:
    order: str
    orderer: Party
    recipient: Party
    items: tuple[OrderedItem, ...]
    exchanges: tuple[Exchange, ...]  # () when the order shows no "교환 정보"
    history: tuple[HistoryEntry, ...]

    def item(self, line: str) -> OrderedItem | None:
        found = [item for item in self.items if item.line == line]
        if len(found) > 1:
            raise PortalFailure(f"{self.order} shows the line {line} {len(found)} times")
        return found[0] if found else None


class OrderDetail:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="주문상세정보", exact=True)
        self.items_table = tables(page, "주문상품", ("품목별 주문번호",))
        self.exchange_table = tables(page, "교환 정보", ("원 품목별 주문번호",))

    @reading
    def open(self, base_url: str, order: str) -> OrderDetail:
        """The order at its address; the page must say it is this 주문번호. An address the
        admin answers 404 is no such order (NoSuchOrder)."""
        response = goto(self.page, base_url, "admin/order/detail?" + urlencode({"order_id": order}))
        if response is not None and response.status == 404:
            raise NoSuchOrder(order)
        settle(self.page, self.heading)
        settle(self.page, self.items_table)
        if self.order_number() != order:
            raise PortalFailure(f"the page of {order} shows 주문번호 {self.order_number()}")
        return self

    @reading
    def open_by_number(self, base_url: str, order: str) -> OrderDetail:
        """Search 전체주문조회 for `order` (3 months) and follow its link."""
        orders = OrderList(self.page).open(base_url)
        orders.search(order, by="주문번호", period="3개월")
        if orders.find(order) is None:
            raise NoSuchOrder(order)
        orders.open_order(order)
        settle(self.page, self.heading)
        settle(self.page, self.items_table)
        if self.order_number() != order:
            raise PortalFailure(f"the link of {order} opened 주문번호 {self.order_number()}")
        return self

    # --- reading ------------------------------------------------------------------------

    def read(self) -> Cafe24Order:
        return Cafe24Order(
            order=self.order_number(),
            orderer=self.party("주문자 정보"),
            recipient=self.party("수령자 정보"),
            items=tuple(self.items()),
            exchanges=tuple(self.exchanges()),
            history=tuple(self.history()),
        )

    def order_number(self) -> str:
        """The N of the text "주문번호 N" (every one the page shows must agree)."""
        found = set(ORDER_NUMBER.findall(self.page.locator("body").inner_text()))
        if len(found) != 1:
            raise PortalFailure(f"the order page shows 주문번호 {sorted(found) or 'none'}")
        return found.pop()

    def party(self, name: str) -> Party:
        text = part(self.page, name).inner_text()
        mobile, address = fact(text, "휴대전화"), fact(text, "주소")
        if mobile is None or address is None:
            raise PortalFailure(f'"{name}" shows no 휴대전화 or 주소: {squash(text)[:80]!r}')
        names = (fact(text, label) for label in NAME_LABELS[name])
        return Party(next((n for n in names if n), None), mobile, address)

    def items(self) -> list[OrderedItem]:
        rows = read_rows(self.items_table, ITEM_COLUMNS, "주문상품")
        if not rows:
            raise PortalFailure('"주문상품" shows no line')
        return [_item(row) for row in rows]

    def exchanges(self) -> list[Exchange]:
        """ "교환 정보" ([] when the order shows none)."""
        if not self.exchange_table.count():
            return []
        return [
            Exchange(
                claim=row["클레임번호"].plain,
                original=row["원 품목별 주문번호"].plain,
                new=row["교환 품목별 주문번호"].plain,
                state=row["교환상태"].plain,
            )
            for row in read_rows(self.exchange_table, EXCHANGE_COLUMNS, "교환 정보")
        ]

    def history(self) -> list[HistoryEntry]:
        settle(self.page, part_or_none(self.page, "처리상태 히스토리"))
        table = tables(part(self.page, "처리상태 히스토리"), None, HISTORY_COLUMNS)
        return [
            HistoryEntry(
                at=parse_datetime(row["일시"].plain, "일시 of 처리상태 히스토리"),
                line=row["품목별 주문번호"].plain,
                text=row["내용"].plain,
                by=row["처리자"].plain,
            )
            for row in read_rows(table, HISTORY_COLUMNS, "처리상태 히스토리")
        ]

    # --- acting -------------------------------------------------------------------------

    def start_tracking(self, line: str) -> TrackingDialog:
        """ "송장번호 입력 LINE": the dialog of that line."""
        button = self.page.get_by_role("button", name=f"송장번호 입력 {line}", exact=True)
        if button.count() != 1:
            raise PortalFailure(
                f"the order page shows {button.count()} buttons 송장번호 입력 {line}"
            )
        button.click()
        return TrackingDialog(self.page).wait()


def _item(row: dict[str, Cell]) -> OrderedItem:
    line = row["품목별 주문번호"].plain
    return OrderedItem(
        line=line,
        product=row["상품명"].plain,
        option=row["옵션"].plain,
        quantity=parse_count(row["수량"].plain, f"수량 of {line}"),
        price=parse_money(row["판매가"].plain, f"판매가 of {line}"),
        state=row["주문상태"].plain,
        carrier=_blank(row["배송업체"].plain),
        tracking=_blank(row["송장번호"].plain),
    )


def _blank(text: str) -> str:
    return "" if text in ("-", "—", "-선택-") else text
