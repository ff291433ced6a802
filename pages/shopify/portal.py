"""The Shopify admin as the runner sees it: its name, settings, pages' set-up, sign-in."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.shopify.sign_in import SignInPage
from portalpilot import Login, PortalSettings


class ShopifyAdmin:
    name = "shopify"
    title = "Shopify admin"
    settings = PortalSettings  # only the address and the login: PORTALPILOT_SHOPIFY__…
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept the cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(
            has=page.get_by_role("button", name="Accept", exact=True)
        )
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name="Accept", exact=True).click()
        )

    def sign_in(self, page: Page, login: Login) -> None:
        SignInPage(page).open(login.base_url).log_in(login.email, login.password)


SHOPIFY = ShopifyAdmin()
PORTAL = SHOPIFY  # found by the registry (portalpilot/_registry.py)
