"""Reading a table by its column names, whatever the markup (an HTML table or an ARIA one,
any column order): what the spec promises is the headers' words, not their places."""

from __future__ import annotations

from collections.abc import Sequence

from playwright.sync_api import Locator, Page

from pages.ecart._parse import squash
from portalpilot import PortalFailure


def table_with(page: Page, columns: Sequence[str]) -> Locator:
    """The tables (or grids) that have every one of these column headers."""
    table = page.get_by_role("table").or_(page.get_by_role("grid"))
    for name in columns:
        table = table.filter(has=page.get_by_role("columnheader", name=name, exact=True))
    return table


def read_rows(table: Locator, columns: Sequence[str], what: str) -> list[dict[str, str]]:
    """Every body row of the one `table`, as {column: cell text} for `columns`.

    All cells are read in one go and cut into rows of as many cells as there are headers;
    a table that does not add up is a PortalFailure, never a guess.
    """
    if table.count() != 1:
        raise PortalFailure(f"the page shows {table.count()} tables {what}, not one")
    headers = [squash(text) for text in table.get_by_role("columnheader").all_inner_texts()]
    missing = [name for name in columns if name not in headers]
    if missing:
        raise PortalFailure(f"the table {what} has no column {', '.join(missing)}: {headers}")
    cells = table.get_by_role("cell").or_(table.get_by_role("gridcell")).all_inner_texts()
    width = len(headers)
    if len(cells) % width:
        raise PortalFailure(f"{len(cells)} cells of the table {what} are not rows of {width}")
    return [
        {name: cells[start + headers.index(name)] for name in columns}
        for start in range(0, len(cells), width)
    ]
