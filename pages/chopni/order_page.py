"""Поръчка — `orders/NUMBER`: status, payment, lines, history, the status form, messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from playwright.sync_api import Locator, Page

from pages.chopni._parse import parse_date, parse_datetime, parse_money, squash
from pages.chopni._screen import Confirmation, answer_of, goto, settle
from pages.chopni.conversation import ConversationDialog

STATUS_LINE = re.compile(r"^\s*Статус:\s*([A-Za-z_]+)\s*$")
PAYMENT = re.compile(r"^\s*(?:Плащане:?\s*)?(Платена|Наложен платеж)\s*$")
TOTAL = re.compile(r"^\s*Общо:?\s*-?\d[\d\s\u00a0\u202f.,]*€\s*$")
DEADLINE = re.compile(r"Срок за връщане до:\s*\d{2}\.\d{2}\.\d{4}")
CASH_ON_DELIVERY = "Наложен платеж"
MESSAGES = "Съобщения"
WHEN = re.compile(r"^\s*\d{2}\.\d{2}\.\d{4}(?:\s*г\.?)?(?:\s+\d{1,2}:\d{2}(?:\s*ч\.?)?)?\s*")
ATTACHED = re.compile(r"\s*Прикачени(?: файлове)?:.*$")
NOT_FOUND = re.compile(r"Няма такава поръчка|не е намерена", re.IGNORECASE)


class NoSuchOrder(LookupError):
    """The portal has no order with this number."""


@dataclass(frozen=True)
class OrderLine:
    product: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    status: str
    comment: str  # whitespace squashed, as a person reads it


@dataclass(frozen=True)
class SentMessage:
    text: str  # the whole message as shown (date, text, attachment names), squashed
    body: str | None = None  # the text alone, when the page shows one message per article

    def says(self, text: str) -> bool:
        if self.body is not None:
            return self.body == squash(text)
        return squash(text) in self.text


def _message(shown: str) -> SentMessage:
    """An article's text: its date first, its attachments last, the message between."""
    text = squash(shown)
    body = WHEN.sub("", text, count=1)
    body = ATTACHED.sub("", body).strip()
    return SentMessage(text, body)


@dataclass(frozen=True)
class OrderDetails:
    number: str
    status: str
    payment: str  # "Платена" or "Наложен платеж"
    customer: str | None
    lines: list[OrderLine]
    total: Decimal | None
    history: list[HistoryRow]  # as shown: newest first
    return_deadline: date | None
    messages: list[SentMessage]

    @property
    def cash_on_delivery(self) -> bool:
        return self.payment == CASH_ON_DELIVERY


class OrderPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.main = page.get_by_role("main")
        self.status_line = page.get_by_text(STATUS_LINE)
        self.new_status = page.get_by_label("Нов статус", exact=True)
        self.comment = page.get_by_label("Коментар", exact=True)
        self.change_button = page.get_by_role(
            "button", name="Променете статута на поръчката", exact=True
        )
        self.conversation_button = page.get_by_role(
            "button", name="Започни разговор с клиент", exact=True
        )
        self.history_table = self._table_with("Коментар")
        self.lines_table = self._table_with("Количество")
        self.messages_region = page.get_by_role("region", name=MESSAGES, exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=re.compile(r"\S"))

    def open(self, base_url: str, number: str) -> OrderPage:
        """Open `orders/NUMBER`; raises NoSuchOrder if the portal has no such order."""
        title = re.compile(rf"^\s*Поръчка\s*№\s*{re.escape(number)}\s*$")
        heading = self.page.get_by_role("heading", name=title)
        missing = self.page.get_by_role("heading", name=NOT_FOUND)
        response = goto(self.page, base_url, f"orders/{number}")
        if response is not None and response.status == 404:
            raise NoSuchOrder(number)
        settle(self.page, heading.or_(missing))
        if missing.count() and not heading.count():
            raise NoSuchOrder(number)
        settle(self.page, self.status_line)
        return self

    # --- reading ------------------------------------------------------------------------

    def status(self) -> str:
        match = STATUS_LINE.match(self.status_line.first.inner_text())
        if not match:
            raise ValueError("the order page shows no 'Статус: ...'")
        return match.group(1).upper()

    def read(self, number: str) -> OrderDetails:
        """Everything the order page shows; call after `open` (the page is loaded)."""
        payment = self.page.get_by_text(PAYMENT)
        paid = PAYMENT.match(payment.first.inner_text()) if payment.count() else None
        total = self.page.get_by_text(TOTAL)
        deadline = self.page.get_by_text(DEADLINE)
        return OrderDetails(
            number=number,
            status=self.status(),
            payment=paid.group(1) if paid else "",
            customer=self._fact("Клиент"),
            lines=self.lines(),
            total=parse_money(total.first.inner_text()) if total.count() else None,
            history=self.history(),
            return_deadline=parse_date(deadline.first.inner_text()) if deadline.count() else None,
            messages=self.messages(),
        )

    def lines(self) -> list[OrderLine]:
        lines = []
        for cells in self._rows(self.lines_table, ("Продукт", "Количество", "Цена")):
            product, quantity, price = cells
            lines.append(OrderLine(product, int(quantity), parse_money(price)))
        return lines

    def history(self) -> list[HistoryRow]:
        """ "История на поръчката", in the page's order (newest first)."""
        rows = self._rows(self.history_table, ("Дата", "Статус", "Коментар"))
        return [HistoryRow(parse_datetime(at), status.upper(), text) for at, status, text in rows]

    def messages(self) -> list[SentMessage]:
        """The messages under "Съобщения", one per article, else the section as one text."""
        if self.messages_region.count():
            articles = self.messages_region.get_by_role("article")
            if articles.count():
                return [_message(text) for text in articles.all_inner_texts()]
            text = self.messages_region.inner_text()
        else:
            lines = self.main.inner_text().splitlines()
            heads = [i for i, line in enumerate(lines) if line.strip() == MESSAGES]
            text = "\n".join(lines[heads[-1] :]) if heads else ""
        text = squash(text).removeprefix(MESSAGES).strip()
        return [SentMessage(text)] if text else []

    # --- the status form ------------------------------------------------------------------

    def fill_status_form(self, status: str, comment: str) -> None:
        """Choose "Нов статус" and write "Коментар"; nothing is sent yet."""
        self.new_status.select_option(label=status)
        self.comment.fill(comment)

    def submit_status_change(self, status: str) -> Confirmation:
        """Click "Променете статута на поръчката" once and wait for the portal's answer."""
        changed = self.page.get_by_role("status").filter(
            has_text=f"Статусът е променен на {status}."
        )
        self.change_button.click()
        return answer_of(self.page, changed, self.alert)

    # --- messages -------------------------------------------------------------------------

    def start_conversation(self) -> ConversationDialog:
        """ "Започни разговор с клиент": the dialog opens."""
        self.conversation_button.click()
        dialog = ConversationDialog(self.page)
        dialog.dialog.wait_for()
        return dialog

    # --- helpers --------------------------------------------------------------------------

    def _table_with(self, header: str) -> Locator:
        return self.page.get_by_role("table").filter(
            has=self.page.get_by_role("columnheader", name=header, exact=True)
        )

    def _rows(self, table: Locator, columns: tuple[str, ...]) -> list[list[str]]:
        """The body rows of `table`, as the text of `columns`, found by header name."""
        headers = [squash(text) for text in table.get_by_role("columnheader").all_inner_texts()]
        index = [headers.index(name) for name in columns]
        rows = []
        for row in table.get_by_role("row").filter(has=self.page.get_by_role("cell")).all():
            cells = row.get_by_role("cell").or_(row.get_by_role("rowheader")).all_inner_texts()
            rows.append([squash(cells[i]) for i in index])
        return rows

    def _fact(self, label: str) -> str | None:
        """The value after `label` in the order's facts ("Клиент: X" or "Клиент" then X)."""
        lines = [line.strip() for line in self.main.inner_text().splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if line == label and i + 1 < len(lines):
                return lines[i + 1]
            if line.startswith(f"{label}:"):
                return line.split(":", 1)[1].strip() or None
        return None
