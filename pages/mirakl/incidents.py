"""Incidents — `incidents` (Customer Care > Incidents): every incident and its status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from playwright.sync_api import Page

from pages._screen import reading
from pages.mirakl._parse import parse_datetime
from pages.mirakl._screen import goto, settle, table_rows, tables_with

COLUMNS = ("Order", "Reason", "Opened", "Opened by", "Status")
OPEN, SOLVED = "Open", "Solved – awaiting operator"


@dataclass(frozen=True)
class IncidentRow:
    order_id: str
    reason: str
    opened: datetime
    opened_by: str  # "Customer" or "Operator"
    status: str  # "Open" or "Solved – awaiting operator"

    @property
    def is_open(self) -> bool:
        return self.status.casefold() == OPEN.casefold()

    @property
    def is_solved(self) -> bool:
        return self.status.casefold() == SOLVED.casefold()


class IncidentList:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.main = page.get_by_role("main")
        self.heading = page.get_by_role("heading", name="Incidents", exact=True)
        self.table = tables_with(self.main, COLUMNS)
        self.empty = self.main.get_by_text(re.compile(r"No incidents", re.IGNORECASE))

    @reading
    def open(self, base_url: str) -> IncidentList:
        """Open the list, loaded again (with backoff) if the portal failed to show it."""
        return self.load(base_url)

    def load(self, base_url: str) -> IncidentList:
        """Open the list once: for the guard's readings, which it repeats itself."""
        goto(self.page, base_url, "incidents")
        settle(self.page, self.heading)
        settle(self.page, self.table.or_(self.empty))
        return self

    def open_from_menu(self) -> IncidentList:
        """Customer Care > Incidents, as the procedure says."""
        navigation = self.page.get_by_role("navigation")
        navigation.get_by_role("button", name="Customer Care").click()
        self.page.get_by_role("menuitem", name="Incidents").click()
        settle(self.page, self.heading)
        settle(self.page, self.table.or_(self.empty))
        return self

    def rows(self) -> list[IncidentRow]:
        if not self.table.count():
            return []
        return [
            IncidentRow(
                order_id=row["Order"],
                reason=row["Reason"],
                opened=parse_datetime(row["Opened"], "an incident's opening"),
                opened_by=row["Opened by"],
                status=row["Status"],
            )
            for row in table_rows(self.table.first)
        ]

    def of_order(self, order_id: str) -> list[IncidentRow]:
        return [row for row in self.rows() if row.order_id == order_id]
