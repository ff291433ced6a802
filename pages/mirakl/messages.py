"""Messages — `messages`: the filters and the threads table (filled in after load)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page

from pages.mirakl._parse import parse_datetime
from pages.mirakl._screen import cell, goto, read_table, settle

CAPTION = re.compile(r"^\s*\d+ threads?\s*$")
EMPTY = "No messages found."


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
        self.heading = page.get_by_role("heading", name="Messages", exact=True)
        self.subject = page.get_by_label("Subject", exact=True)
        self.customer = page.get_by_label("Customer name", exact=True)
        self.order = page.get_by_label("Order number", exact=True)
        self.since = page.get_by_label("Last message from", exact=True)
        self.until = page.get_by_label("Last message to", exact=True)
        self.filter_button = page.get_by_role("button", name="Filter", exact=True)
        self.table = page.get_by_role("main").get_by_role("table")
        self.loaded = page.get_by_text(CAPTION).or_(page.get_by_text(EMPTY, exact=True))

    def open(self, base_url: str) -> MessageList:
        goto(self.page, base_url, "messages")
        self.wait_for_list()
        return self

    def wait_for_list(self) -> None:
        """Wait until the heading shows and the threads have filled in (or none match)."""
        settle(self.page, self.heading)
        settle(self.page, self.loaded)

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
        headers = [
            " ".join(t.split()) for t in self.table.get_by_role("columnheader").all_inner_texts()
        ]
        found = []
        for row, locator in read_table(self.table):
            href = cell(locator, headers, "Subject").get_by_role("link").get_attribute("href")
            found.append(
                ThreadRow(
                    thread_id=urlparse(href or "").path.rstrip("/").rsplit("/", 1)[-1],
                    subject=row["Subject"],
                    customer=row["Customer"],
                    order_id=row["Order"],
                    last_message=parse_datetime(row["Last message"]),
                    status=row["Status"],
                )
            )
        return found
