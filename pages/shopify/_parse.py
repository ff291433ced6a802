"""Reading Shopify's Australian formats: money `$1,234.50`, dates `12 Mar 2025 at 2:03 pm`.

What does not read as one is a PortalFailure: the page is not what the spec says.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from portalpilot import PortalFailure

MONEY = re.compile(r"([-−]?)\s*\$\s*(\d[\d,]*\.\d{2})")
DATETIME = re.compile(
    r"(\d{1,2})\s+([A-Z][a-z]{2})\s+(\d{4})\s+at\s+(\d{1,2}):(\d{2})\s*([ap]m)", re.IGNORECASE
)
ORDER_NUMBER = re.compile(r"^#?(\d+)$")


def squash(text: str) -> str:
    """Whitespace as a person reads it: runs of spaces and line breaks are one space."""
    return " ".join(text.split())


def to_money(match: re.Match[str]) -> Decimal:
    try:
        value = Decimal(match.group(2).replace(",", ""))
    except InvalidOperation as error:
        raise PortalFailure(f"bad amount {match.group(0)!r}") from error
    return -value if match.group(1) else value


def parse_money(text: str) -> Decimal:
    """The one amount in `text` (`$1,234.50`, `-$5.00`)."""
    found = MONEY.findall(text)
    match = MONEY.search(text)
    if match is None or len(found) != 1:
        raise PortalFailure(f"no single amount in {text!r}")
    return to_money(match)


def parse_datetime(text: str) -> datetime:
    """`12 Mar 2025 at 2:03 pm`."""
    match = DATETIME.search(text)
    if not match:
        raise PortalFailure(f"no date like '12 Mar 2025 at 2:03 pm' in {text!r}")
    day, month, year, hour, minute, half = match.groups()
    try:
        when = datetime.strptime(f"{day} {month.title()} {year}", "%d %b %Y")
    except ValueError:
        raise PortalFailure(f"bad date in {text!r}") from None
    clock = int(hour) % 12 + (12 if half.lower() == "pm" else 0)
    return when.replace(hour=clock, minute=int(minute))


def order_number(text: str) -> str:
    """ "#1042" from "1042" or "#1042"; anything else is a caller's mistake."""
    match = ORDER_NUMBER.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a Shopify order number like #1042")
    return f"#{match.group(1)}"


def labelled_amount(text: str, label: str) -> Decimal | None:
    """The amount on the line that starts with `label` ("Paid", "Net payment"), where a
    line may read "Paid  $59.90", "Paid: $59.90" or "Subtotal (2 items): $99.90"; None when
    no line starts with it. Several different amounts for one label raise."""
    pattern = re.compile(
        rf"^\s*{re.escape(label)}\b[^$\n]*?([-−]?)\s*\$\s*(\d[\d,]*\.\d{{2}})", re.M
    )
    values = {to_money(match) for match in pattern.finditer(text)}
    if len(values) > 1:
        raise PortalFailure(f"{label!r} shows several amounts: {sorted(values)}")
    return values.pop() if values else None
