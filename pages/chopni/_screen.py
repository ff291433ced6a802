"""What any Chopni page may turn out to be instead of the one expected, in Chopni's words.

The waiting and the answers are the shared `Screen`'s (pages/_screen.py); only the words
are Chopni's.
"""

from __future__ import annotations

import re

from pages._screen import Screen, ScreenWords

SIGN_IN = "Вход в профила на продавача"
MAINTENANCE = re.compile(r"Профилактика", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Нещо се обърка")


SCREEN = Screen(ScreenWords(SIGN_IN, MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle, answer = SCREEN.signals, SCREEN.goto, SCREEN.settle, SCREEN.answer
