"""로그인 — `login`: "아이디", "비밀번호", then "로그인"."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import SecretStr

from pages._screen import reading, secret_text
from pages.cafe24._screen import SCREEN, SIGN_IN, goto, settle

LOCKED = re.compile(r"잠금|잠겼|locked", re.IGNORECASE)


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=SIGN_IN, exact=True)
        self.user_id = page.get_by_label("아이디", exact=True)
        self.password = page.get_by_label("비밀번호", exact=True)
        self.log_in_button = page.get_by_role("button", name="로그인", exact=True)
        self.alert = page.get_by_role("alert")
        # Signed in: every page has the menu "주문관리".
        self.menu = page.get_by_role("button", name="주문관리", exact=True)

    @reading
    def open(self, base_url: str) -> SignInPage:
        goto(self.page, base_url, "login")
        settle(self.page, self.heading)
        return self

    def log_in(self, user_id: str, password: SecretStr | str) -> None:
        """Submit the form once; the portal's refusal is raised, never retried here."""
        self.user_id.fill(user_id)
        # The secret leaves its SecretStr only here, as it is typed.
        self.password.fill(secret_text(password))
        self.log_in_button.click()
        SCREEN.signed_in(self.page, self.menu, self.alert, user_id, LOCKED)
