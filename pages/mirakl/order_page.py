"""Order — `orders/ORDER_ID`: facts, lines, refunds, incident banner, and its dialogs.

Read as a person reads it: the facts by their labels, the tables by their column
headers, the incident by its banner's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from playwright.sync_api import Page

from pages.mirakl._parse import fact, parse_datetime, parse_money
from pages.mirakl._screen import goto, portal_now, read_table, settle
from pages.mirakl.conversation_dialog import ConversationDialog
from pages.mirakl.refund_dialog import RefundDialog
from pages.mirakl.solve_dialog import SolveIncidentDialog
from portalpilot import PortalFailure

INCIDENT_OPEN = re.compile(r"^\s*Incident open:\s*(.+?)\s*$")
INCIDENT_SOLVED = re.compile(r"^\s*Incident solved[^:]*:\s*(.+?)\s*$", re.IGNORECASE)
MESSAGES_LINK = re.compile(r"^\s*(?:Unread )?Messages(?: \((\d+)\))?\s*$")


@dataclass(frozen=True)
class OrderLine:
    product: str
    sku: str
    quantity: int
    price: Decimal  # per unit
    state: str  # SHIPPED, RECEIVED, INCIDENT_OPEN, REFUNDED...

    @property
    def amount(self) -> Decimal:
        return self.price * self.quantity


@dataclass(frozen=True)
class RefundEntry:
    """One row of the order's refunds: a line (by SKU) or the shipping (sku None)."""

    refund_id: str
    at: datetime
    sku: str | None
    quantity: int
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class OrderDetails:
    order_id: str
    state: str
    customer: str
    shipped: datetime | None
    lines: tuple[OrderLine, ...]
    shipping_price: Decimal
    total_paid: Decimal
    already_refunded: Decimal
    refunds: tuple[RefundEntry, ...]
    open_incidents: tuple[str, ...]  # the reasons in "Incident open: REASON" banners
    solved_incidents: tuple[str, ...]  # reasons of incidents solved, awaiting the operator
    unread_threads: int
    now: datetime | None  # the portal's clock, when the page shows it


class OrderPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.main = page.get_by_role("main")
        self.not_found = page.get_by_role("heading", name="Order not found")
        self.refund_button = self.main.get_by_role("button", name="Refund", exact=True)
        self.solve_button = self.main.get_by_role("button", name="Mark as solved", exact=True)
        self.conversation_button = self.main.get_by_role(
            "button", name="Start a conversation", exact=True
        )
        self.messages_link = self.main.get_by_role("link", name=MESSAGES_LINK)
        self.status = page.get_by_role("status").filter(has_text=re.compile(r"\S"))

    def open(self, base_url: str, order_id: str) -> OrderPage:
        goto(self.page, base_url, f"orders/{order_id}")
        heading = self.page.get_by_role("heading", name=f"Order {order_id}", exact=True)
        settle(self.page, heading.or_(self.not_found))
        return self

    def exists(self) -> bool:
        return not self.not_found.count()

    def read(self, order_id: str) -> OrderDetails:
        text = self.main.inner_text()
        values = {}
        for label in ("State", "Customer", "Shipped", "Shipping price", "Total paid",
                      "Already refunded"):  # fmt: skip
            value = fact(text, label)
            if value is None:
                raise PortalFailure(f"the order page of {order_id} shows no {label!r}")
            values[label] = value
        shipped = values["Shipped"]
        link = self.messages_link.first.inner_text() if self.messages_link.count() else ""
        unread = MESSAGES_LINK.match(link)
        return OrderDetails(
            order_id=order_id,
            state=values["State"],
            customer=values["Customer"],
            shipped=parse_datetime(shipped) if re.search(r"\d", shipped) else None,
            lines=self._lines(),
            shipping_price=parse_money(values["Shipping price"]),
            total_paid=parse_money(values["Total paid"]),
            already_refunded=parse_money(values["Already refunded"]),
            refunds=self._refunds(),
            open_incidents=self._incidents(INCIDENT_OPEN, text),
            solved_incidents=self._incidents(INCIDENT_SOLVED, text),
            unread_threads=int(unread.group(1)) if unread and unread.group(1) else 0,
            now=portal_now(self.page),
        )

    def _lines(self) -> tuple[OrderLine, ...]:
        table = self.main.get_by_role("table").filter(
            has=self.page.get_by_role("columnheader", name="Line state")
        )
        return tuple(
            OrderLine(
                product=row["Product"],
                sku=row["SKU"],
                quantity=int(row["Quantity"]),
                price=parse_money(row["Price"]),
                state=row["Line state"],
            )
            for row, _ in read_table(table)
        )

    def _refunds(self) -> tuple[RefundEntry, ...]:
        table = self.main.get_by_role("table").filter(
            has=self.page.get_by_role("columnheader", name="Refund", exact=True)
        )
        if not table.count():
            return ()
        return tuple(
            RefundEntry(
                refund_id=row["Refund"],
                at=parse_datetime(row["Date"]),
                sku=None if row["Item"].casefold() == "shipping" else row["Item"],
                quantity=int(row["Quantity"] or 0),
                amount=parse_money(row["Amount"]),
                reason=row["Reason"],
            )
            for row, _ in read_table(table)
        )

    @staticmethod
    def _incidents(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
        return tuple(m.group(1) for line in text.splitlines() if (m := pattern.match(line)))

    def status_text(self) -> str:
        return self.status.first.inner_text().strip() if self.status.count() else ""

    # --- the dialogs ------------------------------------------------------------------

    def start_refund(self) -> RefundDialog:
        self.refund_button.click()
        dialog = RefundDialog(self.page)
        dialog.dialog.wait_for()
        return dialog

    def mark_as_solved(self) -> SolveIncidentDialog:
        self.solve_button.click()
        dialog = SolveIncidentDialog(self.page)
        dialog.dialog.wait_for()
        return dialog

    def start_conversation(self) -> ConversationDialog:
        self.conversation_button.click()
        dialog = ConversationDialog(self.page)
        dialog.dialog.wait_for()
        return dialog

    def open_messages(self) -> None:
        """ "Messages" (or "Unread Messages (N)"): the order's threads in the Messages list."""
        self.messages_link.first.click()
