"""Order — `orders/EC-NNNNNN`: the description list, "Items", "Shipments", "History".

The facts are read from the description list by its terms ("Channel", "Shopify order",
...), the items and shipments from tables by their column names, the history as the
dated lines under "History". E-Cart's own number (EC-…) is never used elsewhere; its
status is a snapshot, so nothing here says whether an order was refunded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from playwright.sync_api import Page

from pages._screen import reading
from pages.ecart._parse import (
    DATE,
    parse_date,
    parse_money,
    parse_quantity,
    parse_shopify,
    split_dated,
    squash,
)
from pages.ecart._screen import goto, settle
from pages.ecart._table import read_rows, table_with
from portalpilot import PortalFailure

TERMS = (
    "Channel",
    "Channel order ref",
    "Shopify order",
    "Order date",
    "Customer",
    "Email",
    "Phone",
    "Ship to",
)
ITEMS = ("SKU", "Title", "Qty", "Unit price", "Line total")
SHIPMENTS = ("Date", "Carrier", "Tracking number")
HEADING = re.compile(r"^\s*Order (EC-\d+)\s*$")
NOT_FOUND = re.compile(r"^\s*Order not found\s*$", re.IGNORECASE)
HISTORY = "History"


class NoSuchOrder(LookupError):
    """The portal has no order with this number."""


@dataclass(frozen=True)
class OrderItem:
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class Shipment:
    shipped: date
    carrier: str
    tracking: str | None  # None: the shipment has no tracking number


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str


@dataclass(frozen=True)
class OrderDetails:
    """The description list and the items of one order."""

    number: str  # EC-NNNNNN
    channel: str
    reference: str  # the channel's order ref: ESG-… for Kogan
    shopify: str | None  # "#1042"; None when "Not synced"
    placed: date
    customer: str
    email: str
    phone: str
    ship_to: str  # the address's lines joined by ", "
    items: tuple[OrderItem, ...]


class OrderPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=HEADING)
        self.missing = page.get_by_role("heading", name=NOT_FOUND)
        self.terms = page.get_by_role("term")
        self.definitions = page.get_by_role("definition")
        self.items_table = table_with(page, ITEMS)
        self.shipments_table = table_with(page, SHIPMENTS)

    @reading
    def open(self, base_url: str, number: str) -> OrderPage:
        """Open `orders/EC-NNNNNN` afresh; NoSuchOrder if the portal has no such order."""
        response = goto(self.page, base_url, f"orders/{number}")
        if response is not None and response.status == 404:
            raise NoSuchOrder(number)
        settle(self.page, self.heading.or_(self.missing))
        if self.missing.count() and not self.heading.count():
            raise NoSuchOrder(number)
        if self.number() != number:
            raise PortalFailure(f"orders/{number} shows order {self.number()}")
        return self

    def wait(self) -> OrderPage:
        """Wait for an order page just navigated to (from a link)."""
        settle(self.page, self.heading)
        return self

    # --- reading ----------------------------------------------------------------------

    def number(self) -> str:
        """E-Cart's own number, from the heading "Order EC-000123"."""
        if self.heading.count() != 1:
            raise PortalFailure("the order page shows no single heading 'Order EC-…'")
        match = HEADING.match(self.heading.inner_text())
        if not match:
            raise PortalFailure("the order page's heading could not be read")
        return match.group(1)

    def facts(self) -> dict[str, str]:
        """The description list: term -> its description (lines joined by ", ")."""
        terms = [squash(text) for text in self.terms.all_inner_texts()]
        values = [
            ", ".join(line for line in (squash(part) for part in text.splitlines()) if line)
            for text in self.definitions.all_inner_texts()
        ]
        if len(terms) != len(values) or len(set(terms)) != len(terms):
            raise PortalFailure(f"the order's description list does not pair up: {terms}")
        facts = dict(zip(terms, values, strict=True))
        missing = [term for term in TERMS if term not in facts]
        if missing:
            raise PortalFailure(f"the order's description list has no {', '.join(missing)}")
        return facts

    def details(self) -> OrderDetails:
        facts = self.facts()
        return OrderDetails(
            number=self.number(),
            channel=facts["Channel"],
            reference=facts["Channel order ref"],
            shopify=parse_shopify(facts["Shopify order"]),
            placed=parse_date(facts["Order date"]),
            customer=facts["Customer"],
            email=facts["Email"],
            phone=facts["Phone"],
            ship_to=facts["Ship to"],
            items=tuple(self.items()),
        )

    def items(self) -> list[OrderItem]:
        """ "Items": one per line of the order, read by column name."""
        rows = read_rows(self.items_table, ITEMS, "Items")
        if not rows:
            raise PortalFailure("the order shows no items")
        return [
            OrderItem(
                sku=squash(row["SKU"]),
                title=squash(row["Title"]),
                quantity=parse_quantity(row["Qty"]),
                unit_price=parse_money(row["Unit price"]),
                line_total=parse_money(row["Line total"]),
            )
            for row in rows
        ]

    def shipments(self) -> list[Shipment]:
        """ "Shipments" (none before the order ships; a tracking number may be empty)."""
        return [
            Shipment(
                shipped=parse_date(row["Date"]),
                carrier=squash(row["Carrier"]),
                tracking=squash(row["Tracking number"]) or None,
            )
            for row in read_rows(self.shipments_table, SHIPMENTS, "Shipments")
        ]

    def history(self) -> list[HistoryLine]:
        """The dated lines under "History", oldest first (whatever order the page shows)."""
        main = self.page.get_by_role("main")
        text = (main if main.count() == 1 else self.page.locator("body")).inner_text()
        lines = [squash(line) for line in text.splitlines()]
        if HISTORY not in lines:
            raise PortalFailure("the order page shows no 'History'")
        after = lines[lines.index(HISTORY) + 1 :]
        history = [HistoryLine(*split_dated(line)) for line in after if DATE.match(line)]
        return sorted(history, key=lambda line: line.at)
