"""Reading the portal's Bulgarian formats: dates dd.mm.yyyy, money `1 234,50 €`.

What does not read as one is a PortalFailure: the page is not what the spec says.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from portalpilot import PortalFailure

DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})(?:\s*г\.?)?(?:\s+(\d{1,2}):(\d{2}))?")


def parse_date(text: str) -> date:
    return parse_datetime(text).date()


def parse_datetime(text: str) -> datetime:
    """`15.05.2026` or `15.05.2026 14:30` (the time is optional)."""
    match = DATE.search(text)
    if not match:
        raise PortalFailure(f"no date in {text!r}")
    day, month, year, hour, minute = match.groups()
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))


def parse_money(text: str) -> Decimal:
    """`1 234,50 €` (spaces, no-break spaces or dots between thousands) as a Decimal."""
    match = re.search(r"-?\d[\d\s\u00a0\u202f.]*(?:,\d+)?", text)
    if not match or "€" not in text:
        raise PortalFailure(f"no amount in euro in {text!r}")
    digits = re.sub(r"[\s\u00a0\u202f.]", "", match.group(0)).replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation as error:
        raise PortalFailure(f"bad amount in {text!r}") from error


def squash(text: str) -> str:
    """Whitespace as a person reads it: runs of spaces and line breaks are one space."""
    return " ".join(text.split())
