"""Поръчка — `orders/NUMBER`: status, payment, history, the status form, messages.

Each read takes only what one step needs, by what the spec promises: the status line
"Статус: X" (however it is split across elements), the payment words, the history as a
table with headers "Дата", "Статус", "Коментар" (newest first), and the words under
"Съобщения". The lines and total are never read: no step needs them, and the spec does
not say what shape they take. What cannot be read raises `PortalFailure` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from pages._screen import reading
from pages.chopni._parse import parse_date, parse_datetime, squash
from pages.chopni._screen import answer, goto, settle
from pages.chopni.conversation import ConversationDialog
from portalpilot import PortalFailure, Reply, state_change

# The element whose whole text is "Статус: X" (the colon tells it from the history's header).
STATUS_LINE = re.compile(r"^\s*Статус:\s*\S+\s*$")
STATUS_VALUE = re.compile(r"^\s*Статус:\s*([A-Za-z_]+)\s*$")
PAYMENT = re.compile(r"^\s*(?:Плащане:?\s*)?(Платена|Наложен платеж)\s*$")
DEADLINE = re.compile(r"Срок за връщане до:\s*(\d{2}\.\d{2}\.\d{4})")
CASH_ON_DELIVERY = "Наложен платеж"
MESSAGES = re.compile(r"^\s*Съобщения(?:\s*\(\d+\))?:?\s*$")
HISTORY = ("Дата", "Статус", "Коментар")
CUSTOMER = "Клиент"
NOT_FOUND = re.compile(r"Няма такава поръчка|не е намерена", re.IGNORECASE)
SOMETHING = re.compile(r"\S")


class NoSuchOrder(LookupError):
    """The portal has no order with this number."""


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    status: str
    comment: str  # whitespace squashed, as a person reads it


class OrderPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.body = page.locator("body")
        self.status_line = page.get_by_text(STATUS_LINE)
        self.payment_words = page.get_by_text(PAYMENT)
        self.deadline_line = page.get_by_text(DEADLINE)
        self.new_status = page.get_by_label("Нов статус", exact=True)
        self.comment = page.get_by_label("Коментар", exact=True)
        self.change_button = page.get_by_role(
            "button", name="Променете статута на поръчката", exact=True
        )
        self.conversation_button = page.get_by_role(
            "button", name="Започни разговор с клиент", exact=True
        )
        self.history_table = self._table_with(HISTORY)
        self.messages_region = page.get_by_role("region", name="Съобщения", exact=True)
        self.busy = page.locator("[aria-busy=true]")
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)

    @reading
    def open(self, base_url: str, number: str) -> OrderPage:
        """Open `orders/NUMBER` afresh; raises NoSuchOrder if the portal has no such order."""
        title = re.compile(rf"^\s*Поръчка\s*№\s*{re.escape(number)}\s*$")
        heading = self.page.get_by_role("heading", name=title)
        missing = self.page.get_by_role("heading", name=NOT_FOUND)
        response = goto(self.page, base_url, f"orders/{number}")
        if response is not None and response.status == 404:
            raise NoSuchOrder(number)
        settle(self.page, heading.or_(missing))
        if missing.count() and not heading.count():
            raise NoSuchOrder(number)
        return self

    # --- reading ------------------------------------------------------------------------

    def status(self) -> str:
        """The current status, from "Статус: X" at the top of the page."""
        settle(self.page, self.status_line)
        values = {self._status_of(text) for text in self.status_line.all_inner_texts()}
        if len(values) != 1:
            raise PortalFailure(f"the order page shows several statuses: {sorted(values)}")
        return values.pop()

    def payment(self) -> str:
        """ "Платена" or "Наложен платеж" (cash on delivery: payment not confirmed)."""
        found = {
            match.group(1)
            for text in self.payment_words.all_inner_texts()
            if (match := PAYMENT.match(text))
        }
        if len(found) != 1:
            shown = sorted(found) or "neither"
            raise PortalFailure(f"the order page shows no single payment word ({shown})")
        return found.pop()

    def return_deadline(self) -> date | None:
        """ "Срок за връщане до: dd.mm.yyyy" (only COMPLETE orders show it)."""
        if not self.deadline_line.count():
            return None
        match = DEADLINE.search(squash(self.deadline_line.first.inner_text()))
        if not match:
            raise PortalFailure("the return deadline could not be read")
        return parse_date(match.group(1))

    def customer(self) -> str | None:
        """The customer's name if the page labels it "Клиент" (the spec does not promise it)."""
        lines = [line.strip() for line in self.body.inner_text().splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if line == CUSTOMER and i + 1 < len(lines):
                return lines[i + 1]
            if line.startswith(f"{CUSTOMER}:"):
                return line.split(":", 1)[1].strip() or None
        return None

    def history(self) -> list[HistoryRow]:
        """ "История на поръчката", in the page's order (newest first)."""
        if self.history_table.count() != 1:
            raise PortalFailure("the order page shows no single table „История на поръчката“")
        table = self.history_table
        headers = [squash(text) for text in table.get_by_role("columnheader").all_inner_texts()]
        if any(name not in headers for name in HISTORY):
            raise PortalFailure(f"the history's headers read {headers}, not {list(HISTORY)}")
        index = [headers.index(name) for name in HISTORY]
        rows = []
        for row in table.get_by_role("row").all():
            cells = (
                row.get_by_role("cell")
                .or_(row.get_by_role("gridcell"))
                .or_(row.get_by_role("rowheader"))
                .all_inner_texts()
            )
            if not cells:
                continue  # the header row
            if len(cells) != len(headers):
                raise PortalFailure(f"a history row has {len(cells)} cells for {headers}")
            at, status, comment = (squash(cells[i]) for i in index)
            rows.append(HistoryRow(_when(at), status.upper(), comment))
        return rows

    def shows_message(self, text: str, files: Sequence[str] = ()) -> bool:
        """Whether `text` (and every file name) shows under "Съобщения".

        False only when that part was found and read; raises when it cannot be found.
        """
        part = self._messages_text()
        return squash(text) in part and all(name in part for name in files)

    # --- the status form ----------------------------------------------------------------

    def fill_status_form(self, status: str, comment: str) -> None:
        """Choose "Нов статус" and write "Коментар"; nothing is sent yet."""
        self.new_status.select_option(label=status)
        self.comment.fill(comment)

    @state_change
    def submit_status_change(self, status: str) -> Reply:
        """Click "Променете статута на поръчката" once and wait for the portal's answer."""
        changed = self.page.get_by_role("status").filter(
            has_text=f"Статусът е променен на {status}."
        )
        self.change_button.click()
        return answer(self.page, changed, self.alert)

    # --- messages -------------------------------------------------------------------------

    def start_conversation(self) -> ConversationDialog:
        """ "Започни разговор с клиент": the dialog opens."""
        self.conversation_button.click()
        dialog = ConversationDialog(self.page)
        dialog.dialog.wait_for()
        return dialog

    # --- helpers --------------------------------------------------------------------------

    def _table_with(self, headers: Sequence[str]) -> Locator:
        table = self.page.get_by_role("table").or_(self.page.get_by_role("grid"))
        for name in headers:
            table = table.filter(has=self.page.get_by_role("columnheader", name=name, exact=True))
        return table

    @staticmethod
    def _status_of(text: str) -> str:
        match = STATUS_VALUE.match(text)
        if not match:
            raise PortalFailure(f"the status line could not be read: {squash(text)!r}")
        return match.group(1).upper()

    def _messages_text(self) -> str:
        """The words under "Съобщения": its region if it has one, else all that follows it."""
        try:
            expect(self.busy).to_have_count(0)  # parts still loading say so (aria-busy)
        except AssertionError as error:
            raise PortalFailure("the order page was still loading „Съобщения“") from error
        try:
            if self.messages_region.count() == 1:
                return squash(self.messages_region.inner_text())
            lines = self.body.inner_text().splitlines()
        except PlaywrightError as error:
            raise PortalFailure(f"„Съобщения“ could not be read: {error.message}") from error
        heads = [i for i, line in enumerate(lines) if MESSAGES.match(line)]
        if not heads:
            raise PortalFailure("the order page shows no „Съобщения“")
        # From the first heading on: a too-wide reading may say "sent" wrongly, a too-narrow
        # one would send a message twice.
        return squash("\n".join(lines[heads[0] + 1 :]))


def _when(text: str) -> datetime:
    try:
        return parse_datetime(text)
    except PortalFailure:
        raise PortalFailure(f"a history date could not be read: {text!r}") from None
