"""Refund dialog — "Refund item": what will be refunded, the reason, the confirmation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from playwright.sync_api import Page

from pages.kogan._parse import field_after, parse_money
from pages.kogan._screen import MAINTENANCE


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


class Answer(Enum):
    """What the portal answered to "Confirm refund"."""

    SUBMITTED = "submitted"
    ALREADY_REFUNDED = "already_refunded"
    REASON_MISSING = "reason_missing"
    FAILED = "failed"  # "Something went wrong": the refund may or may not have happened
    SIGNED_OUT = "signed_out"
    OTHER = "other"


@dataclass(frozen=True)
class Confirmation:
    answer: Answer
    message: str


_ALERTS = {
    "This item has already been refunded.": Answer.ALREADY_REFUNDED,
    "Choose a reason.": Answer.REASON_MISSING,
    "Something went wrong. Please try again.": Answer.FAILED,
}


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
            raise ValueError(f"the refund dialog does not read as the spec says: {text!r}")
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

    def confirm(self, reference: str, sku: str) -> Confirmation:
        """Click "Confirm refund" once and wait for the portal's answer, whatever it is."""
        submitted = self.page.get_by_role("status").filter(
            has_text=f"submitted for {reference} ({sku})"
        )
        signed_out = self.page.get_by_role("heading", name="Sign in", exact=True)
        down = self.page.get_by_role("heading", name=MAINTENANCE)
        self.confirm_button.click()
        submitted.or_(self.alert).or_(signed_out).or_(down).first.wait_for()
        if submitted.count():
            return Confirmation(Answer.SUBMITTED, submitted.first.inner_text().strip())
        if self.alert.count():
            message = self.alert.first.inner_text().strip()
            return Confirmation(_ALERTS.get(message, Answer.OTHER), message)
        if signed_out.count():
            return Confirmation(Answer.SIGNED_OUT, "the portal asked to sign in again")
        return Confirmation(Answer.FAILED, "the portal is down for maintenance")

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
