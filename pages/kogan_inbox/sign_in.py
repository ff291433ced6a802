"""Sign in — `login`."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.kogan_inbox._screen import SCREEN, SIGN_IN, goto, settle

LOCKED = re.compile(r"Too many failed attempts", re.IGNORECASE)


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=SIGN_IN, exact=True)
        self.email = page.get_by_label("Email", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.sign_in_button = page.get_by_role("button", name="Sign in", exact=True)
        self.alert = page.get_by_role("alert")
        # Signed in: any agent page shows the "Views" navigation or the "Search" field.
        self.signed_in = page.get_by_role("navigation", name="Views", exact=True).or_(
            page.get_by_label("Search", exact=True)
        )

    @reading
    def open(self, base_url: str, return_to: str | None = None) -> SignInPage:
        goto(self.page, base_url, "login" + (f"?return_to={return_to}" if return_to else ""))
        settle(self.page, self.heading)
        return self

    def log_in(self, email: str, password: SecretStr | str) -> None:
        """Submit the form once; the portal's refusal is raised, never retried here."""
        self.email.fill(email)
        # The secret leaves its SecretStr only here, as it is typed.
        self.password.fill(secret_text(password))
        self.sign_in_button.click()
        SCREEN.signed_in(self.page, self.signed_in, self.alert, email, LOCKED)
