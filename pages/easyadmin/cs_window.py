"""C/S (the CS window) — `cs`: the search, the "주문 목록", and the order loaded below it
("주문 정보", "상품리스트", "C/S이력") with its buttons "상품교환", "C/S남기기", "스마트알림".

Everything is read by its words: the search controls by their labels, tables by their
names and column headers, the order's facts by their labels, a line by the radio named
by its 주문상세번호. An order is loaded by the button of its 관리번호 in the list; what
replaces the order shown before is waited for, never a fixed time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from playwright.sync_api import Locator, Page

from pages._korean import fact, parse_count, parse_date, parse_datetime, squash
from pages._screen import reading
from pages._tables import Cell, read_rows, tables
from pages.easyadmin._screen import (
    SOMETHING,
    choose,
    goto,
    mark_read,
    part,
    part_or_none,
    settle,
    unread,
)
from pages.easyadmin.exchange_dialog import ExchangeDialog
from pages.easyadmin.notification_dialog import NotificationDialog
from portalpilot import PortalFailure

ORDER_COLUMNS = ("관리번호", "판매처", "주문번호", "주문자", "수령자", "발주일", "상태", "C/S")
LINE_COLUMNS = (
    "주문상세번호", "상품명", "옵션", "수량", "상태", "C/S", "택배사", "송장번호", "보류",
)  # fmt: skip
HISTORY_COLUMNS = ("일시", "작업자", "구분", "내용")
NOTHING_FOUND = "검색된 주문이 없습니다."
NO_LINE_CHOSEN = "상품을 선택해 주세요."
# Search by (검색조건) and period (기간), as the select offers them.
SEARCH_BY = ("주문번호", "주문상세번호", "관리번호", "수령자", "주문자", "전화번호", "송장번호")
PERIODS = ("1주일", "1개월", "3개월", "6개월")
STATES = ("접수", "송장", "배송")
CS_STATES = ("정상", "교환", "취소")
NOT_HELD = ("", "-", "N", "n", "아니오", "없음", "해제", "정상")
HELD = ("보류", "Y", "y", "예", "O", "o", "●", "✓", "✔", "v", "V")


@dataclass(frozen=True)
class OrderRow:
    """One order as "주문 목록" shows it."""

    number: str  # 관리번호, EasyAdmin's
    channel: str  # 판매처
    order: str  # 주문번호, the channel's
    orderer: str
    recipient: str
    collected: date  # 발주일
    state: str  # 상태
    cs: str  # C/S


@dataclass(frozen=True)
class OrderInfo:
    """ "주문 정보" of the order loaded."""

    order: str  # 주문번호
    channel: str  # 판매처 ("카페24")
    orderer: str
    recipient: str
    mobile: str  # 휴대폰
    address: str
    original: str | None  # 원주문 관리번호: shown on an exchange order (교환주문) only
    number: str | None  # 관리번호, when the part shows it


@dataclass(frozen=True)
class ProductLine:
    """One row of "상품리스트"."""

    line: str  # 주문상세번호
    product: str  # 상품명
    option: str
    quantity: int
    state: str  # 접수, 송장, 배송
    cs: str  # 정상, 교환, 취소
    carrier: str  # 택배사, "" when none
    tracking: str  # 송장번호, "" when none
    hold: bool  # 보류


@dataclass(frozen=True)
class HistoryRow:
    """One row of "C/S이력" (newest first)."""

    at: datetime
    by: str  # 작업자
    kind: str  # 구분 ("상품교환", ...)
    text: str  # 내용

    @property
    def words(self) -> str:
        """구분 and 내용 as one reads them: "스마트알림: 교환 안내 ..."."""
        return f"{self.kind}: {self.text}" if self.text else self.kind


@dataclass(frozen=True)
class LoadedOrder:
    """The order shown below the list, as loaded by its 관리번호."""

    number: str  # 관리번호 (the button that loaded it)
    info: OrderInfo
    lines: tuple[ProductLine, ...]
    history: tuple[HistoryRow, ...]

    @property
    def is_exchange_order(self) -> bool:
        return self.info.original is not None

    def parts(self, line: str) -> list[ProductLine]:
        """Every row of the 주문상세번호 `line`: one, or two once some of its units were
        exchanged in place (the part exchanged is split off)."""
        return [row for row in self.lines if row.line == line]

    def line(self, line: str) -> ProductLine | None:
        """The row of the 주문상세번호 `line`; of a line split by a partial exchange, its
        part exchanged (C/S 교환). Rows that cannot be told apart raise."""
        found = self.parts(line)
        if len(found) > 1:
            found = [row for row in found if row.cs == "교환"]
            if len(found) != 1:
                raise PortalFailure(f"관리번호 {self.number} shows the line {line} several times")
        return found[0] if found else None


class CsWindow:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="C/S", exact=True)
        self.search_text = page.get_by_label("검색어", exact=True)
        self.search_button = page.get_by_role("button", name="검색", exact=True)
        self.table = tables(page, "주문 목록", ("관리번호", "주문번호"))
        self.nothing_found = page.get_by_text(NOTHING_FOUND, exact=True)
        self.lines_table = tables(page, "상품리스트", ("주문상세번호",))
        self.exchange_button = page.get_by_role("button", name="상품교환", exact=True)
        self.note_button = page.get_by_role("button", name="C/S남기기", exact=True)
        self.notify_button = page.get_by_role("button", name="스마트알림", exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)
        self.status = page.get_by_role("status").filter(has_text=SOMETHING)

    @reading
    def open(self, base_url: str) -> CsWindow:
        goto(self.page, base_url, "cs")
        settle(self.page, self.heading)
        return self

    # --- the search ---------------------------------------------------------------------

    def search(self, text: str, by: str = "주문번호", period: str = "6개월") -> list[OrderRow]:
        """Search (검색조건 `by`, 검색어 `text`, 기간 `period`) and read the rows found
        (none: "검색된 주문이 없습니다."). What the list showed before is not taken for
        the answer: the rows and message shown after the click are."""
        if by not in SEARCH_BY or period not in PERIODS:
            raise ValueError(f"검색조건 {by!r} / 기간 {period!r} is not one the C/S window offers")
        settle(self.page, self.heading)
        choose(self.page, "검색조건", by)
        self.search_text.fill(text)
        choose(self.page, "기간", period)
        rows = self._body_rows(self.table)
        mark_read(rows.or_(self.nothing_found))
        self.search_button.click()
        settle(self.page, unread(rows).or_(unread(self.nothing_found)))
        return self.orders()

    def orders(self) -> list[OrderRow]:
        """The rows of "주문 목록" shown ([] when nothing was found)."""
        if not self.table.count() and self.nothing_found.count():
            return []
        return [_order_row(row) for row in read_rows(self.table, ORDER_COLUMNS, "주문 목록")]

    # --- the order below ----------------------------------------------------------------

    def load(self, number: str) -> LoadedOrder:
        """Click the 관리번호 `number` in the list and read the order it loads."""
        button = self.table.get_by_role("button", name=number, exact=True)
        if button.count() != 1:
            raise PortalFailure(f"the list shows {button.count()} buttons 관리번호 {number}")
        lines = self._body_rows(self.lines_table)
        mark_read(lines)
        button.click()
        settle(self.page, unread(lines))
        loaded = self.read(number)
        if loaded.info.number not in (None, number) or loaded.info.original == number:
            raise PortalFailure(
                f"관리번호 {number} was clicked, but the order shown is "
                f"{loaded.info.number or 'an exchange of it'}"
            )
        return loaded

    def read(self, number: str) -> LoadedOrder:
        """The order shown below the list (loaded by the 관리번호 `number`)."""
        return LoadedOrder(number, self.info(), tuple(self.lines()), tuple(self.history()))

    def info(self) -> OrderInfo:
        settle(self.page, part_or_none(self.page, "주문 정보"))
        text = part(self.page, "주문 정보").inner_text()

        def value(label: str) -> str:
            found = fact(text, label, spaced=True)
            if found is None:
                raise PortalFailure(f'"주문 정보" shows no {label!r}')
            return found

        original = fact(text, "원주문 관리번호", spaced=True)
        number = fact(text, "관리번호", spaced=True)
        return OrderInfo(
            order=value("주문번호"),
            channel=value("판매처"),
            orderer=value("주문자"),
            recipient=value("수령자"),
            mobile=value("휴대폰"),
            address=value("주소"),
            original=original or None,
            number=number or None,
        )

    def lines(self) -> list[ProductLine]:
        rows = read_rows(self.lines_table, LINE_COLUMNS, "상품리스트")
        if not rows:
            raise PortalFailure('"상품리스트" shows no line')
        return [_line(row) for row in rows]

    def history(self) -> list[HistoryRow]:
        """ "C/S이력", newest first ([] when it has no row yet)."""
        settle(self.page, part_or_none(self.page, "C/S이력"))
        table = tables(part(self.page, "C/S이력"), None, HISTORY_COLUMNS)
        return [_history(row) for row in read_rows(table, HISTORY_COLUMNS, "C/S이력")]

    # --- acting on a line ---------------------------------------------------------------

    def choose_line(self, line: str) -> None:
        """Check the radio "선택" of the line `line` (named by its 주문상세번호)."""
        radio = self.lines_table.get_by_role("radio", name=line, exact=True)
        if radio.count() != 1:
            raise PortalFailure(f'"상품리스트" shows {radio.count()} radios {line}, not one')
        radio.check()

    def start_exchange(self, line: str) -> ExchangeDialog:
        """ "상품교환" for the line `line`: its dialog."""
        self.choose_line(line)
        self.exchange_button.click()
        return ExchangeDialog(self.page).wait()

    def start_notification(self, line: str) -> NotificationDialog:
        """ "스마트알림" with the line `line` chosen: its dialog."""
        self.choose_line(line)
        self.notify_button.click()
        return NotificationDialog(self.page).wait()

    def alert_text(self) -> str | None:
        return squash(self.alert.first.inner_text()) if self.alert.count() else None

    def status_text(self) -> str | None:
        return squash(self.status.first.inner_text()) if self.status.count() else None

    # --- helpers ------------------------------------------------------------------------

    def _body_rows(self, table: Locator) -> Locator:
        cell = self.page.get_by_role("cell").or_(self.page.get_by_role("gridcell"))
        return table.get_by_role("row").filter(has=cell)


def _text(cell: Cell) -> str:
    return cell.plain


def _order_row(row: dict[str, Cell]) -> OrderRow:
    try:
        return OrderRow(
            number=row["관리번호"].text,  # a button: its words are the value
            channel=_text(row["판매처"]),
            order=_text(row["주문번호"]),
            orderer=_text(row["주문자"]),
            recipient=_text(row["수령자"]),
            collected=parse_date(_text(row["발주일"]), "발주일"),
            state=_text(row["상태"]),
            cs=_text(row["C/S"]),
        )
    except PortalFailure as error:
        raise PortalFailure(f'a row of "주문 목록" could not be read: {error}') from None


def _line(row: dict[str, Cell]) -> ProductLine:
    line = _text(row["주문상세번호"])
    state, cs = _text(row["상태"]), _text(row["C/S"])
    if state not in STATES or cs not in CS_STATES:
        raise PortalFailure(f"the line {line} reads 상태 {state!r}, C/S {cs!r}")
    return ProductLine(
        line=line,
        product=_text(row["상품명"]),
        option=_text(row["옵션"]),
        quantity=parse_count(_text(row["수량"]), f"수량 of {line}"),
        state=state,
        cs=cs,
        carrier=_blank(_text(row["택배사"])),
        tracking=_blank(_text(row["송장번호"])),
        hold=_held(row["보류"], line),
    )


def _blank(text: str) -> str:
    return "" if text in ("-", "—") else text


def _held(cell: Cell, line: str) -> bool:
    if cell.checked is not None:
        return cell.checked
    if cell.plain in NOT_HELD:
        return False
    if cell.plain in HELD:
        return True
    raise PortalFailure(f"보류 of the line {line} reads {cell.plain!r}")


def _history(row: dict[str, Cell]) -> HistoryRow:
    return HistoryRow(
        at=parse_datetime(_text(row["일시"]), "일시 of a C/S이력 row"),
        by=_text(row["작업자"]),
        kind=_text(row["구분"]),
        text=_text(row["내용"]),
    )


ARROW = re.compile(r"\s*(?:→|->|⇒)\s*")


def exchange_sides(text: str) -> tuple[str, str] | None:
    """ "A 옵션 → B 옵션" (a "상품교환" row's 내용): (before, after); None otherwise."""
    parts = ARROW.split(squash(text))
    return (parts[0], parts[1]) if len(parts) == 2 else None
