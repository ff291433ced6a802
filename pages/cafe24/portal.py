"""The Cafe24 shop admin as the runner sees it: its name, settings, pages' set-up, sign-in."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from pages.cafe24.sign_in import SignInPage
from portalpilot import Login, PortalSettings

# A cookie-consent dialog's button, in Korean or English (the spec names none).
ACCEPT = re.compile(r"^\s*(?:Accept|동의|동의합니다|모두 동의|수락)\s*$")


class Cafe24Admin:
    name = "cafe24"
    title = "Cafe24 admin"
    settings = (
        PortalSettings  # the address and the login (EMAIL is the 아이디): PORTALPILOT_CAFE24__…
    )
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept a cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=ACCEPT))
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name=ACCEPT).first.click()
        )

    def sign_in(self, page: Page, login: Login) -> None:
        SignInPage(page).open(login.base_url).log_in(login.email, login.password)


CAFE24 = Cafe24Admin()
PORTAL = CAFE24  # found by the registry (portalpilot/_registry.py)
