"""Order settings menu — the gear of an order line: View order, Refund item, Cancel item."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.kogan.refund_dialog import RefundDialog


class OrderSettingsMenu:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.menu = page.get_by_role("menu")
        self.view_order_item = self.menu.get_by_role("menuitem", name="View order")
        self.refund_item = self.menu.get_by_role("menuitem", name="Refund item")
        self.cancel_item = self.menu.get_by_role("menuitem", name="Cancel item")

    def can_refund(self) -> bool:
        """The portal enables "Refund item" only for a dispatched line (aria-disabled)."""
        return self.refund_item.is_enabled()

    def can_cancel(self) -> bool:
        return self.cancel_item.is_enabled()

    def refund(self) -> RefundDialog:
        self.refund_item.click()
        dialog = RefundDialog(self.page)
        dialog.dialog.wait_for()
        return dialog

    def view_order(self) -> None:
        self.view_order_item.click()

    def close(self) -> None:
        self.page.keyboard.press("Escape")
        self.menu.wait_for(state="hidden")
