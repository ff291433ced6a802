"""The Kogan dispatch portal's words for its sign-in, maintenance and error pages.

Waiting for a page *or* one of those is shared by every portal: see `pages/_screen.py`.
"""

from __future__ import annotations

import re

from pages._screen import Screen, ScreenWords

MAINTENANCE = "Down for maintenance"
SOMETHING_WRONG = re.compile(r"Something went wrong")

SCREEN = Screen(ScreenWords("Sign in", MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle = SCREEN.signals, SCREEN.goto, SCREEN.settle
