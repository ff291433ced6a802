"""Views — `agent/filters/VIEW` — and Search — `agent/search?q=TEXT&status=STATUS`.

Both show the same table (headers "ID", "Status", "Subject", "Requester", "Requested",
"Updated"), read by header name in any column order, 30 rows a page with the buttons
"Previous" and "Next". It may fill in after the page has loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from playwright.sync_api import Locator, Page

from pages._screen import reading
from pages.kogan_inbox._read import parse_datetime, parse_status, squash, table_rows, tables_with
from pages.kogan_inbox._screen import goto, settle
from portalpilot import PortalFailure

COLUMNS = ("ID", "Status", "Subject", "Requester", "Requested", "Updated")
VIEWS = {
    "your-unsolved": "Your unsolved tickets",
    "unassigned": "Unassigned tickets",
    "all-unsolved": "All unsolved tickets",
    "pending": "Pending tickets",
    "recently-solved": "Recently solved tickets",
}
NO_RESULTS = "No results found."
TICKET_ID = re.compile(r"^#(\d+)$")
MAX_PAGES = 50  # a pager that never ends is a broken page, not a long list


@dataclass(frozen=True)
class TicketRow:
    id: int
    status: str
    subject: str
    requester: str  # the name
    requested: datetime
    updated: datetime


def _row(cells: dict[str, str]) -> TicketRow:
    match = TICKET_ID.match(cells["ID"])
    if not match:
        raise PortalFailure(f"a ticket ID reads {cells['ID']!r}, not #NUMBER")
    return TicketRow(
        id=int(match.group(1)),
        status=parse_status(cells["Status"]),
        subject=cells["Subject"],
        requester=cells["Requester"],
        requested=parse_datetime(cells["Requested"], "Requested"),
        updated=parse_datetime(cells["Updated"], "Updated"),
    )


class TicketList:
    """The table of a view or a search, with its pager."""

    def __init__(self, page: Page, heading: Locator) -> None:
        self.page = page
        self.heading = heading
        self.table = tables_with(page.locator("body"), ("ID", "Subject"))
        self.no_results = page.get_by_text(NO_RESULTS, exact=True)
        self.next_button = page.get_by_role("button", name="Next", exact=True)
        self.previous_button = page.get_by_role("button", name="Previous", exact=True)

    def wait_for_list(self) -> None:
        """The page has loaded: wait for its table (or "No results found.") to fill in."""
        settle(self.page, self.heading)
        settle(self.page, self.table.or_(self.no_results))

    def rows(self) -> list[TicketRow]:
        """The rows of the page shown."""
        if self.no_results.count() and not self.table.count():
            return []
        if self.table.count() != 1:
            raise PortalFailure(f"the page shows {self.table.count()} ticket tables, not one")
        rows = table_rows(self.table)
        if rows and any(name not in rows[0] for name in COLUMNS):
            raise PortalFailure(f"the ticket table's headers read {sorted(rows[0])}")
        return [_row(cells) for cells in rows]

    def has_next_page(self) -> bool:
        return self.next_button.count() > 0 and self.next_button.first.is_enabled()

    def has_previous_page(self) -> bool:
        return self.previous_button.count() > 0 and self.previous_button.first.is_enabled()

    def next_page(self) -> None:
        self._turn(self.next_button)

    def previous_page(self) -> None:
        self._turn(self.previous_button)

    def all_rows(self) -> list[TicketRow]:
        """The rows of this page and every page after it."""
        found = self.rows()
        for _ in range(MAX_PAGES):
            if not self.has_next_page():
                return found
            self.next_page()
            found += self.rows()
        raise PortalFailure(f"the list runs over more than {MAX_PAGES} pages")

    def open_ticket(self, ticket_id: int) -> None:
        """Follow the subject link of the row `#ticket_id`."""
        row = self.table.get_by_role("row").filter(
            has=self.page.get_by_role("cell", name=f"#{ticket_id}", exact=True)
        )
        if row.count() != 1:
            raise PortalFailure(f"the list shows {row.count()} rows for #{ticket_id}")
        row.get_by_role("link").first.click()

    def _turn(self, control: Locator) -> None:
        with self.page.expect_navigation():
            control.first.click()
        self.wait_for_list()


class ViewsPage(TicketList):
    """A view — `agent/filters/VIEW` — and the "Views" navigation with its counts."""

    def __init__(self, page: Page, view: str = "your-unsolved") -> None:
        if view not in VIEWS:
            raise ValueError(f"no view {view!r} (views: {', '.join(VIEWS)})")
        super().__init__(page, page.get_by_role("heading", name=VIEWS[view], exact=True))
        self.view = view
        self.views = page.get_by_role("navigation", name="Views", exact=True)

    @reading
    def open(self, base_url: str) -> ViewsPage:
        goto(self.page, base_url, f"agent/filters/{self.view}")
        self.wait_for_list()
        return self

    def counts(self) -> dict[str, int]:
        """Each view's count, by the view's name, as the "Views" navigation shows it."""
        settle(self.page, self.views)
        text = squash(self.views.inner_text())
        counts = {}
        for name in VIEWS.values():
            match = re.search(rf"{re.escape(name)}\s*\(?\s*(\d+)\s*\)?", text)
            if not match:
                raise PortalFailure(f"the Views navigation shows no count for {name!r}")
            counts[name] = int(match.group(1))
        return counts


class SearchPage(TicketList):
    """Search: the top bar's "Search" field (Enter runs it), then the "Status" select."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, page.get_by_role("heading", name=re.compile(r'^Results for "')))
        self.search_field = page.get_by_label("Search", exact=True)
        self.status_select = page.get_by_label("Status", exact=True)

    @reading
    def open(self, base_url: str, text: str, status: str | None = None) -> SearchPage:
        """The results by their address, `agent/search?q=TEXT&status=STATUS`."""
        params = {"q": text, **({"status": status.lower()} if status else {})}
        goto(self.page, base_url, f"agent/search?{urlencode(params)}")
        self._wait_for(text)
        return self

    def search(self, text: str, status: str | None = None) -> list[TicketRow]:
        """Search from the top bar of the agent page shown, as a person does; narrow by
        status if given; every row of every page."""
        settle(self.page, self.search_field)
        self.search_field.fill(text)
        with self.page.expect_navigation():
            self.search_field.press("Enter")
        self._wait_for(text)
        if status:
            with self.page.expect_navigation():
                self.status_select.select_option(label=status)
            self._wait_for(text)
        return self.all_rows()

    def _wait_for(self, text: str) -> None:
        heading = self.page.get_by_role("heading", name=f'Results for "{text}"', exact=True)
        settle(self.page, heading)
        self.wait_for_list()
