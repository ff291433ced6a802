"""The Mirakl-style back office as the runner sees it: name, page set-up, signing in."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.mirakl.sign_in import SignInPage
from portalpilot import Login, PortalSettings


class MiraklBackOffice:
    name = "mirakl"
    title = "Mirakl marketplace back office"
    settings = PortalSettings  # address and login: nothing of its own
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


MIRAKL = MiraklBackOffice()
PORTAL = MIRAKL  # found by the registry (portalpilot/_registry.py)
