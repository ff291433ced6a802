"""Checks made before any browser starts, so that a bad setting is exit 2, not a retry loop.

A mistyped base URL used to look like a portal that is down: retried for half a minute,
then exit 3 with Playwright's words. One plain HTTP request to the sign-in page tells
them apart: an address that answers 404, or a page with no password field, is not that
portal's sign-in page (exit 2, naming the setting). A portal that does not answer, or
answers 5xx, may be down for a while: that is left to the runner's retries.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import httpx

from portalpilot._errors import ConfigError
from portalpilot._flow import Flow, Portal
from portalpilot._registry import is_procedure
from portalpilot._settings import Settings

TIMEOUT_S = 10.0
NOT_THERE = (404, 410)


def preflight(settings: Settings, flow: Flow[Any]) -> str:
    """The account (email) the flow will sign in as; ConfigError names what is wrong.

    A procedure (portalpilot/_procedure.py) checks every system it works in."""
    settings.check_names()
    if is_procedure(flow):
        account: str = flow.preflight(settings)  # type: ignore[attr-defined]
        return account
    portal = settings.portal(flow.portal.name)
    base_url, email, _ = portal.require(flow.portal.name)
    check_sign_in_page(flow.portal, base_url)
    return email


def check_sign_in_page(portal: Portal, base_url: str) -> None:
    """ConfigError if `base_url` does not lead to the portal's sign-in page."""
    variable = f"PORTALPILOT_{portal.name.upper()}__BASE_URL"
    url = urljoin(base_url, portal.login_path)
    try:
        answer = httpx.get(url, timeout=TIMEOUT_S, follow_redirects=True)
    except httpx.HTTPError:
        return  # down or unreachable for now: the runner retries and says so
    if answer.status_code in NOT_THERE:
        raise ConfigError(
            f"{variable}: {url} answered HTTP {answer.status_code}: that address is not the "
            f"{portal.title}'s sign-in page; check the base URL"
        )
    if answer.status_code != 200:
        return  # 5xx, 429…: the portal's trouble, not the setting's
    # Every sign-in page the specs describe asks for an email and a password (a two-step
    # one, Shopify's or monday's, the email first); a page with neither word is another
    # site, or another app on the same host.
    text = answer.text.lower()
    if "password" not in text and "email" not in text:
        raise ConfigError(
            f"{variable}: {url} is not the {portal.title}'s sign-in page (it asks for no "
            "email or password); check the base URL"
        )
