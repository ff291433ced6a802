"""What any portal page may turn out to be instead of the one expected.

A person glancing at the screen sees at once "I was signed out", "they are down for
maintenance" or "something went wrong". Page objects wait for what they expect *or* one
of these, and say which in the shared error vocabulary. Each portal gives its own words
(`ScreenWords`); the waiting and the errors are the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

from playwright.sync_api import Locator, Page, Response

from portalpilot import PortalDown, PortalFailure, SessionExpired

Words = str | re.Pattern[str]


@dataclass(frozen=True)
class ScreenWords:
    sign_in: Words  # the sign-in page's heading
    maintenance: Words  # the maintenance page's heading
    something_wrong: re.Pattern[str]  # an error page's heading, or a failed part's alert


@dataclass(frozen=True)
class Screen:
    words: ScreenWords

    def signals(self, page: Page) -> tuple[Locator, Locator, Locator]:
        """(the sign-in page, the maintenance page, an error page or alert)."""
        wrong = self.words.something_wrong
        return (
            page.get_by_role("heading", name=self.words.sign_in, exact=True),
            page.get_by_role("heading", name=self.words.maintenance),
            # The error page, or a part of the page (a list) that failed to load.
            page.get_by_role("heading", name=wrong).or_(
                page.get_by_role("alert").filter(has_text=wrong)
            ),
        )

    def goto(self, page: Page, base_url: str, path: str) -> Response | None:
        """Open a portal path, turning the portal's error answers into errors."""
        response = page.goto(urljoin(base_url, path))
        if response is not None and response.status == 503:
            raise PortalDown(f"the portal is down for maintenance ({page.url})")
        if response is not None and response.status >= 500:
            raise PortalFailure(f"the portal answered HTTP {response.status} for {path}")
        if urlparse(page.url).path.endswith("/login") and not path.startswith("login"):
            raise SessionExpired("the portal asked to sign in again")
        return response

    def settle(self, page: Page, expected: Locator) -> None:
        """Wait until `expected` shows, or raise what the page shows instead."""
        sign_in, maintenance, failure = self.signals(page)
        expected.or_(sign_in).or_(maintenance).or_(failure).first.wait_for()
        if expected.first.is_visible() and not failure.first.is_visible():
            return
        if maintenance.first.is_visible():
            raise PortalDown(f"the portal is down for maintenance ({page.url})")
        if sign_in.first.is_visible():
            raise SessionExpired("the portal asked to sign in again")
        if failure.first.is_visible():
            text = " ".join(failure.first.inner_text().split())
            raise PortalFailure(f"the portal answered {text!r} ({page.url})")
        raise PortalFailure(f"the page changed while it was read ({page.url})")
