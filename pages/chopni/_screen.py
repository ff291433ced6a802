"""What any Chopni page may turn out to be instead of the one expected.

A person sees at once "I was signed out", "they are down for maintenance" or "something
went wrong". Page objects wait for what they expect *or* one of these, and say which in
the shared error vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urljoin, urlparse

from playwright.sync_api import Locator, Page, Response

from pages.chopni._parse import squash
from portalpilot import PortalDown, PortalFailure, SessionExpired

SIGN_IN = "Вход в профила на продавача"
MAINTENANCE = re.compile(r"Профилактика", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Нещо се обърка")


def signals(page: Page) -> tuple[Locator, Locator, Locator]:
    """(the sign-in page, the maintenance page, an error page or alert)."""
    return (
        page.get_by_role("heading", name=SIGN_IN, exact=True),
        page.get_by_role("heading", name=MAINTENANCE),
        page.get_by_role("heading", name=SOMETHING_WRONG).or_(
            page.get_by_role("alert").filter(has_text=SOMETHING_WRONG)
        ),
    )


def goto(page: Page, base_url: str, path: str) -> Response | None:
    """Open a portal path, turning the portal's error answers into errors."""
    response = page.goto(urljoin(base_url, path))
    if response is not None and response.status == 503:
        raise PortalDown(f"the portal is down for maintenance ({page.url})")
    if response is not None and response.status >= 500:
        raise PortalFailure(f"the portal answered HTTP {response.status} for {path}")
    if urlparse(page.url).path.endswith("/login") and not path.startswith("login"):
        raise SessionExpired("the portal asked to sign in again")
    return response


def settle(page: Page, expected: Locator) -> None:
    """Wait until `expected` shows, or raise what the page shows instead."""
    sign_in, maintenance, failure = signals(page)
    expected.or_(sign_in).or_(maintenance).or_(failure).first.wait_for()
    if expected.first.is_visible() and not failure.first.is_visible():
        return
    if maintenance.first.is_visible():
        raise PortalDown(f"the portal is down for maintenance ({page.url})")
    if sign_in.is_visible():
        raise SessionExpired("the portal asked to sign in again")
    if failure.first.is_visible():
        raise PortalFailure(f"the portal answered 'Нещо се обърка' ({page.url})")
    raise PortalFailure(f"the page changed while it was read ({page.url})")


class Answer(Enum):
    """What the portal answered to a state-changing click."""

    DONE = "done"  # the success the page object waited for shows
    REFUSED = "refused"  # an alert with the portal's rule
    FAILED = "failed"  # "Нещо се обърка": the change may or may not have happened
    SIGNED_OUT = "signed_out"
    DOWN = "down"


@dataclass(frozen=True)
class Confirmation:
    answer: Answer
    message: str


def answer_of(page: Page, success: Locator, alert: Locator) -> Confirmation:
    """Wait for the answer to a click that was just made, whatever it is, and say which."""
    sign_in, maintenance, failure = signals(page)
    rule = alert.filter(has_not_text=SOMETHING_WRONG)
    success.or_(rule).or_(sign_in).or_(maintenance).or_(failure).first.wait_for()
    if success.first.is_visible():
        return Confirmation(Answer.DONE, squash(success.first.inner_text()))
    if rule.first.is_visible():
        return Confirmation(Answer.REFUSED, squash(rule.first.inner_text()))
    if sign_in.is_visible():
        return Confirmation(Answer.SIGNED_OUT, "the portal asked to sign in again")
    if maintenance.first.is_visible():
        return Confirmation(Answer.DOWN, "the portal is down for maintenance")
    return Confirmation(Answer.FAILED, squash(failure.first.inner_text()))
