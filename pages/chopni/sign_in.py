"""Вход — `login`."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import secret_text
from pages.chopni._screen import SIGN_IN, SOMETHING_WRONG, goto, settle, signals
from portalpilot import LoginRejected, PortalDown, PortalFailure

LOCKED = re.compile(r"заключен", re.IGNORECASE)


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=SIGN_IN, exact=True)
        self.email = page.get_by_label("Имейл", exact=True)
        self.password = page.get_by_label("Парола", exact=True)
        self.log_in_button = page.get_by_role("button", name="Вход", exact=True)
        # The portal's refusal; "Нещо се обърка" is a failure, not an answer about the login.
        self.alert = page.get_by_role("alert").filter(
            has_text=re.compile(r"\S"), has_not_text=SOMETHING_WRONG
        )
        self.orders = page.get_by_role("heading", name="Поръчки", exact=True)

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
        _, maintenance, failure = signals(self.page)
        self.orders.or_(self.alert).or_(maintenance).or_(failure).first.wait_for()
        if self.orders.is_visible():
            return  # signed in, even if the list below the heading failed to load
        if maintenance.first.is_visible():
            raise PortalDown("the portal is down for maintenance")
        if self.alert.first.is_visible():
            message = self.alert.first.inner_text().strip()
            status = "account_locked" if LOCKED.search(message) else "login_rejected"
            raise LoginRejected(f"login rejected for {email}: {message}", status=status)
        raise PortalFailure(f"the portal failed while signing in ({self.page.url})")
