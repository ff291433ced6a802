"""The "Refund" dialog of an order: full or partial (units, amount, shipping), reason."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Locator, Page

from pages.mirakl._screen import Confirmation, answer_after
from portalpilot import PortalFailure

REQUESTED = re.compile(r"^\s*Refund of €[\d,]+\.\d{2} requested\.\s*$")


class RefundDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Refund", exact=True)
        self.full = self.dialog.get_by_role("radio", name="Full refund")
        self.partial = self.dialog.get_by_role("radio", name="Partial refund")
        self.shipping = self.dialog.get_by_label("Shipping amount", exact=True)
        self.reason = self.dialog.get_by_label("Reason", exact=True)
        self.refund_button = self.dialog.get_by_role("button", name="Refund", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="Cancel", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        self.requested = page.get_by_role("status").filter(has_text=REQUESTED)

    def choose_full(self) -> None:
        self.full.check()

    def choose_partial(self) -> None:
        self.partial.check()

    def line(self, sku: str) -> Locator:
        """The group of fields of one order line, found by its SKU as a whole word."""
        word = re.compile(rf"(?<![\w-]){re.escape(sku)}(?![\w-])")
        return (
            self.dialog.get_by_role("group")
            .filter(has_text=word)
            .filter(has=self.page.get_by_label("Quantity to refund", exact=True))
        )

    def set_line(self, sku: str, quantity: int | None, amount: Decimal | None) -> None:
        group = self.line(sku)
        if group.count() != 1:
            raise PortalFailure(f"the refund dialog has {group.count()} groups for {sku}")
        if quantity is not None:
            group.get_by_label("Quantity to refund", exact=True).fill(str(quantity))
        if amount is not None:
            group.get_by_label("Amount", exact=True).fill(f"{amount:.2f}")

    def set_shipping(self, amount: Decimal) -> None:
        self.shipping.fill(f"{amount:.2f}")

    def choose_reason(self, reason: str) -> None:
        self.reason.select_option(label=reason)

    def refund(self) -> Confirmation:
        """Click "Refund" once and wait for the portal's answer, whatever it is."""
        self.refund_button.click()
        return answer_after(self.page, self.requested, self.alert)

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
