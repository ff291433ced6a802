"""The Chopni seller portal as the runner sees it: its name, settings, pages' set-up, sign-in."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from pages.chopni.sign_in import SignInPage
from portalpilot import Login, PortalSettings

# The consent button: Bulgarian on the portal ("Приемам"), English on some of its pages.
ACCEPT = re.compile(r"^\s*(Приемам|Приемам всички|Приеми|Accept)\s*$", re.IGNORECASE)


class ChopniSeller:
    name = "chopni"
    title = "Chopni seller portal"
    settings = PortalSettings  # only the address and the login: PORTALPILOT_CHOPNI__…
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept the cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=ACCEPT))
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name=ACCEPT).first.click()
        )

    def sign_in(self, page: Page, login: Login) -> None:
        SignInPage(page).open(login.base_url).log_in(login.email, login.password)


CHOPNI = ChopniSeller()
PORTAL = CHOPNI  # found by the registry (portalpilot/_registry.py)
