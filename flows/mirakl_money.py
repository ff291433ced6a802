"""The arithmetic of a Mirakl refund, from what the order page shows.

What remains to be refunded per line (units and euros) and for the shipping, the refund
a request amounts to, and whether an identical refund is already on the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pages.mirakl import OrderDetails, RefundEntry
from portalpilot import PortalFailure, Refusal

ZERO = Decimal("0.00")


class AskedLine(Protocol):
    @property
    def sku(self) -> str: ...
    @property
    def units(self) -> int | None: ...
    @property
    def amount(self) -> Decimal | None: ...


def _euro(value: Decimal) -> str:
    return f"€{value:,.2f}"


@dataclass(frozen=True)
class Plan:
    """One refund: (SKU, units, amount) per line, and the shipping amount."""

    parts: tuple[tuple[str, int, Decimal], ...]
    shipping: Decimal

    @property
    def total(self) -> Decimal:
        return sum((amount for _, _, amount in self.parts), self.shipping)

    def signature(self) -> frozenset[tuple[str, int, Decimal]]:
        found = {(sku.casefold(), units, amount) for sku, units, amount in self.parts}
        return frozenset(found | ({("", 0, self.shipping)} if self.shipping else set()))

    def describe(self) -> str:
        words = [f"{sku} ×{units} {_euro(amount)}" if units else f"{sku} {_euro(amount)}"
                 for sku, units, amount in self.parts]  # fmt: skip
        if self.shipping:
            words.append(f"shipping {_euro(self.shipping)}")
        return ", ".join(words) or "nothing"


@dataclass(frozen=True)
class RefundGroup:
    at: datetime
    plan: Plan


def refund_groups(details: OrderDetails) -> dict[str, RefundGroup]:
    """The order's refunds by id, each as the plan it carried out."""
    rows: dict[str, list[RefundEntry]] = {}
    for entry in details.refunds:
        rows.setdefault(entry.refund_id, []).append(entry)
    return {
        refund_id: RefundGroup(
            at=entries[0].at,
            plan=Plan(
                tuple((e.sku, e.quantity, e.amount) for e in entries if e.sku is not None),
                sum((e.amount for e in entries if e.sku is None), ZERO),
            ),
        )
        for refund_id, entries in rows.items()
    }


def matching_refund(groups: dict[str, RefundGroup], plan: Plan) -> str | None:
    """The latest refund on the order with exactly these parts, if any."""
    same = [rid for rid, group in groups.items() if group.plan.signature() == plan.signature()]
    return max(same, key=lambda rid: groups[rid].at) if same else None


@dataclass(frozen=True)
class Remaining:
    """What can still be refunded: per SKU units and euros, and the shipping."""

    units: dict[str, int]
    amounts: dict[str, Decimal]
    shipping: Decimal

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), self.shipping)

    @classmethod
    def of(cls, details: OrderDetails) -> Remaining:
        refunded = sum((entry.amount for entry in details.refunds), ZERO)
        if refunded != details.facts.already_refunded:
            raise PortalFailure(
                f"{details.order_id}: its refunds add up to {_euro(refunded)} but it says "
                f"'Already refunded' {_euro(details.facts.already_refunded)}"
            )
        units = {line.sku: line.quantity for line in details.lines}
        amounts = {line.sku: line.amount for line in details.lines}
        shipping = details.facts.shipping_price
        for entry in details.refunds:
            if entry.sku is None:
                shipping -= entry.amount
            elif entry.sku in units:
                units[entry.sku] -= entry.quantity
                amounts[entry.sku] -= entry.amount
        return cls(units, amounts, shipping)


def plan_refund(
    order_id: str,
    details: OrderDetails,
    remaining: Remaining | None,
    full: bool,
    lines: Sequence[AskedLine],
    shipping: Decimal | None,
) -> Plan:
    """The refund asked for; with `remaining`, refused if it asks for more than remains."""
    if full:
        assert remaining is not None
        everything = tuple(
            (sku, remaining.units[sku], amount)
            for sku, amount in remaining.amounts.items()
            if amount > 0
        )
        return Plan(everything, max(remaining.shipping, ZERO))
    by_sku = {line.sku.casefold(): line for line in details.lines}
    parts: list[tuple[str, int, Decimal]] = []
    for asked in lines:
        line = by_sku.get(asked.sku.casefold())
        if line is None:
            raise Refusal(
                f"{order_id} has no line {asked.sku} (its lines: "
                f"{', '.join(line.sku for line in details.lines)})",
                status="not_found",
            )
        units = asked.units or 0
        amount = asked.amount if asked.amount is not None else line.price * units
        if remaining is not None and units > remaining.units[line.sku]:
            raise Refusal(
                f"{order_id} {line.sku}: {units} units asked, "
                f"{remaining.units[line.sku]} of {line.quantity} remain to be refunded",
                status="units_exceeded",
            )
        if remaining is not None and amount > remaining.amounts[line.sku]:
            raise Refusal(
                f"{order_id} {line.sku}: {_euro(amount)} asked, "
                f"{_euro(remaining.amounts[line.sku])} can still be refunded",
                status="amount_exceeded",
            )
        parts.append((line.sku, units, amount))
    wanted = shipping or ZERO
    if remaining is not None and wanted > remaining.shipping:
        raise Refusal(
            f"{order_id}: {_euro(wanted)} of shipping asked, "
            f"{_euro(max(remaining.shipping, ZERO))} can still be refunded",
            status="amount_exceeded",
        )
    return Plan(tuple(parts), wanted)
