"""Order — `orders/ORDER_ID`: its facts, lines, refunds, incident banner, and its dialogs.

Read as a person reads it: facts by their labels ("Already refunded"), lines and refunds
by their words whether they are a table, a grid or a list, the incident by its banner's
words. Each read takes only what its step needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from playwright.sync_api import Page

from pages._screen import reading
from pages.mirakl._parse import fact, parse_count, parse_datetime, parse_money
from pages.mirakl._screen import goto, portal_now, records, settle
from pages.mirakl.conversation_dialog import ConversationDialog
from pages.mirakl.refund_dialog import RefundDialog
from pages.mirakl.solve_dialog import SolveIncidentDialog
from portalpilot import PortalFailure

INCIDENT_OPEN = re.compile(r"Incident open:\s*([^\n]+)")
BUTTON_AFTER = re.compile(r"\s*Mark as solved\s*$")
MESSAGES_LINK = re.compile(r"^\s*(?:Unread )?Messages(?: \(\d+\))?\s*$")
LINE_WORDS = ("SKU", "Quantity", "Price")
REFUND_WORDS = ("Refund", "Date", "Item", "Quantity", "Amount")


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    price: Decimal  # per unit

    @property
    def amount(self) -> Decimal:
        return self.price * self.quantity


@dataclass(frozen=True)
class RefundEntry:
    """One part of one refund: a line (by SKU) or the shipping (sku None)."""

    refund_id: str
    at: datetime
    sku: str | None
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class OrderFacts:
    state: str
    shipped: datetime | None
    shipping_price: Decimal
    total_paid: Decimal
    already_refunded: Decimal
    customer: str  # "" when the page does not name the customer


@dataclass(frozen=True)
class OrderDetails:
    """What a refund needs of an order: its facts, lines, refunds and the portal's clock."""

    order_id: str
    facts: OrderFacts
    lines: tuple[OrderLine, ...]
    refunds: tuple[RefundEntry, ...]
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
        # The facts may be filled in after the page has loaded: wait for the last of them.
        self.facts_shown = self.main.get_by_text(re.compile(r"Already refunded"))

    @reading
    def open(self, base_url: str, order_id: str) -> OrderPage:
        """Open the order, loaded again (with backoff) if the portal failed to show it."""
        return self.load(base_url, order_id)

    def load(self, base_url: str, order_id: str) -> OrderPage:
        """Open the order once: for the guard's readings, which it repeats itself."""
        goto(self.page, base_url, f"orders/{order_id}")
        heading = self.page.get_by_role("heading", name=f"Order {order_id}", exact=True)
        settle(self.page, heading.or_(self.not_found))
        if self.exists():
            settle(self.page, self.facts_shown)
        return self

    def exists(self) -> bool:
        return not self.not_found.count()

    # --- reading ----------------------------------------------------------------------

    def facts(self) -> OrderFacts:
        text = self.main.inner_text()

        def value(label: str) -> str:
            found = fact(text, label)
            if found is None:
                raise PortalFailure(f"the order page shows no {label!r}")
            return found

        shipped = value("Shipped")
        return OrderFacts(
            state=value("State").split()[0],
            shipped=parse_datetime(shipped, "'Shipped'") if re.search(r"\d", shipped) else None,
            shipping_price=parse_money(value("Shipping price"), "'Shipping price'"),
            total_paid=parse_money(value("Total paid"), "'Total paid'"),
            already_refunded=parse_money(value("Already refunded"), "'Already refunded'"),
            customer=fact(text, "Customer") or "",
        )

    def lines(self) -> tuple[OrderLine, ...]:
        found = records(self.main, LINE_WORDS)
        if not found:
            raise PortalFailure("the order page shows no lines (SKU, quantity, price)")
        return tuple(
            OrderLine(
                sku=row["SKU"],
                quantity=parse_count(row["Quantity"], f"the quantity of {row['SKU']}"),
                price=parse_money(row["Price"], f"the price of {row['SKU']}"),
            )
            for row in found
        )

    def refunds(self) -> tuple[RefundEntry, ...] | None:
        """The refunds shown on the order, part by part; None when none are shown."""
        found = records(self.main, REFUND_WORDS)
        if found is None:
            return None
        return tuple(
            RefundEntry(
                refund_id=row["Refund"],
                at=parse_datetime(row["Date"], f"the date of refund {row['Refund']}"),
                sku=None if row["Item"].casefold() == "shipping" else row["Item"],
                quantity=int(row["Quantity"]) if row["Quantity"].isdigit() else 0,
                amount=parse_money(row["Amount"], f"the amount of refund {row['Refund']}"),
            )
            for row in found
        )

    def details(self, order_id: str) -> OrderDetails:
        """Facts, lines and refunds: what the refund rules are checked against.

        Refunds must add up to "Already refunded": when the order says something was
        refunded and shows no refunds to read, the page is not understood.
        """
        facts = self.facts()
        refunds = self.refunds()
        if refunds is None and facts.already_refunded:
            raise PortalFailure(
                f"{order_id} says €{facts.already_refunded:,.2f} already refunded "
                "but shows no refunds to read"
            )
        return OrderDetails(order_id, facts, self.lines(), refunds or (), portal_now(self.page))

    def open_incidents(self) -> tuple[str, ...]:
        """The reasons in the page's "Incident open: REASON" banners."""
        found = INCIDENT_OPEN.finditer(self.main.inner_text())
        # The banner's button may sit on the same line as its words.
        return tuple(BUTTON_AFTER.sub("", m.group(1)).strip() for m in found)

    def customer(self) -> str:
        """The customer's name when the page names one, else ""."""
        return fact(self.main.inner_text(), "Customer") or ""

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
