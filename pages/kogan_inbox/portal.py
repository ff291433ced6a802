"""The Kogan seller inbox (Zendesk) as the runner sees it: name, settings, set-up, sign-in."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages.kogan_inbox.sign_in import SignInPage
from portalpilot import PortalSettings

ACCEPT = re.compile(r"^\s*(Accept|Accept all|Accept all cookies)\s*$", re.IGNORECASE)


class KoganInbox:
    name = "kogan_inbox"
    title = "Kogan inbox"
    settings = PortalSettings  # only the address and the login: PORTALPILOT_KOGAN_INBOX__…
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept the cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=ACCEPT))
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name=ACCEPT).first.click()
        )

    def sign_in(self, page: Page, base_url: str, email: str, password: SecretStr | str) -> None:
        SignInPage(page).open(base_url).log_in(email, password)


KOGAN_INBOX = KoganInbox()
PORTAL = KOGAN_INBOX  # found by the registry (portalpilot/_registry.py)
