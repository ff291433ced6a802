"""View order — `orders/ESG-...`: customer, lines with their statuses, order history.

The spec promises words, not a layout (a table of lines or a list, a list of history),
so the page is read as a person reads it: the part before "Order history" holds the
facts and one line of text per order line, the part after it the history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Page

from pages.kogan._screen import goto, settle

STATUSES = ("Awaiting dispatch", "Dispatched", "Refunded", "Cancelled")
SKU = re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b")
HISTORY = "Order history"


@dataclass(frozen=True)
class OrderLine:
    sku: str
    status: str


@dataclass(frozen=True)
class OrderDetails:
    reference: str
    text: str  # customer, email and placed date, as the page words them
    lines: list[OrderLine]
    history: list[str]


class OrderView:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.history_heading = page.get_by_role("heading", name=HISTORY)

    def open(self, base_url: str, reference: str) -> OrderView:
        goto(self.page, base_url, f"orders/{reference}")
        settle(self.page, self.page.get_by_role("heading", name=f"Order {reference}"))
        self.history_heading.wait_for()
        return self

    def read(self, reference: str) -> OrderDetails:
        main = self.page.get_by_role("main")
        text = (main if main.count() else self.page.locator("body")).inner_text()
        facts, _, history = text.partition(HISTORY)
        lines = []
        for row in facts.splitlines():
            status = next((s for s in STATUSES if s in row), None)
            sku = SKU.search(row.replace(reference, ""))
            if status and sku:
                lines.append(OrderLine(sku.group(0), status))
        return OrderDetails(
            reference=reference,
            text=facts,
            lines=lines,
            history=[line.strip() for line in history.splitlines() if line.strip()],
        )
