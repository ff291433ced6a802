"""Reading Electronic Cart's formats (English, Australia): dates dd/mm/yyyy, money $1,234.50,
items `2 × Title (SKU)`, Shopify orders `#1042` or "Not synced".

What does not read as one is a PortalFailure: the page is not what the spec says.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from portalpilot import PortalFailure

DATE = re.compile(r"^\s*(\d{2})/(\d{2})/(\d{4})(?:,?\s+(\d{1,2}):(\d{2}))?")
MONEY = re.compile(r"^\s*\$\s*(\d{1,3}(?:,\d{3})*(?:\.\d{2})?)\s*(?:AUD)?\s*$")
SHOPIFY = re.compile(r"^#\d+$")
NOT_SYNCED = "Not synced"
# `2 × Title (SKU)`: the SKU is the last parenthesis, a title may hold others.
ITEM = re.compile(r"^(\d+)\s*[×x]\s*(.+?)\s*\(([^()\s]+)\)$")


def squash(text: str) -> str:
    """Whitespace as a person reads it: runs of spaces and line breaks are one space."""
    return " ".join(text.split())


def parse_date(text: str) -> date:
    match = DATE.match(text)
    if not match or match.group(4) is not None or squash(text) != match.group(0).strip():
        raise PortalFailure(f"no date dd/mm/yyyy in {text!r}")
    return _datetime(match).date()


def split_dated(text: str) -> tuple[datetime, str]:
    """`01/05/2026 10:38 Imported from Kogan` (a dash or colon may follow the date)."""
    match = DATE.match(text)
    if not match:
        raise PortalFailure(f"no date dd/mm/yyyy at the start of {text!r}")
    rest = text[match.end() :].strip().lstrip("—–-:").strip()
    return _datetime(match), squash(rest)


def _datetime(match: re.Match[str]) -> datetime:
    day, month, year, hour, minute = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        raise PortalFailure(f"not a date: {match.group(0)!r}") from None


def parse_money(text: str) -> Decimal:
    match = MONEY.match(text)
    if not match:
        raise PortalFailure(f"no amount $1,234.50 in {text!r}")
    try:
        return Decimal(match.group(1).replace(",", ""))
    except InvalidOperation as error:
        raise PortalFailure(f"bad amount in {text!r}") from error


def parse_shopify(text: str) -> str | None:
    """`#1042`, or None for "Not synced" (no Shopify order yet)."""
    text = squash(text)
    if text == NOT_SYNCED:
        return None
    if not SHOPIFY.match(text):
        raise PortalFailure(f"not a Shopify order number or {NOT_SYNCED!r}: {text!r}")
    return text


def parse_quantity(text: str) -> int:
    text = squash(text)
    if not text.isdigit():
        raise PortalFailure(f"not a quantity: {text!r}")
    return int(text)
