"""Reading the back office's formats: dates `dd/mm/yyyy HH:MM`, money `€1,234.50`, facts.

Every reader raises `PortalFailure` naming what it could not read: an unreadable page is
never taken for an empty one.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from portalpilot import PortalFailure

DATETIME = re.compile(r"(\d{2}/\d{2}/\d{4})\s+(\d{2}:\d{2})")
MONEY = re.compile(r"€\s*(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")


def squash(text: str) -> str:
    """Whitespace as a person reads it: one space, none at the ends."""
    return " ".join(text.split())


def parse_datetime(text: str, what: str = "a date") -> datetime:
    match = DATETIME.search(text)
    if not match:
        raise PortalFailure(f"{what} does not read as dd/mm/yyyy HH:MM: {squash(text)[:60]!r}")
    return datetime.strptime(f"{match.group(1)} {match.group(2)}", "%d/%m/%Y %H:%M")


def parse_money(text: str, what: str = "an amount") -> Decimal:
    match = MONEY.search(text)
    if not match:
        raise PortalFailure(f"{what} does not read as an amount in euros: {squash(text)[:60]!r}")
    try:
        return Decimal(match.group(1).replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern rules it out
        raise PortalFailure(f"{what} reads {match.group(0)!r}") from error


def parse_count(text: str, what: str = "a quantity") -> int:
    match = re.search(r"\d+", text)
    if not match:
        raise PortalFailure(f"{what} does not read as a number: {squash(text)[:60]!r}")
    return int(match.group(0))


def fact(text: str, label: str) -> str | None:
    """The value next to `label` in a block of text, whatever the layout.

    "Label: value" on one line (inline elements, a split `<span>Label:</span> <b>v</b>`),
    "Label<TAB>value" (a table row), or "Label" then the value on the next line (a
    description list, stacked blocks). None when the label is not shown at all.
    """
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines):
        if line.casefold() in (label.casefold(), f"{label}:".casefold()):
            return next((value for value in lines[number + 1 :] if value), None)
        match = re.match(rf"{re.escape(label)}\s*(?::|\t)\s*(.*)$", line, re.IGNORECASE)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return None
