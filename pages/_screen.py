"""What any portal page may turn out to be instead of the one expected.

A person glancing at the screen sees at once "I was signed out", "they are down for
maintenance" or "something went wrong". Page objects wait for what they expect *or* one
of these, and say which in the shared error vocabulary. Each portal gives its own words
(`ScreenWords`); the waiting and the errors are the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar
from urllib.parse import urljoin, urlparse

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Response
from pydantic import SecretStr
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from portalpilot import Answer, LoginRejected, PortalDown, PortalFailure, Reply, SessionExpired

Words = str | re.Pattern[str]
P = ParamSpec("P")
R = TypeVar("R")

READ_TRIES = 4  # a page or list that failed to load is loaded again, as a person would


def secret_text(value: SecretStr | str) -> str:
    """The secret's text, for the one moment it is typed into its field."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _reloadable(error: BaseException) -> bool:
    # The portal's error page or a failed list, a timeout, a dropped connection: a reload
    # may fix them. Maintenance and a sign-in page are not a reload's business.
    if isinstance(error, PortalDown | SessionExpired):
        return False
    return isinstance(error, PortalFailure | PlaywrightError)


def reading(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a page method that opens and reads a page: idempotent, so it is done again
    in place (bounded, with backoff) when the portal answered 500, timed out or showed its
    error page. A new attempt of the whole flow is for what a reload cannot fix."""
    return retry(
        retry=retry_if_exception(_reloadable),
        stop=stop_after_attempt(READ_TRIES),
        wait=wait_exponential_jitter(multiplier=0.1, max=1.0, jitter=0.1),
        reraise=True,
    )(method)


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

    def settle(self, page: Page, expected: Locator, timeout_ms: float | None = None) -> None:
        """Wait until `expected` shows, or raise what the page shows instead."""
        sign_in, maintenance, failure = self.signals(page)
        expected.or_(sign_in).or_(maintenance).or_(failure).first.wait_for(timeout=timeout_ms)
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

    def answer(self, page: Page, success: Locator, rule: Locator) -> Reply:
        """Wait for the portal's answer to a click just made, whatever it is, and say which.

        `success` is what the portal shows when it took the change (a status message);
        `rule` is where it says no (an alert). Its error alert or page counts as FAILED:
        the change may or may not have happened, and only a reading can tell.
        """
        sign_in, maintenance, failure = self.signals(page)
        said_no = rule.filter(has_not_text=self.words.something_wrong)
        success.or_(said_no).or_(sign_in).or_(maintenance).or_(failure).first.wait_for()
        if success.first.is_visible():
            return Reply(Answer.DONE, _text(success.first))
        if said_no.first.is_visible():
            return Reply(Answer.REFUSED, _text(said_no.first))
        if sign_in.first.is_visible():
            return Reply(Answer.SIGNED_OUT, "the portal asked to sign in again")
        if maintenance.first.is_visible():
            return Reply(Answer.DOWN, "the portal is down for maintenance")
        if failure.first.is_visible():
            return Reply(Answer.FAILED, _text(failure.first))
        return Reply(Answer.UNSEEN, f"the page changed while the answer was awaited ({page.url})")

    def signed_in(
        self, page: Page, landing: Locator, alert: Locator, email: str, locked: re.Pattern[str]
    ) -> None:
        """Wait for the answer to a sign-in just submitted; raise unless signed in.

        The landing page wins over any alert (a list on it may fail to load: the portal's
        trouble, not a rejected login). An alert with the portal's words is a rejection
        (LoginRejected, never retried: lockout); its error page or alert is a failure.
        """
        _, maintenance, failure = self.signals(page)
        said_no = alert.filter(has_text=re.compile(r"\S"), has_not_text=self.words.something_wrong)
        landing.or_(said_no).or_(maintenance).or_(failure).first.wait_for()
        if landing.first.is_visible():
            return
        if maintenance.first.is_visible():
            raise PortalDown(f"the portal is down for maintenance ({page.url})")
        if said_no.first.is_visible():
            message = _text(said_no.first)
            status = "account_locked" if locked.search(message) else "login_rejected"
            raise LoginRejected(f"login rejected for {email}: {message}", status=status)
        raise PortalFailure(f"the portal failed while signing in ({page.url})")


def _text(locator: Locator) -> str:
    return " ".join(locator.inner_text().split())
