"""Reading the back office's formats: dates `dd/mm/yyyy HH:MM`, money `€1,234.50`, facts."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

DATETIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def parse_datetime(text: str) -> datetime:
    match = DATETIME.search(text)
    if not match:
        raise ValueError(f"no date and time in {text!r}")
    return datetime.strptime(match.group(0), "%d/%m/%Y %H:%M")


def parse_money(text: str) -> Decimal:
    match = re.search(r"€\s*([\d,]+(?:\.\d+)?)", text)
    if not match:
        raise ValueError(f"no amount in {text!r}")
    try:
        return Decimal(match.group(1).replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(f"bad amount in {text!r}") from error


def fact(text: str, label: str) -> str | None:
    """The value next to `label` in a block of text: "Label: value" or the next line.

    Description lists read as "Label" then "value" on the following line; other markups
    put both on one line. Either reads the same here.
    """
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines):
        if line == label or line == f"{label}:":
            return next((value for value in lines[number + 1 :] if value), None)
        if line.startswith(f"{label}:") or line.startswith(f"{label}\t"):
            return line[len(label) + 1 :].strip() or None
    return None
