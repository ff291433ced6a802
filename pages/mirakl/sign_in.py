"""Sign in — `login`."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.mirakl._screen import SCREEN, goto, settle

LOCKED = re.compile(r"locked", re.IGNORECASE)


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Sign in", exact=True)
        self.email = page.get_by_label("Email", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.sign_in_button = page.get_by_role("button", name="Sign in", exact=True)
        self.alert = page.get_by_role("alert")
        # Signed in: the navigation with "Orders" shows on every page.
        self.signed_in = page.get_by_role("navigation").get_by_role("link", name="Orders")

    @reading
    def open(self, base_url: str) -> SignInPage:
        goto(self.page, base_url, "login")
        settle(self.page, self.heading)
        return self

    def log_in(self, email: str, password: SecretStr | str) -> None:
        """Submit the form once; the portal's refusal is raised, never retried here.

        Signed in wins over any alert: the landing page's list may fail to load, and
        that "Something went wrong" is the portal's trouble, not a rejected login.
        """
        self.email.fill(email)
        # The secret leaves its SecretStr only here, as it is typed.
        self.password.fill(secret_text(password))
        self.sign_in_button.click()
        SCREEN.signed_in(self.page, self.signed_in, self.alert, email, LOCKED)
