"""Sign in — `login`."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.kogan._screen import MAINTENANCE, SOMETHING_WRONG, goto, settle
from portalpilot import LoginRejected, PortalDown, PortalFailure

LOCKED = re.compile(r"account is locked", re.IGNORECASE)


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Sign in", exact=True)
        self.email = page.get_by_label("Email")
        self.password = page.get_by_label("Password")
        self.log_in_button = page.get_by_role("button", name="Log in")
        self.alert = page.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        self.dashboard = page.get_by_role("heading", name="Dashboard")
        self.maintenance = page.get_by_role("heading", name=MAINTENANCE)

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
        self.log_in_button.click()
        failed = self.page.get_by_role("heading", name=SOMETHING_WRONG)
        self.dashboard.or_(self.alert).or_(self.maintenance).or_(failed).first.wait_for()
        if self.maintenance.is_visible():
            raise PortalDown("the portal is down for maintenance")
        if failed.is_visible():
            raise PortalFailure("the portal answered 'Something went wrong' to the login")
        if self.alert.first.is_visible():
            message = self.alert.first.inner_text().strip()
            status = "account_locked" if LOCKED.search(message) else "login_rejected"
            raise LoginRejected(f"login rejected for {email}: {message}", status=status)
