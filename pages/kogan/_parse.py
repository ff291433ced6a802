"""Reading the portal's Australian formats: dates dd/mm/yyyy, money $1,234.50.

What does not read as one is a PortalFailure: the page is not what the spec says.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from portalpilot import PortalFailure


def parse_date(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise PortalFailure(f"no date dd/mm/yyyy in {text!r}") from None


def parse_money(text: str) -> Decimal:
    match = re.search(r"-?\$\s*([\d,]+(?:\.\d+)?)", text)
    if not match:
        raise PortalFailure(f"no amount in {text!r}")
    try:
        return Decimal(match.group(1).replace(",", ""))
    except InvalidOperation as error:
        raise PortalFailure(f"bad amount in {text!r}") from error


def field_after(label: str, text: str) -> str | None:
    """The rest of the line after `label` (e.g. "Customer:") in a block of text."""
    match = re.search(rf"{re.escape(label)}\s*(.+)", text)
    return match.group(1).strip() if match else None
