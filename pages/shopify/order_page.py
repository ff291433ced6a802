"""Order — `admin/orders/ID`: the status words by the heading, the line-item cards
"Unfulfilled (N)", "Fulfilled (N)", "Refunded (N)", the payment card, "Customer",
"Notes", "Tags", "Timeline", and the "Refund" button.

The ID is not derivable from the number, so an order is opened through the list: the
row of exactly that number, then its link. Each part is read by its words: the statuses
next to the heading, a card by its heading, amounts by their labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from playwright.sync_api import Page

from pages._screen import reading
from pages.shopify._parse import labelled_amount, order_number, squash, to_money
from pages.shopify._screen import card, card_text, goto, innermost, settle
from pages.shopify.orders import OrderList
from pages.shopify.refund_page import RefundPage
from portalpilot import PortalFailure

PAYMENT = re.compile(
    r"\b(Partially refunded|Partially paid|Payment pending|Authorized|Refunded|Voided|Paid)\b"
)
FULFILLMENT = re.compile(r"\b(Partially fulfilled|Unfulfilled|Fulfilled)\b")
CANCELED = re.compile(r"\bCanceled\b")
CARD = re.compile(r"^\s*(Unfulfilled|Fulfilled|Refunded) \((\d+)\)\s*$")
CARDS = ("Unfulfilled", "Fulfilled", "Refunded")
NUMBER = re.compile(r"^\s*#\d+\s*$")
SKU = re.compile(r"SKU:\s*(\S+)")
EACH = re.compile(r"([-−]?)\$\s*(\d[\d,]*\.\d{2})\s*×\s*(\d+)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ORDER_PATH = re.compile(r"/admin/orders/(\d+)/?$")
NO_NOTE = "No notes from customer"  # Shopify's words for an empty note
NO_TAGS = "No tags"
TOTALS = ("Subtotal", "Shipping", "Taxes", "Total", "Paid", "Refunded", "Net payment")


class NoSuchOrder(LookupError):
    """The list shows no order with exactly this number."""


@dataclass(frozen=True)
class CardLine:
    """One line item in one card: its units there."""

    sku: str
    price: Decimal
    quantity: int


@dataclass(frozen=True)
class OrderLine:
    """One line item across the cards."""

    sku: str
    price: Decimal
    unfulfilled: int
    fulfilled: int
    refunded: int

    @property
    def quantity(self) -> int:
        """Units ordered: every card's."""
        return self.unfulfilled + self.fulfilled + self.refunded

    @property
    def left(self) -> int:
        """Units not refunded yet."""
        return self.unfulfilled + self.fulfilled


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    taxes: Decimal
    total: Decimal
    paid: Decimal
    refunded: Decimal
    net: Decimal


@dataclass(frozen=True)
class ShopifyOrder:
    order_id: str  # from the address `admin/orders/ID`
    number: str  # "#1042"
    payment_status: str
    fulfillment_status: str
    canceled: bool
    can_refund: bool  # the "Refund" button shows
    cards: Mapping[str, tuple[CardLine, ...]]  # "Unfulfilled", "Fulfilled", "Refunded"
    lines: tuple[OrderLine, ...]
    customer: str
    email: str
    note: str  # "" when there is none
    tags: tuple[str, ...]
    totals: Totals

    def line(self, sku: str) -> OrderLine | None:
        return next((line for line in self.lines if line.sku == sku), None)


class OrderPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=NUMBER, level=1)
        self.refund_button = page.get_by_role("button", name="Refund", exact=True)
        self.more_actions = page.get_by_role("button", name="More actions", exact=True)

    @reading
    def open(self, base_url: str, order_id: str) -> OrderPage:
        """The order at `admin/orders/ID` (an ID read earlier, never made from a number)."""
        goto(self.page, base_url, f"admin/orders/{order_id}")
        settle(self.page, self.heading)
        return self

    @reading
    def open_by_number(self, base_url: str, number: str) -> OrderPage:
        """Search the list for `number` and follow the link of exactly that order."""
        wanted = order_number(number)
        orders = OrderList(self.page).open(base_url, query=wanted)
        if orders.find(wanted) is None:
            raise NoSuchOrder(wanted)
        orders.open_order(wanted)
        settle(self.page, self.page.get_by_role("heading", name=wanted, exact=True, level=1))
        return self

    def order_id(self) -> str:
        match = ORDER_PATH.search(urlsplit(self.page.url).path)
        if not match:
            raise PortalFailure(f"the order page's address has no order ID: {self.page.url}")
        return match.group(1)

    # --- reading ------------------------------------------------------------------------

    def read(self) -> ShopifyOrder:
        settle(self.page, self.heading)
        number = squash(self.heading.inner_text())
        payment, fulfillment, canceled = self.statuses()
        cards = self.cards()
        name, email = self.customer()
        return ShopifyOrder(
            order_id=self.order_id(),
            number=number,
            payment_status=payment,
            fulfillment_status=fulfillment,
            canceled=canceled,
            can_refund=self.refund_button.count() > 0,
            cards=cards,
            lines=_lines(cards),
            customer=name,
            email=email,
            note=self.note(),
            tags=self.tags(),
            totals=self.totals(),
        )

    def statuses(self) -> tuple[str, str, bool]:
        """(payment status, fulfillment status, canceled), from the words by the heading."""
        header = innermost(self.page.locator("*").filter(has=self.heading).filter(has_text=PAYMENT))
        if header is None:
            raise PortalFailure("the order page shows no payment status by its heading")
        text = header.inner_text().replace(self.heading.inner_text(), " ")
        payments = set(PAYMENT.findall(text))
        fulfillments = set(FULFILLMENT.findall(text))
        if len(payments) != 1 or len(fulfillments) != 1:
            raise PortalFailure(
                f"the order's statuses read {sorted(payments)} and {sorted(fulfillments)}"
            )
        return payments.pop(), fulfillments.pop(), bool(CANCELED.search(text))

    def cards(self) -> dict[str, tuple[CardLine, ...]]:
        """The line-item cards shown, by status word; each card's units add up to its N."""
        found: dict[str, tuple[CardLine, ...]] = {}
        headings = self.page.get_by_role("heading", name=CARD)
        for title in [squash(text) for text in headings.all_inner_texts()]:
            match = CARD.match(title)
            assert match is not None
            kind, count = match.group(1), int(match.group(2))
            if kind in found:
                raise PortalFailure(f"the order page shows two cards {kind!r}")
            lines = self._card_lines(title)
            if sum(line.quantity for line in lines) != count:
                raise PortalFailure(f"the card {title!r} shows {[*lines]}")
            found[kind] = lines
        if not found:
            raise PortalFailure("the order page shows no line items")
        return found

    def customer(self) -> tuple[str, str]:
        """(name, email) of the "Customer" card."""
        _, text = card_text(self.page, "Customer")
        emails = EMAIL.findall(text)
        names = [line.strip() for line in text.splitlines() if line.strip() and "@" not in line]
        if len(set(emails)) != 1 or not names:
            raise PortalFailure(f"the Customer card reads {squash(text)!r}")
        return names[0], emails[0]

    def note(self) -> str:
        _, text = card_text(self.page, "Notes")
        note = squash(text)
        return "" if note == NO_NOTE else note

    def tags(self) -> tuple[str, ...]:
        holder = card(self.page, "Tags")
        tags = tuple(squash(text) for text in holder.get_by_role("listitem").all_inner_texts())
        if tags:
            return tags
        _, text = card_text(self.page, "Tags")
        if squash(text) not in ("", NO_TAGS):
            raise PortalFailure(f"the Tags card reads {squash(text)!r}, not a list")
        return ()

    def totals(self) -> Totals:
        """The payment card: the innermost part of the page with "Subtotal" and "Net payment"."""
        holder = innermost(
            self.page.locator("*").filter(has_text="Net payment").filter(has_text="Subtotal")
        )
        if holder is None:
            raise PortalFailure("the order page shows no payment card")
        text = holder.inner_text()
        sums = {label: labelled_amount(text, label) for label in TOTALS}
        missing = [label for label, value in sums.items() if value is None]
        if missing:
            raise PortalFailure(f"the payment card shows no {', '.join(missing)}")
        values = {label: abs(value or Decimal(0)) for label, value in sums.items()}
        return Totals(
            subtotal=values["Subtotal"],
            shipping=values["Shipping"],
            taxes=values["Taxes"],
            total=values["Total"],
            paid=values["Paid"],
            refunded=values["Refunded"],
            net=values["Net payment"],
        )

    def timeline(self) -> list[str]:
        """The timeline's entries, newest first, as a person reads them."""
        holder = card(self.page, "Timeline")
        return [squash(text) for text in holder.get_by_role("listitem").all_inner_texts()]

    def status_message(self) -> str | None:
        said = self.page.get_by_role("status").filter(has_text=re.compile(r"\S"))
        return squash(said.first.inner_text()) if said.count() else None

    # --- acting ---------------------------------------------------------------------------

    def start_refund(self) -> RefundPage:
        """ "Refund": the refund page of this order."""
        if not self.refund_button.count():
            raise PortalFailure("the order page shows no Refund button")
        self.refund_button.click()
        return RefundPage(self.page).wait()

    # --- helpers ----------------------------------------------------------------------------

    def _card_lines(self, title: str) -> tuple[CardLine, ...]:
        holder = card(self.page, title)
        items = holder.get_by_role("listitem").filter(has_text=SKU)
        texts = items.all_inner_texts() if items.count() else [holder.inner_text()]
        lines = []
        for text in texts:
            skus, each = SKU.findall(text), list(EACH.finditer(text))
            if len(skus) != len(each) or (items.count() and len(skus) != 1):
                raise PortalFailure(f"the card {title!r} reads {squash(text)!r}")
            for sku, match in zip(skus, each, strict=True):
                price = to_money(match)
                lines.append(CardLine(sku, price, int(match.group(3))))
        return tuple(lines)


def _lines(cards: Mapping[str, tuple[CardLine, ...]]) -> tuple[OrderLine, ...]:
    units: dict[str, dict[str, int]] = {}
    prices: dict[str, Decimal] = {}
    for kind, lines in cards.items():
        for line in lines:
            units.setdefault(line.sku, dict.fromkeys(CARDS, 0))[kind] += line.quantity
            if prices.setdefault(line.sku, line.price) != line.price:
                raise PortalFailure(f"{line.sku} shows two prices")
    return tuple(
        OrderLine(sku, prices[sku], u["Unfulfilled"], u["Fulfilled"], u["Refunded"])
        for sku, u in units.items()
    )
