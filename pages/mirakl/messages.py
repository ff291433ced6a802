"""Messages — `messages`: the filters and the threads table (it may fill in after load)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page

from pages._screen import reading
from pages.mirakl._parse import parse_datetime
from pages.mirakl._screen import goto, settle, table_rows, tables_with
from portalpilot import PortalFailure

COLUMNS = ("Subject", "Customer", "Order", "Last message", "Status")
EMPTY = re.compile(r"No messages", re.IGNORECASE)
THREAD_PATH = re.compile(r"/messages/([^/?#]+)/?$")


@dataclass(frozen=True)
class ThreadRow:
    thread_id: str  # from the subject's link, `messages/THREAD_ID`
    subject: str
    customer: str
    order_id: str
    last_message: datetime
    status: str  # "Unread", "Awaiting reply" or "Answered"


class MessageList:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.main = page.get_by_role("main")
        self.heading = page.get_by_role("heading", name="Messages", exact=True)
        self.subject = page.get_by_label("Subject", exact=True)
        self.customer = page.get_by_label("Customer name", exact=True)
        self.order = page.get_by_label("Order number", exact=True)
        self.since = page.get_by_label("Last message from", exact=True)
        self.until = page.get_by_label("Last message to", exact=True)
        self.filter_button = page.get_by_role("button", name="Filter", exact=True)
        self.table = tables_with(self.main, COLUMNS)
        self.empty = self.main.get_by_text(EMPTY)

    @reading
    def open(self, base_url: str) -> MessageList:
        goto(self.page, base_url, "messages")
        self.wait_for_list()
        return self

    def wait_for_list(self) -> None:
        """Wait until the heading shows and the threads have filled in (or none match)."""
        settle(self.page, self.heading)
        settle(self.page, self.table.or_(self.empty))

    def filter(
        self,
        subject: str = "",
        customer: str = "",
        order: str = "",
        since: date | None = None,
        until: date | None = None,
    ) -> None:
        """Fill in the filters (blank ones are cleared), then "Filter" and a fresh list."""
        self.subject.fill(subject)
        self.customer.fill(customer)
        self.order.fill(order)
        self._fill_date(self.since, since)
        self._fill_date(self.until, until)
        with self.page.expect_navigation():
            self.filter_button.click()
        self.wait_for_list()

    @staticmethod
    def _fill_date(field: Locator, value: date | None) -> None:
        if value is None:
            field.fill("")
        elif field.get_attribute("type") == "date":
            field.fill(value.isoformat())  # a date input takes ISO whatever it displays
        else:
            field.fill(value.strftime("%d/%m/%Y"))

    def rows(self) -> list[ThreadRow]:
        if not self.table.count():
            return []
        table = self.table.first
        rows = table_rows(table)
        ids = self._thread_ids(table)
        if len(ids) != len(rows):
            raise PortalFailure(f"{len(rows)} threads are listed but {len(ids)} link to a thread")
        return [
            ThreadRow(
                thread_id=thread_id,
                subject=row["Subject"],
                customer=row["Customer"],
                order_id=row["Order"],
                last_message=parse_datetime(row["Last message"], "a thread's last message"),
                status=row["Status"],
            )
            for row, thread_id in zip(rows, ids, strict=True)
        ]

    @staticmethod
    def _thread_ids(table: Locator) -> list[str]:
        """Each row's thread id, from its subject's link: the address `messages/THREAD_ID`."""
        hrefs = table.get_by_role("link").evaluate_all(
            "links => links.map(link => link.href || link.getAttribute('href') || '')"
        )
        found = [THREAD_PATH.search(urlparse(str(href)).path) for href in hrefs]
        return [match.group(1) for match in found if match]
