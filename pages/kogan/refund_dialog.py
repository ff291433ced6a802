"""Refund dialog — "Refund item": what will be refunded, the reason, the confirmation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from playwright.sync_api import Page

from pages.kogan._parse import field_after, parse_money
from pages.kogan._screen import SCREEN
from portalpilot import PortalFailure, Reply, state_change


@dataclass(frozen=True)
class RefundDetails:
    """What the dialog says will be refunded."""

    reference: str
    customer: str
    quantity: int
    amount: Decimal
    text: str  # the whole dialog text, to check the title and SKU against

    def mentions(self, words: str) -> bool:
        return words in self.text


ALREADY_REFUNDED = "This item has already been refunded."


class RefundDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Refund item")
        self.reason = self.dialog.get_by_label("Reason")
        self.comment = self.dialog.get_by_label("Comment")
        self.confirm_button = self.dialog.get_by_role("button", name="Confirm refund")
        self.cancel_button = self.dialog.get_by_role("button", name="Cancel", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=re.compile(r"\S"))

    def read(self) -> RefundDetails:
        text = self.dialog.inner_text()
        reference = re.search(r"Order\s+(ESG-\d+)", text)
        quantity = field_after("Quantity:", text)
        amount = field_after("Refund amount:", text)
        if not (reference and quantity and amount):
            raise PortalFailure(f"the refund dialog does not read as the spec says: {text!r}")
        return RefundDetails(
            reference=reference.group(1),
            customer=field_after("Customer:", text) or "",
            quantity=int(quantity.split()[0]),
            amount=parse_money(amount),
            text=text,
        )

    def choose_reason(self, reason: str) -> None:
        self.reason.select_option(label=reason)

    def write_comment(self, text: str) -> None:
        self.comment.fill(text)

    @state_change
    def confirm(self, reference: str, sku: str) -> Reply:
        """Click "Confirm refund" once and wait for the portal's answer, whatever it is.

        DONE: "Refund submitted for ESG-… (SKU)". REFUSED: an alert with a rule ("Choose a
        reason.", "This item has already been refunded."). FAILED: "Something went wrong".
        """
        submitted = self.page.get_by_role("status").filter(
            has_text=f"submitted for {reference} ({sku})"
        )
        self.confirm_button.click()
        return SCREEN.answer(self.page, submitted, self.alert)

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
