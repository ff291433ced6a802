"""What any EasyAdmin page may turn out to be instead of the one expected, in its words,
and how a named part of a page is found.

The waiting and the answers are the shared `Screen`'s (pages/_screen.py). The spec names
the sign-in heading; it says nothing of the maintenance and error pages, so their words
are matched broadly (Korean or English).
"""

from __future__ import annotations

from pages._korean import MAINTENANCE, SOMETHING, SOMETHING_WRONG
from pages._parts import choose, chosen, mark_read, part, part_or_none, unread
from pages._screen import Screen, ScreenWords

SIGN_IN = "이지어드민 로그인"
SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle, answer = SCREEN.signals, SCREEN.goto, SCREEN.settle, SCREEN.answer

__all__ = [
    "SCREEN", "SIGN_IN", "SOMETHING", "answer", "choose", "chosen", "goto", "mark_read",
    "part", "part_or_none", "settle", "signals", "unread",
]  # fmt: skip
