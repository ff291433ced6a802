"""What any back-office page may turn out to be, and how its records are read.

Signed out, under maintenance, "Something went wrong": page objects wait for what they
expect *or* one of these (the shared `Screen`). Records the spec names without a shape
("the lines (product, SKU, quantity, price)") are read by their words, from a table, an
ARIA grid, a list or labelled text alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Locator, Page

from pages._screen import Screen, ScreenWords
from pages.mirakl._parse import fact, parse_datetime, squash
from portalpilot import PortalFailure

MAINTENANCE = "Under maintenance"
SOMETHING_WRONG = re.compile(r"Something went wrong")
PORTAL_TIME = re.compile(r"Portal time:\s*\d{2}/\d{2}/\d{4}\s+\d{2}:\d{2}")

SCREEN = Screen(ScreenWords("Sign in", MAINTENANCE, SOMETHING_WRONG))
signals, goto, settle = SCREEN.signals, SCREEN.goto, SCREEN.settle


def portal_now(page: Page) -> datetime | None:
    """The portal's own clock, when its header shows one ("Portal time: ...")."""
    clock = page.get_by_text(PORTAL_TIME)
    if not clock.count():
        return None
    return parse_datetime(clock.first.inner_text(), "the portal's time")


def tables_with(scope: Locator, headers: tuple[str, ...]) -> Locator:
    """The tables or ARIA grids in `scope` with a column headed by each of `headers`."""
    found = scope.get_by_role("table").or_(scope.get_by_role("grid"))
    for header in headers:
        found = found.filter(has=scope.page.get_by_role("columnheader", name=header, exact=True))
    return found


def table_rows(table: Locator) -> list[dict[str, str]]:
    """Each body row as {column header: cell text}, read by header name, in any order.

    Every cell of the table is read in one call and cut into rows of as many cells as
    there are column headers: a table whose cells do not fit its headers raises.
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


def records(scope: Locator, labels: tuple[str, ...]) -> list[dict[str, str]] | None:
    """Every record in `scope` that names each of `labels`, as {label: value}.

    A table or grid: its rows, by column header. Otherwise list items, articles or groups
    whose text names every label ("Label: value", or the value below its label). None
    when nothing of the kind is shown; a record that shows a label without its value
    raises, as a half-read record would mislead.
    """
    tables = tables_with(scope, labels)
    if tables.count():
        return [row for table in tables.all() for row in table_rows(table)]
    items = scope.get_by_role("listitem").or_(scope.get_by_role("article"))
    items = items.or_(scope.get_by_role("group"))
    for label in labels:
        items = items.filter(has_text=re.compile(rf"\b{re.escape(label)}\b", re.IGNORECASE))
    found: list[dict[str, str]] = []
    for text in items.all_inner_texts():
        starts = [
            sum(1 for line in text.splitlines() if _starts_with(line, label)) for label in labels
        ]
        if not all(count == 1 for count in starts):
            continue  # a list around several records, or an item that only mentions a word
        values = {label: fact(text, label) for label in labels}
        missing = [label for label, value in values.items() if value is None]
        if missing:
            raise PortalFailure(f"a record shows no value for {', '.join(missing)}")
        found.append({label: squash(value or "") for label, value in values.items()})
    return found or None


def _starts_with(line: str, label: str) -> bool:
    return re.match(rf"\s*{re.escape(label)}\s*(?::|\t|$)", line, re.IGNORECASE) is not None
