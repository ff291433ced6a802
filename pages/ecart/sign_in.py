"""Sign in — `login`."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.ecart._screen import SCREEN, SIGN_IN, goto, settle

LOCKED = re.compile(r"locked", re.IGNORECASE)


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=SIGN_IN, exact=True)
        self.email = page.get_by_label("Email", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.sign_in_button = page.get_by_role("button", name="Sign in", exact=True)
        self.alert = page.get_by_role("alert")
        self.orders = page.get_by_role("heading", name="Orders", exact=True)

    @reading
    def open(self, base_url: str) -> SignInPage:
        goto(self.page, base_url, "login")
        settle(self.page, self.heading)
        return self

    def log_in(self, email: str, password: SecretStr | str) -> None:
        """Submit the form once; the portal's refusal is raised, never retried here."""
        self.email.fill(email)
        # The secret leaves its SecretStr only here, as it is typed.
        self.password.fill(secret_text(password))
        self.sign_in_button.click()
        SCREEN.signed_in(self.page, self.orders, self.alert, email, LOCKED)
