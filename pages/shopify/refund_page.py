"""Refund — `admin/orders/ID/refund`: a group per line left to refund, shipping, restock,
reason, the summary, "Refund amount", notification, and the button "Refund $X.XX".

The page's script recomputes the amount as quantities are typed, so quantities and
shipping are set first and "Refund amount" (if lowered) last. Groups are found by the
"SKU: X" they hold, amounts by the words beside them, never by position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from playwright.sync_api import Locator, Page

from pages._screen import reading
from pages.shopify._parse import MONEY, labelled_amount, parse_money, squash, to_money
from pages.shopify._screen import answer, goto, innermost, settle
from portalpilot import Answer, PortalFailure, Reply, state_change

REFUND_BUTTON = re.compile(r"^\s*Refund\s+\$\d[\d,]*\.\d{2}\s*$")
AVAILABLE = re.compile(r"([-−]?)\$\s*(\d[\d,]*\.\d{2})\s+available for refund")
LEFT = re.compile(r"Quantity\s*/\s*(\d+)")
REFUNDED = re.compile(r"^\s*Refunded\s+\$\d[\d,]*\.\d{2}\s*$")
BACK_LINK = re.compile(r"^\s*#\d+\s*$")
SOMETHING = re.compile(r"\S")
SUMMARY = ("Items subtotal", "Tax", "Shipping", "Refund total")


@dataclass(frozen=True)
class RefundLine:
    """One line left to refund, as its group shows it."""

    sku: str
    price: Decimal
    left: int  # the N of "/ N": units that may still be refunded
    quantity: int  # what "Quantity" holds now


@dataclass(frozen=True)
class RefundSummary:
    items_subtotal: Decimal
    tax: Decimal
    shipping: Decimal
    refund_total: Decimal
    amount: Decimal  # what "Refund amount" holds
    available: Decimal  # "$X.XX available for refund": paid less already refunded
    shipping_available: Decimal | None  # None: no shipping was charged (no field)
    button_amount: Decimal  # the X.XX of "Refund $X.XX"
    button_enabled: bool
    restock: bool | None  # None: "Restock items" not offered (nothing tracks inventory)
    notify: bool


class RefundPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Refund", exact=True)
        self.groups = page.get_by_role("group").filter(
            has=page.get_by_label("Quantity", exact=True)
        )
        self.shipping = page.get_by_label("Refund shipping", exact=True)
        self.restock = page.get_by_role("checkbox", name="Restock items", exact=True)
        self.reason = page.get_by_label("Reason for refund", exact=True)
        self.amount = page.get_by_label("Refund amount", exact=True)
        self.notify = page.get_by_role(
            "checkbox", name="Send a notification to the customer", exact=True
        )
        self.button = page.get_by_role("button", name=REFUND_BUTTON)
        self.back_link = page.get_by_role("link", name=BACK_LINK)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)

    @reading
    def open(self, base_url: str, order_id: str) -> RefundPage:
        goto(self.page, base_url, f"admin/orders/{order_id}/refund")
        return self.wait()

    def wait(self) -> RefundPage:
        settle(self.page, self.heading)
        settle(self.page, self.button)
        return self

    # --- reading ----------------------------------------------------------------------

    def order_number(self) -> str:
        """The order this refund is for, from the link back to it ("#1042")."""
        if self.back_link.count() != 1:
            raise PortalFailure("the refund page shows no single link back to its order")
        return squash(self.back_link.inner_text())

    def alert_text(self) -> str | None:
        return squash(self.alert.first.inner_text()) if self.alert.count() else None

    def lines(self) -> list[RefundLine]:
        """Every line offered (lines fully refunded already are not)."""
        found = []
        for group in self.groups.all():
            text = group.inner_text()
            sku = re.search(r"SKU:\s*(\S+)", text)
            if not sku:
                raise PortalFailure(f"a refund group shows no SKU: {squash(text)!r}")
            found.append(self._line(sku.group(1), group, text))
        return found

    def line(self, sku: str) -> RefundLine:
        group = self._group(sku)
        return self._line(sku, group, group.inner_text())

    def summary(self) -> RefundSummary:
        holder = innermost(
            self.page.locator("*").filter(has_text="Items subtotal").filter(has_text="Refund total")
        )
        if holder is None:
            raise PortalFailure("the refund page shows no summary")
        text = holder.inner_text()
        sums = {label: labelled_amount(text, label) for label in SUMMARY}
        missing = [label for label, value in sums.items() if value is None]
        if missing:
            raise PortalFailure(f"the refund summary shows no {', '.join(missing)}")
        name = squash(self.button.inner_text()) if self.button.count() == 1 else ""
        if not REFUND_BUTTON.match(name):
            raise PortalFailure(f"the refund button reads {name!r}, not 'Refund $X.XX'")
        return RefundSummary(
            items_subtotal=sums["Items subtotal"] or Decimal(0),
            tax=sums["Tax"] or Decimal(0),
            shipping=sums["Shipping"] or Decimal(0),
            refund_total=sums["Refund total"] or Decimal(0),
            amount=_typed_amount(self.amount.input_value(), "Refund amount"),
            available=self._available(self.amount, "Refund amount"),
            shipping_available=(
                self._available(self.shipping, "Refund shipping") if self.shipping.count() else None
            ),
            button_amount=parse_money(name),
            button_enabled=self.button.is_enabled(),
            restock=self.restock.is_checked() if self.restock.count() else None,
            notify=self.notify.is_checked(),
        )

    # --- filling --------------------------------------------------------------------------

    def set_quantity(self, sku: str, quantity: int) -> None:
        """Type the units of one line (the amount follows: set it after)."""
        self._group(sku).get_by_label("Quantity", exact=True).fill(str(quantity))

    def set_quantities(self, quantities: Mapping[str, int]) -> None:
        for sku, quantity in quantities.items():
            self.set_quantity(sku, quantity)

    def set_shipping(self, amount: Decimal) -> None:
        """ "Refund shipping"; absent when no shipping was charged (then only 0 is fine)."""
        if not self.shipping.count():
            if amount:
                raise PortalFailure("the refund page offers no shipping refund")
            return
        self.shipping.fill(f"{amount:.2f}")

    def set_restock(self, restock: bool) -> bool:
        """Check or clear "Restock items"; False when it is not offered (nothing tracked)."""
        if not self.restock.count():
            return False
        self.restock.set_checked(restock)
        return True

    def write_reason(self, reason: str) -> None:
        self.reason.fill(reason)

    def set_notify(self, notify: bool) -> None:
        self.notify.set_checked(notify)

    def set_amount(self, amount: Decimal) -> None:
        """Lower (or set) "Refund amount"; the button's name follows it."""
        self.amount.fill(f"{amount:.2f}")

    @state_change
    def submit_refund(self) -> Reply:
        """Click "Refund $X.XX" once and wait for the portal's answer, whatever it is.

        DONE: the status message "Refunded $X.XX" on the order page. REFUSED: an alert with
        one of its rules (nothing changed), or a button disabled at $0.00 (not clicked).
        FAILED: "Something went wrong" (the refund may have happened: read the order).
        """
        if self.button.count() == 1 and not self.button.is_enabled():
            name = squash(self.button.inner_text())
            return Reply(Answer.REFUSED, f"the button {name!r} is disabled: nothing to refund")
        refunded = self.page.get_by_role("status").filter(has_text=REFUNDED)
        self.button.click()
        return answer(self.page, refunded, self.alert)

    # --- helpers --------------------------------------------------------------------------

    def _group(self, sku: str) -> Locator:
        word = re.compile(rf"SKU:\s*{re.escape(sku)}(?![\w-])")
        group = self.groups.filter(has_text=word)
        if group.count() != 1:
            raise PortalFailure(f"the refund page shows {group.count()} lines {sku} to refund")
        return group

    @staticmethod
    def _line(sku: str, group: Locator, text: str) -> RefundLine:
        left = LEFT.search(text)
        prices = {to_money(m) for m in MONEY.finditer(text)}
        if not left or len(prices) != 1:
            raise PortalFailure(f"the refund line {sku} reads {squash(text)!r}")
        field = group.get_by_label("Quantity", exact=True)
        typed = field.input_value().strip() or "0"
        if not typed.isdigit():
            raise PortalFailure(f"the quantity of {sku} reads {typed!r}")
        return RefundLine(sku, prices.pop(), int(left.group(1)), int(typed))

    def _available(self, field: Locator, label: str) -> Decimal:
        """The "$X.XX available for refund" beside a field: in the innermost part of the
        page that holds both; two different amounts there raise."""
        holder = innermost(self.page.locator("*").filter(has=field).filter(has_text=AVAILABLE))
        if holder is None:
            raise PortalFailure(f"no amount available for refund beside {label!r}")
        found = {to_money(m) for m in AVAILABLE.finditer(holder.inner_text())}
        if len(found) != 1:
            raise PortalFailure(f"{label!r} shows {len(found)} amounts available for refund")
        return found.pop()


def _typed_amount(text: str, label: str) -> Decimal:
    cleaned = text.strip().replace("$", "").replace(",", "") or "0"
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise PortalFailure(f"{label!r} holds {text!r}, not an amount") from None
