"""Reading the inbox's formats: dates `dd/mm/yyyy HH:MM`, "Label: value" facts, tables.

Every reader raises `PortalFailure` naming what it could not read: an unreadable page is
never taken for an empty one.
"""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Locator

from portalpilot import PortalFailure

DATETIME = re.compile(r"(\d{2}/\d{2}/\d{4})\s+(\d{2}:\d{2})")
STATUSES = ("New", "Open", "Pending", "On-hold", "Solved", "Closed")


def squash(text: str) -> str:
    """Whitespace as a person reads it: one space, none at the ends."""
    return " ".join(text.split())


def parse_datetime(text: str, what: str = "a date") -> datetime:
    match = DATETIME.search(text)
    if not match:
        raise PortalFailure(f"{what} does not read as dd/mm/yyyy HH:MM: {squash(text)[:60]!r}")
    return datetime.strptime(f"{match.group(1)} {match.group(2)}", "%d/%m/%Y %H:%M")


def parse_status(text: str) -> str:
    """One of the six status words, whole; anything else (a letter, a colour) fails."""
    word = squash(text)
    if word not in STATUSES:
        raise PortalFailure(f"{word[:40]!r} is not a ticket status")
    return word


def fact(text: str, label: str) -> str | None:
    """The value next to `label` in a block of text, whatever the layout: "Label: value"
    on one line, or "Label" then the value on the next line. None when not shown."""
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines):
        if line.casefold() in (label.casefold(), f"{label}:".casefold()):
            return next((value for value in lines[number + 1 :] if value), None)
        match = re.match(rf"{re.escape(label)}\s*:\s*(.*)$", line, re.IGNORECASE)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return None


def tables_with(scope: Locator, headers: tuple[str, ...]) -> Locator:
    """The tables or ARIA grids in `scope` with a column headed by each of `headers`."""
    found = scope.get_by_role("table").or_(scope.get_by_role("grid"))
    for header in headers:
        found = found.filter(has=scope.page.get_by_role("columnheader", name=header, exact=True))
    return found


def table_rows(table: Locator) -> list[dict[str, str]]:
    """Each body row as {column header: cell text}, read by header name, in any order.

    Every cell is read in one call and cut into rows as wide as the headers: a table whose
    cells do not fit its headers raises.
    """
    headers = [squash(text) for text in table.get_by_role("columnheader").all_inner_texts()]
    cells = table.get_by_role("cell").or_(table.get_by_role("gridcell"))
    texts = [squash(text) for text in cells.or_(table.get_by_role("rowheader")).all_inner_texts()]
    if not headers or len(texts) % len(headers):
        raise PortalFailure(
            f"the table headed {', '.join(headers) or 'nothing'} has {len(texts)} cells"
        )
    width = len(headers)
    return [
        dict(zip(headers, texts[start : start + width], strict=True))
        for start in range(0, len(texts), width)
    ]
