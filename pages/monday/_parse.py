"""Reading and writing the board's formats: money `$49.95`, dates `Mar 12, 2025`.

What does not read as one is a PortalFailure: the page is not what the spec says.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from portalpilot import PortalFailure

MONEY = re.compile(r"^\s*(-?)\$\s*(-?[\d,]+(?:\.\d+)?)\s*$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def squash(text: str) -> str:
    """Whitespace as a person reads it: runs of spaces and line breaks are one space."""
    return " ".join(text.split())


def parse_money(text: str) -> Decimal:
    """`$49.95` (or `$1,049.95`) as a Decimal."""
    match = MONEY.match(text)
    if not match:
        raise PortalFailure(f"no amount in dollars in {text!r}")
    try:
        return Decimal(match.group(1) + match.group(2).replace(",", ""))
    except InvalidOperation as error:
        raise PortalFailure(f"bad amount in {text!r}") from error


def parse_date(text: str) -> date:
    """`Mar 12, 2025`."""
    try:
        return datetime.strptime(squash(text), "%b %d, %Y").date()
    except ValueError:
        raise PortalFailure(f"no date like 'Mar 12, 2025' in {text!r}") from None


def show_money(value: Decimal) -> str:
    """How the board shows an amount typed as `49.95`."""
    return f"${value:,.2f}"


def show_date(value: date) -> str:
    """How the board shows a date typed as `2025-03-12`, whatever the machine's locale."""
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"
