"""The "Refund" dialog of an order: full or partial (units, amount, shipping), reason."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Locator, Page

from pages.mirakl._fields import choose
from pages.mirakl._screen import SCREEN
from portalpilot import PortalFailure, Reply, state_change

REQUESTED = re.compile(r"Refund of\s*€\s*[\d,]+\.\d{2}\s*requested\.")


class RefundDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Refund", exact=True)
        self.full = self.dialog.get_by_role("radio", name="Full refund")
        self.partial = self.dialog.get_by_role("radio", name="Partial refund")
        self.shipping = self.dialog.get_by_label("Shipping amount", exact=True)
        self.refund_button = self.dialog.get_by_role("button", name="Refund", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="Cancel", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        self.requested = page.get_by_role("status").filter(has_text=REQUESTED)

    def choose_full(self) -> None:
        self.full.check()

    def choose_partial(self) -> None:
        self.partial.check()

    def line(self, sku: str) -> Locator:
        """The fields of one order line: the smallest part of the dialog naming the SKU
        (as a whole word) that holds one "Quantity to refund"."""
        word = re.compile(rf"(?<![\w-]){re.escape(sku)}(?![\w-])")
        field = self.page.get_by_label("Quantity to refund", exact=True)
        holders = self.dialog.locator("*").filter(has_text=word).filter(has=field)
        fitting = [h for h in holders.all() if h.get_by_label("Quantity to refund").count() == 1]
        if not fitting:
            raise PortalFailure(f"the refund dialog has no fields for {sku}")
        return fitting[-1]  # the innermost: descendants come after their ancestors

    def set_line(self, sku: str, quantity: int | None, amount: Decimal | None) -> None:
        group = self.line(sku)
        if quantity is not None:
            group.get_by_label("Quantity to refund", exact=True).fill(str(quantity))
        if amount is not None:
            group.get_by_label("Amount", exact=True).fill(f"{amount:.2f}")

    def set_shipping(self, amount: Decimal) -> None:
        self.shipping.fill(f"{amount:.2f}")

    def choose_reason(self, reason: str) -> None:
        choose(self.dialog, "Reason", reason)

    @state_change
    def refund(self) -> Reply:
        """Click "Refund" once and wait for the portal's answer, whatever it is."""
        self.refund_button.click()
        return SCREEN.answer(self.page, self.requested, self.alert)

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
