"""What any Kogan page may turn out to be instead of the one expected.

A person glancing at the screen sees at once "I was logged out", "they are down for
maintenance" or "something went wrong". Page objects wait for what they expect *or* one
of these, and say which in the shared error vocabulary.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from playwright.sync_api import Locator, Page, Response

from portalpilot import PortalDown, PortalFailure, SessionExpired

MAINTENANCE = "Down for maintenance"
SOMETHING_WRONG = re.compile(r"Something went wrong")


def _signals(page: Page) -> tuple[Locator, Locator, Locator]:
    return (
        page.get_by_role("heading", name="Sign in", exact=True),
        page.get_by_role("heading", name=MAINTENANCE),
        # The error page, or a part of the page (the orders table) that failed to load.
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
    sign_in, maintenance, failure = _signals(page)
    expected.or_(sign_in).or_(maintenance).or_(failure).first.wait_for()
    if expected.first.is_visible() and not failure.first.is_visible():
        return
    if maintenance.is_visible():
        raise PortalDown(f"the portal is down for maintenance ({page.url})")
    if sign_in.is_visible():
        raise SessionExpired("the portal asked to sign in again")
    if failure.first.is_visible():
        raise PortalFailure(f"the portal answered 'Something went wrong' ({page.url})")
    raise PortalFailure(f"the page changed while it was read ({page.url})")
