"""Log in — `login`: two steps, "Email" then "Continue with email", "Password" then "Log in"."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.shopify._parse import squash
from pages.shopify._screen import SCREEN, SIGN_IN, goto, settle
from portalpilot import LoginRejected, PortalDown, PortalFailure

LOCKED = re.compile(r"locked", re.IGNORECASE)
SOMETHING = re.compile(r"\S")


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=SIGN_IN, exact=True)
        self.email = page.get_by_label("Email", exact=True)
        self.continue_button = page.get_by_role("button", name="Continue with email", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.log_in_button = page.get_by_role("button", name="Log in", exact=True)
        self.alert = page.get_by_role("alert")
        self.orders = page.get_by_role("heading", name="Orders", exact=True)

    @reading
    def open(self, base_url: str) -> SignInPage:
        goto(self.page, base_url, "login")
        settle(self.page, self.email)
        return self

    def log_in(self, email: str, password: SecretStr | str) -> None:
        """Both steps, each submitted once; the portal's refusal is raised, never retried."""
        self.email.fill(email)
        self.continue_button.click()
        self._wait_for_password(email)
        # The secret leaves its SecretStr only here, as it is typed.
        self.password.fill(secret_text(password))
        self.log_in_button.click()
        SCREEN.signed_in(self.page, self.orders, self.alert, email, LOCKED)

    def _wait_for_password(self, email: str) -> None:
        """The second step, or what the portal shows instead (the sign-in heading shows on
        both steps, so it tells nothing here)."""
        _, maintenance, failure = SCREEN.signals(self.page)
        said_no = self.alert.filter(has_text=SOMETHING, has_not_text=SCREEN.words.something_wrong)
        self.password.or_(said_no).or_(maintenance).or_(failure).first.wait_for()
        if self.password.first.is_visible():
            return
        if maintenance.first.is_visible():
            raise PortalDown(f"the portal is down for maintenance ({self.page.url})")
        if said_no.first.is_visible():
            message = squash(said_no.first.inner_text())
            raise LoginRejected(f"login rejected for {email}: {message}")
        raise PortalFailure(f"the portal failed while signing in ({self.page.url})")
