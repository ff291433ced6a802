"""What any monday page may turn out to be instead of the one expected, in its words.

The waiting and the answers are the shared `Screen`'s (pages/_screen.py); only the words
are monday's.
"""

from __future__ import annotations

import re

from pages._screen import Screen, ScreenWords

SIGN_IN = "Log in to your account"
MAINTENANCE = re.compile(r"Under maintenance", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Something went wrong")

SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle, answer = SCREEN.signals, SCREEN.goto, SCREEN.settle, SCREEN.answer
