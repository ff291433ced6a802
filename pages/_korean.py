"""Korean admin pages' formats (EasyAdmin, Cafe24): dates `2025-03-12 14:03`, counts,
money `12,900원`, text as NFC.

Every reader raises `PortalFailure` naming what it could not read: an unreadable page is
never taken for an empty one. Text is returned in Unicode NFC with runs of whitespace made
one space, so that what a flow compares (a product, an option) is compared as a person
reads it, whatever normal form the page was written in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from portalpilot import PortalFailure

DATETIME = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?\s+(\d{1,2}):(\d{2})")
DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
COUNT = re.compile(r"\d[\d,]*")
# The specs give no words for these pages: matched broadly, Korean or English.
MAINTENANCE = re.compile(r"점검|maintenance", re.IGNORECASE)
SOMETHING_WRONG = re.compile(r"Something went wrong|오류|문제가 발생")
SOMETHING = re.compile(r"\S")


def squash(text: str) -> str:
    """Whitespace as a person reads it, in NFC: one space, none at the ends."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def digits(text: str) -> str:
    """Only the digits (a phone number with or without hyphens)."""
    return "".join(c for c in text if c.isdigit())


def parse_datetime(text: str, what: str = "a time") -> datetime:
    """`2025-03-12 14:03`."""
    match = DATETIME.search(text)
    if not match:
        raise PortalFailure(f"{what} does not read as YYYY-MM-DD HH:MM: {squash(text)[:60]!r}")
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        raise PortalFailure(f"{what} reads {match.group(0)!r}, not a time") from None


def parse_date(text: str, what: str = "a date") -> date:
    """`2025-03-12` (a time after it is dropped)."""
    match = DATE.search(text)
    if not match:
        raise PortalFailure(f"{what} does not read as YYYY-MM-DD: {squash(text)[:60]!r}")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise PortalFailure(f"{what} reads {match.group(0)!r}, not a date") from None


def parse_count(text: str, what: str = "a quantity") -> int:
    """The one whole number in `text` (`2`, `2개`, `1,200`)."""
    found = COUNT.findall(text)
    if len(found) != 1:
        raise PortalFailure(f"{what} does not read as one number: {squash(text)[:60]!r}")
    return int(found[0].replace(",", ""))


def fact(text: str, label: str, *, spaced: bool = False) -> str | None:
    """The value next to `label` in a block of text, whatever the layout.

    "Label: value" on one line, "Label<TAB>value" (a table row), or "Label" then the value
    on the next line (a description list, stacked blocks); with `spaced`, "Label value"
    on one line too (inline elements), tried last. None when the label is not shown; ""
    when it is shown without a value.
    """
    lines = [squash(line) for line in text.splitlines()]
    wanted = squash(label)
    for number, line in enumerate(lines):
        if line in (wanted, f"{wanted}:", f"{wanted} :"):
            following = lines[number + 1 :]
            return next((value for value in following if value), "")
        match = re.match(rf"{re.escape(wanted)}\s*:\s*(.*)$", line)
        if match:
            return match.group(1).strip()
    # Table rows ("Label<TAB>value", maybe several pairs a row) keep their tabs only
    # before squashing: look at the raw lines.
    for raw in text.splitlines():
        cells = [squash(cell) for cell in raw.split("\t")]
        for index, cell in enumerate(cells[:-1]):
            if cell in (wanted, f"{wanted}:"):
                return cells[index + 1]
    if spaced:
        for line in lines:
            if line.startswith(wanted + " "):
                return line[len(wanted) :].strip()
    return None


MONEY = re.compile(r"(-?\d[\d,]*)\s*원")


def parse_money(text: str, what: str = "an amount") -> Decimal:
    """`12,900원`."""
    found = MONEY.findall(text)
    if len(found) != 1:
        raise PortalFailure(f"{what} does not read as one amount in 원: {squash(text)[:60]!r}")
    return Decimal(found[0].replace(",", ""))
