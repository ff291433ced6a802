"""What any back-office page may turn out to be instead of the one expected.

Signed out, under maintenance, "Something went wrong": page objects wait for what they
expect *or* one of these, and say which in the shared error vocabulary. After a
state-changing click they report what the portal answered instead of raising, because
the flow must verify such an outcome before anything is tried again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from playwright.sync_api import Locator, Page

from pages._screen import Screen, ScreenWords
from pages.mirakl._parse import parse_datetime

MAINTENANCE = "Under maintenance"
SOMETHING_WRONG = re.compile(r"Something went wrong")
PORTAL_TIME = re.compile(r"^\s*Portal time:\s*\d{2}/\d{2}/\d{4} \d{2}:\d{2}\s*$")


SCREEN = Screen(ScreenWords("Sign in", MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle = SCREEN.signals, SCREEN.goto, SCREEN.settle


def portal_now(page: Page) -> datetime | None:
    """The portal's own clock, when its header shows one ("Portal time: ...")."""
    clock = page.get_by_text(PORTAL_TIME)
    if not clock.count():
        return None
    return parse_datetime(clock.first.inner_text())


class Answer(Enum):
    """What the portal answered to a state-changing click."""

    DONE = "done"  # the page says it was done
    REFUSED = "refused"  # an alert in the form: nothing was changed
    FAILED = "failed"  # "Something went wrong": it may or may not have happened
    SIGNED_OUT = "signed_out"
    DOWN = "down"


@dataclass(frozen=True)
class Confirmation:
    answer: Answer
    message: str


def answer_after(page: Page, done: Locator, alert: Locator) -> Confirmation:
    """Wait for the portal's answer to the click just made, whatever it is."""
    sign_in, maintenance, failure = signals(page)
    done.or_(alert).or_(failure).or_(sign_in).or_(maintenance).first.wait_for()
    if done.count():
        return Confirmation(Answer.DONE, done.first.inner_text().strip())
    if alert.count() and not failure.count():
        return Confirmation(Answer.REFUSED, alert.first.inner_text().strip())
    if sign_in.count():
        return Confirmation(Answer.SIGNED_OUT, "the portal asked to sign in again")
    if maintenance.count():
        return Confirmation(Answer.DOWN, "the portal is down for maintenance")
    return Confirmation(Answer.FAILED, "the portal answered 'Something went wrong'")


def read_table(table: Locator) -> list[tuple[dict[str, str], Locator]]:
    """Each body row as {column header: cell text}, with the row, read by header name."""
    headers = [
        " ".join(text.split()) for text in table.get_by_role("columnheader").all_inner_texts()
    ]
    rows = table.get_by_role("row").filter(has=table.page.get_by_role("cell"))
    found = []
    for row in rows.all():
        cells = [" ".join(text.split()) for text in row.get_by_role("cell").all_inner_texts()]
        found.append((dict(zip(headers, cells, strict=False)), row))
    return found


def cell(row: Locator, headers: list[str], name: str) -> Locator:
    """The cell of `row` under the column headed `name`."""
    return row.get_by_role("cell").nth(headers.index(name))
