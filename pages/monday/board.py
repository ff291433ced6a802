"""Board — `boards/BOARD`: groups, search, cell edits, "+ Add item".

Read only by what the spec promises: each group is a region named by its title with a
"Collapse group" / "Expand group" button and a table named by its title, headers "Item",
"Status", "ESG number", "Customer email", "Amount", "Date", "Notes"; the item's name is a
link to `boards/BOARD/pulses/ITEM`; every other cell is a button named `COLUMN: VALUE` or
`COLUMN: empty`. Values are read from those names (never from the cells' look or from
the columns' order); an item is told from its namesakes by the ITEM of its link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page, expect

from pages._screen import reading
from pages.monday._aria import Node, parse
from pages.monday._parse import parse_date, parse_money, show_date, show_money, squash
from pages.monday._screen import answer, goto, settle
from portalpilot import PortalFailure, Reply, state_change

BOARD_NAME = "Refunds"
ITEM, STATUS, ESG, EMAIL, AMOUNT, DATE, NOTES = (
    "Item",
    "Status",
    "ESG number",
    "Customer email",
    "Amount",
    "Date",
    "Notes",
)
CELLS = (STATUS, ESG, EMAIL, AMOUNT, DATE, NOTES)
LABELS = ("Working on it", "Stuck", "Done")
CLEAR = "Clear"
DONE = "Done"
EMPTY = "empty"
THIS_WEEK = "This week"
ADD_ITEM = "+ Add item"
TOGGLE = re.compile(r"^\s*(Collapse|Expand) group\s*$")
RESULTS = re.compile(r"^\s*(?:(\d+) results?|No results found)\s*$")
SOMETHING = re.compile(r"\S")
PULSE = re.compile(r"/pulses/(\d+)/?$")
TABLES = frozenset({"table", "grid"})
ROWS = frozenset({"row"})
HEADERS = frozenset({"columnheader"})
CELL_ROLES = frozenset({"cell", "gridcell", "rowheader"})
LINKS = frozenset({"link"})
BUTTONS = frozenset({"button"})


@dataclass(frozen=True)
class BoardItem:
    """One item (row) as the board shows it; None is an empty cell."""

    id: str  # ITEM of its page's address, boards/BOARD/pulses/ITEM
    name: str
    group: str
    status: str | None
    esg: str | None
    email: str | None
    amount: Decimal | None
    date: date | None
    notes: str | None

    @property
    def complete(self) -> bool:
        """ "Done" counts as complete on monday."""
        return self.status == DONE


def shown(column: str, value: str | Decimal | date | None) -> str:
    """The value a cell's button names once saved: `$49.95`, `Mar 12, 2025`, or "empty"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    if column == AMOUNT:
        try:
            return show_money(value if isinstance(value, Decimal) else Decimal(str(value)))
        except InvalidOperation:
            return squash(str(value))  # the board refuses it ("Numbers only")
    if column == DATE and isinstance(value, date):
        return show_date(value)
    if column == DATE:
        try:
            return show_date(date.fromisoformat(str(value).strip()))
        except ValueError:
            return squash(str(value))
    if column == STATUS and value == CLEAR:
        return EMPTY
    return squash(str(value))


def typed(column: str, value: str | Decimal | date | None) -> str:
    """What is typed into a cell's field: `49.95`, `2025-03-12`, the text; "" empties it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class Board:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=BOARD_NAME, exact=True)
        self.search_field = page.get_by_role("searchbox", name="Search", exact=True).or_(
            page.get_by_role("textbox", name="Search", exact=True)
        )
        self.new_item_button = page.get_by_role("button", name="New item", exact=True)
        self.groups = page.get_by_role("region").filter(has=page.get_by_role("button", name=TOGGLE))
        self.results = page.get_by_text(RESULTS)
        self.busy = page.locator("[aria-busy=true]")
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)

    # --- opening and searching ----------------------------------------------------------

    @reading
    def open(self, base_url: str, board_id: int | str) -> Board:
        """The board, its groups filled in ("Done" collapsed, as on every visit)."""
        goto(self.page, base_url, f"boards/{board_id}")
        settle(self.page, self.heading)
        self._wait_for_groups()
        return self

    @reading
    def search(self, text: str) -> list[BoardItem]:
        """The items whose name or any cell holds `text` (ignoring case), in every group."""
        if not text.strip():
            raise ValueError("search for some text")
        self.search_field.fill("")  # the same text again must search again
        self.search_field.fill(text)
        settle(self.page, self.results)
        self._wait_for_groups()
        found = self.items()
        count = self.result_count()
        if count != len(found):
            raise PortalFailure(f"the board says {count} results but shows {len(found)} items")
        return found

    def result_count(self) -> int:
        """`N results` (0 for "No results found") after a search."""
        match = RESULTS.match(self.results.first.inner_text())
        if not match:
            raise PortalFailure("the board shows no number of results")
        return int(match.group(1) or 0)

    def clear_search(self) -> None:
        self.search_field.fill("")
        self._wait_for_groups()

    # --- groups ---------------------------------------------------------------------------

    def group(self, name: str) -> Locator:
        return self.groups.filter(has=self.page.get_by_role("heading", name=name, exact=True))

    def group_names(self) -> list[str]:
        return [self._group_name(region) for region in self.groups.all()]

    def is_expanded(self, name: str) -> bool:
        toggle = self._one(self.group(name), f"group {name!r}").get_by_role("button", name=TOGGLE)
        return toggle.get_attribute("aria-expanded") == "true"

    def expand(self, name: str) -> None:
        """Open a collapsed group: its rows come onto the page."""
        if not self.is_expanded(name):
            self.group(name).get_by_role("button", name=TOGGLE).click()
            expect(self.group(name).get_by_role("button", name=TOGGLE)).to_have_attribute(
                "aria-expanded", "true"
            )

    def collapse(self, name: str) -> None:
        if self.is_expanded(name):
            self.group(name).get_by_role("button", name=TOGGLE).click()
            expect(self.group(name).get_by_role("button", name=TOGGLE)).to_have_attribute(
                "aria-expanded", "false"
            )

    # --- reading --------------------------------------------------------------------------

    def items(self) -> list[BoardItem]:
        """Every item on the page, group by group (a collapsed group shows none)."""
        found: list[BoardItem] = []
        for region in self.groups.all():
            name = self._group_name(region)
            table = region.get_by_role("table").or_(region.get_by_role("grid"))
            if not table.count():
                continue  # collapsed: its rows are not on the page
            found.extend(self._rows(self._one(table, f"the table of {name!r}"), name))
        return found

    def item(self, item_id: str) -> BoardItem:
        """The item with this ITEM, as its row reads now."""
        found = [item for item in self.items() if item.id == item_id]
        if len(found) != 1:
            raise PortalFailure(f"the board shows {len(found)} rows of item {item_id}")
        return found[0]

    # --- changing (each through the commit guard) -----------------------------------------

    @state_change
    def add_item(self, group: str, name: str) -> Reply:
        """ "+ Add item" in `group`: type the name, press Enter; done when its row shows."""
        self.expand(group)
        region = self._one(self.group(group), f"group {group!r}")
        field = region.get_by_role("textbox", name=ADD_ITEM, exact=True)
        links = region.get_by_role("link", name=squash(name), exact=True)
        before = links.count()
        field.fill(name)
        field.press("Enter")
        return answer(self.page, links.nth(before), self.alert)

    @state_change
    def set_cell(
        self, item: BoardItem | str, column: str, value: str | Decimal | date | None
    ) -> Reply:
        """Type a value into one cell of one item and press Enter (None empties the cell).

        Done when the cell's button names the value saved; the board's refusal ("Numbers
        only") is REFUSED; "Something went wrong" is FAILED (it may be saved all the same).
        """
        if column == STATUS:
            raise ValueError("Status is chosen from its listbox: use set_status")
        if column not in CELLS:
            raise ValueError(f"no column {column!r}")
        row = self._row(item)
        self._cell_button(row, column).click()
        field = row.get_by_role("textbox", name=column, exact=True)
        field.fill(typed(column, value))
        field.press("Enter")
        saved = row.get_by_role("button", name=f"{column}: {shown(column, value)}", exact=True)
        return answer(self.page, saved, self.alert)

    @state_change
    def set_status(self, item: BoardItem | str, label: str | None) -> Reply:
        """Choose a Status label for one item ("Working on it", "Stuck", "Done"; None clears)."""
        option = label or CLEAR
        if option not in (*LABELS, CLEAR):
            raise ValueError(f"no Status label {label!r}")
        row = self._row(item)
        self._cell_button(row, STATUS).click()
        listbox = self.page.get_by_role("listbox", name=STATUS, exact=True)
        listbox.get_by_role("option", name=option, exact=True).click()
        saved = row.get_by_role("button", name=f"{STATUS}: {shown(STATUS, option)}", exact=True)
        return answer(self.page, saved, self.alert)

    # --- helpers ----------------------------------------------------------------------------

    def _wait_for_groups(self) -> None:
        """The groups have filled in (nothing `aria-busy`), or the page says why not."""
        settle(self.page, self.groups.first)
        try:
            expect(self.busy).to_have_count(0)
        except AssertionError as error:
            raise PortalFailure("the board's groups did not finish loading") from error
        if self.alert.count() and self.alert.first.is_visible():
            settle(self.page, self.groups.first)  # raises what the alert says

    def _group_name(self, region: Locator) -> str:
        heading = region.get_by_role("heading")
        if heading.count() != 1:
            raise PortalFailure("a group of the board has no single title")
        return squash(heading.inner_text())

    @staticmethod
    def _one(locator: Locator, what: str) -> Locator:
        count = locator.count()
        if count != 1:
            raise PortalFailure(f"the board shows {count} of {what}")
        return locator

    def _row(self, item: BoardItem | str) -> Locator:
        """The row of exactly this item, by its link's address (namesakes are no matter).

        An item read before (a `BoardItem`) whose row is off the page is searched for by
        its name; an item given by its ITEM alone must be on the page already.
        """
        item_id = item.id if isinstance(item, BoardItem) else item
        row = self._row_on_page(item_id)
        if row is None and isinstance(item, BoardItem):
            self.search(item.name)
            row = self._row_on_page(item_id)
        if row is None:
            raise PortalFailure(f"the board shows no row of item {item_id}: search for it first")
        return row

    def _row_on_page(self, item_id: str) -> Locator | None:
        names = {item.name for item in self.items() if item.id == item_id}
        for name in names:
            link = self.page.get_by_role("link", name=name, exact=True)
            for row in self.groups.get_by_role("row").filter(has=link).all():
                links = row.get_by_role("link", name=name, exact=True)
                if any(_item_id(a.get_attribute("href")) == item_id for a in links.all()):
                    return row
        return None

    def _cell_button(self, row: Locator, column: str) -> Locator:
        button = row.get_by_role("button", name=re.compile(rf"^{re.escape(column)}: "))
        return self._one(button, f"buttons {column!r} in the row")

    def _rows(self, table: Locator, group: str) -> list[BoardItem]:
        """The rows of one group's table, from its accessibility tree in one reading."""
        tree = parse(table.aria_snapshot())
        tables = list(tree.walk(TABLES))
        if len(tables) != 1:
            raise PortalFailure(f"the group {group!r} shows {len(tables)} tables")
        rows = list(tables[0].walk(ROWS))
        headers = [h.name for row in rows for h in row.walk(HEADERS)]
        missing = [name for name in (ITEM, *CELLS) if name not in headers]
        if missing:
            raise PortalFailure(f"the table of {group!r} has no column {missing} ({headers})")
        found = []
        for row in rows:
            cells = list(row.walk(CELL_ROLES))
            if not cells:
                continue  # the header row
            if len(cells) != len(headers):
                raise PortalFailure(f"a row of {group!r} has {len(cells)} cells for {headers}")
            found.append(_read_row(row, cells[headers.index(ITEM)], group))
        return found


def _item_id(href: str | None) -> str | None:
    match = PULSE.search(urlparse(href or "").path)
    return match.group(1) if match else None


def _read_row(row: Node, name_cell: Node, group: str) -> BoardItem:
    links = [link for link in name_cell.walk(LINKS, into=True) if _item_id(link.url)]
    if len(links) != 1:
        raise PortalFailure(f"an item of {group!r} has no single link to its page")
    link = links[0]
    values: dict[str, str | None] = {}
    for button in row.walk(BUTTONS, into=True):
        column, sep, value = button.name.partition(": ")
        if not sep or column not in CELLS:
            continue
        if column in values:
            raise PortalFailure(f"an item of {group!r} has two buttons {column!r}")
        values[column] = None if value == EMPTY else value
    try:
        amount, when = values[AMOUNT], values[DATE]
        return BoardItem(
            id=str(_item_id(link.url)),
            name=link.name,
            group=group,
            status=values[STATUS],
            esg=values[ESG],
            email=values[EMAIL],
            amount=parse_money(amount) if amount is not None else None,
            date=parse_date(when) if when is not None else None,
            notes=values[NOTES],
        )
    except KeyError as error:
        raise PortalFailure(f"an item of {group!r} has no button {error}") from None
    except PortalFailure as error:
        raise PortalFailure(f"an item of {group!r} could not be read: {error}") from None
