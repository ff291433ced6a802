"""Log in — `login`: "Email", "Next", then "Password", "Log in"."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.monday._screen import SCREEN, SIGN_IN, SOMETHING_WRONG, goto, settle, signals

LOCKED = re.compile(r"locked|too many", re.IGNORECASE)
BOARD_NAME = "Refunds"
SOMETHING = re.compile(r"\S")


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=SIGN_IN, exact=True)
        self.email = page.get_by_label("Email", exact=True)
        self.next_button = page.get_by_role("button", name="Next", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.log_in_button = page.get_by_role("button", name="Log in", exact=True)
        self.alert = page.get_by_role("alert")
        self.board = page.get_by_role("heading", name=BOARD_NAME, exact=True)

    @reading
    def open(self, base_url: str) -> SignInPage:
        goto(self.page, base_url, "login")
        settle(self.page, self.heading)
        return self

    def log_in(self, email: str, password: SecretStr | str) -> None:
        """Both steps once; the portal's refusal is raised, never retried here.

        Signed in means the board: the portal lands on it after the password.
        """
        self.email.fill(email)
        self.next_button.click()
        _, maintenance, failure = signals(self.page)
        said = self.alert.filter(has_text=SOMETHING, has_not_text=SOMETHING_WRONG)
        self.password.or_(said).or_(maintenance).or_(failure).first.wait_for()
        if not self.password.is_visible():
            # Refused at the first step, or down: the shared reading raises which.
            SCREEN.signed_in(self.page, self.password, self.alert, email, LOCKED)
        # The secret leaves its SecretStr only here, as it is typed.
        self.password.fill(secret_text(password))
        self.log_in_button.click()
        SCREEN.signed_in(self.page, self.board, self.alert, email, LOCKED)
