"""Electronic Cart's words for its sign-in, maintenance and error pages.

Waiting for a page *or* one of those is shared by every portal: see `pages/_screen.py`.
"""

from __future__ import annotations

import re

from pages._screen import Screen, ScreenWords

SIGN_IN = "Sign in"
MAINTENANCE = re.compile(r"maintenance", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Something went wrong")

SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
goto, settle = SCREEN.goto, SCREEN.settle
