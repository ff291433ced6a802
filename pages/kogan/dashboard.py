"""Dashboard — the prefix itself."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.kogan._screen import goto, settle


class Dashboard:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Dashboard")
        self.navigation = page.get_by_role("navigation")
        self.manage_orders_link = self.navigation.get_by_role("link", name="Manage my orders")
        self.log_out_button = self.navigation.get_by_role("button", name="Log out")

    def open(self, base_url: str) -> Dashboard:
        goto(self.page, base_url, "")
        settle(self.page, self.heading)
        return self

    def manage_orders(self) -> None:
        self.manage_orders_link.click()

    def log_out(self) -> None:
        self.log_out_button.click()
