"""What any Kogan inbox page may turn out to be instead of the one expected, in its words.

The waiting and the answers are the shared `Screen`'s (pages/_screen.py); only the words
are the inbox's.
"""

from __future__ import annotations

import re

from pages._screen import Screen, ScreenWords

SIGN_IN = "Sign in to Kogan Marketplace"
MAINTENANCE = re.compile(r"down for maintenance", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Something went wrong")

SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle, answer = SCREEN.signals, SCREEN.goto, SCREEN.settle, SCREEN.answer
