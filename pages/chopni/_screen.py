"""What any Chopni page may turn out to be instead of the one expected.

A person sees at once "I was signed out", "they are down for maintenance" or "something
went wrong". Page objects wait for what they expect *or* one of these, and say which in
the shared error vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from playwright.sync_api import Locator, Page

from pages._screen import Screen, ScreenWords
from pages.chopni._parse import squash

SIGN_IN = "Вход в профила на продавача"
MAINTENANCE = re.compile(r"Профилактика", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Нещо се обърка")


SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle = SCREEN.signals, SCREEN.goto, SCREEN.settle


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
