"""What any Shopify admin page may turn out to be instead of the one expected, in its words.

The waiting and the answers are the shared `Screen`'s (pages/_screen.py); the words, and
how a card of a page is found, are Shopify's.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from pages._screen import Screen, ScreenWords
from pages.shopify._parse import squash
from portalpilot import PortalFailure

SIGN_IN = "Log in"
MAINTENANCE = re.compile(r"Down for maintenance", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Something went wrong")

SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle, answer = SCREEN.signals, SCREEN.goto, SCREEN.settle, SCREEN.answer


def innermost(holders: Locator) -> Locator | None:
    """The innermost of elements that each hold the same thing (ancestors come first in
    document order, so it is the last); None when there is none."""
    count = holders.count()
    return holders.nth(count - 1) if count else None


def card(page: Page, name: str | re.Pattern[str]) -> Locator:
    """The card named by its heading ("Customer", "Fulfilled (2)"): its region when the
    page makes it one, else all around the heading up to where another heading begins
    (the outermost element holding this heading and no other). Two cards with the name
    raise."""
    exact = isinstance(name, str)
    heading = page.get_by_role("heading", name=name, exact=exact)
    if heading.count() != 1:
        raise PortalFailure(f"the page shows {heading.count()} headings {name!r}, not one")
    region = page.get_by_role("region", name=name, exact=exact)
    if region.count() == 1:
        return region
    holders = page.locator("*").filter(has=heading)
    found = None
    for index in reversed(range(holders.count())):
        holder = holders.nth(index)
        if holder.get_by_role("heading").count() > 1:
            break
        found = holder
    if found is None:
        raise PortalFailure(f"the card {name!r} could not be told from the rest of the page")
    return found


def card_text(page: Page, name: str | re.Pattern[str]) -> tuple[str, str]:
    """(the card's heading, the card's text without its heading), line breaks kept."""
    holder = card(page, name)
    heading = holder.get_by_role("heading", name=name, exact=isinstance(name, str)).first
    title = squash(heading.inner_text())
    text = holder.inner_text()
    head, found, rest = text.partition(title)
    if not found:
        raise PortalFailure(f"the card {title!r} does not show its heading")
    return title, head + rest
