"""mirakl.refund — refund a marketplace order in full or in part, exactly once.

The seller's procedure (seed 001): Orders > the order > "Refund", total or partial (the
order's amount, units of products, shipping costs), up to 200 days after shipment; the
portal notifies the customer. The order page says what was paid and what was refunded,
so every rule is checked there before the click, and the refund is read back after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flows import mirakl_common as common
from flows._fields import choice
from flows.mirakl_money import Plan, Remaining, matching_refund, plan_refund, refund_groups
from pages.mirakl import MIRAKL, OrderDetails, OrderPage
from portalpilot import (
    Answer,
    Change,
    Cli,
    Flow,
    FlowContext,
    FlowInput,
    FlowOutput,
    PortalFailure,
    Refusal,
    Seen,
)

REFUND_DAYS = 200
LINE = re.compile(r"^(?P<sku>[^\s:=;]+)(?::(?P<units>[^=]*))?(?:=(?P<amount>.+))?$")


class RefundReason(StrEnum):
    """The back office's refund reasons, as its "Reason" list words them."""

    NO_RESPONSE = "No response from the shop"
    OUT_OF_STOCK = "Out of stock"
    CANCELLED_BEFORE_SHIPPING = "Cancelled by the client prior to shipping"
    ITEM_RETURNED = "Item returned"
    ITEM_NOT_RECEIVED = "Item not received"
    AGREEMENT = "Agreement found with the vendor"


class RefundLine(BaseModel):
    """Part of one order line: some units (at their price), an amount, or both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    units: int | None = Field(None, ge=1)
    amount: Decimal | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        match = LINE.match(value.strip())
        if not match:
            raise ValueError("expected SKU:UNITS, SKU=AMOUNT or SKU:UNITS=AMOUNT, e.g. MUG-1:2")
        return {key: part for key, part in match.groupdict().items() if part is not None}

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> object:
        return common.amount(value)

    @model_validator(mode="after")
    def _how_much(self) -> RefundLine:
        if self.units is None and self.amount is None:
            raise ValueError(f"say how much of {self.sku}: {self.sku}:UNITS or {self.sku}=AMOUNT")
        return self


class MiraklRefund(FlowInput):
    """Refund a marketplace order: in full, or some units, amounts and shipping."""

    order_id: Annotated[
        str,
        Cli(argument=True),
        Field(description="The order number, e.g. 8817455903-A."),
    ]
    reason: Annotated[
        RefundReason,
        BeforeValidator(choice(RefundReason, "; ")),
        Field(description="The refund reason: " + "; ".join(r.value for r in RefundReason)),
    ]
    lines: Annotated[
        list[RefundLine],
        Cli(flag="--line"),
        Field(
            default_factory=list,
            description="Partial refund of a line: SKU:UNITS (units at their price), "
            "SKU=AMOUNT (euros) or SKU:UNITS=AMOUNT. In a batch cell: separated by ';'.",
        ),
    ]
    shipping: Annotated[
        Decimal | None,
        Field(description="Partial refund of the shipping costs, in euros, e.g. 5.99."),
    ] = None
    full: Annotated[
        bool,
        Field(
            validate_default=True,
            description="Refund everything that remains: every line and the shipping.",
        ),
    ] = False

    @property
    def subject(self) -> str:
        return self.order_id

    @property
    def key(self) -> str:
        return refund_key(self)

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: object) -> object:
        return common.order_id(value)

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, value: object) -> object:
        """One CLI value or batch cell may hold several lines: `A:1; B=5.00`."""
        cells = value if isinstance(value, list) else [value]
        if not all(isinstance(cell, str | dict | BaseModel) for cell in cells):
            return value
        found: list[object] = []
        for cell in cells:
            split = common.split_cell(cell)
            found.extend(split if isinstance(split, list) else [split])
        return found

    @field_validator("lines")
    @classmethod
    def _one_per_sku(cls, value: list[RefundLine]) -> list[RefundLine]:
        skus = [line.sku.casefold() for line in value]
        if len(set(skus)) != len(skus):
            raise ValueError("a SKU is listed twice: give its units and amount in one --line")
        return value

    @field_validator("shipping", mode="before")
    @classmethod
    def _shipping(cls, value: object) -> object:
        return common.amount(value)

    @field_validator("full")
    @classmethod
    def _what_to_refund(cls, value: bool, info: ValidationInfo) -> bool:
        lines, shipping = info.data.get("lines"), info.data.get("shipping")
        if value and (lines or shipping):
            raise ValueError("give either --full, or --line / --shipping for a partial refund")
        checked = "lines" in info.data and "shipping" in info.data  # both valid themselves
        if not value and not lines and shipping is None and checked:
            raise ValueError(
                "say what to refund: --full, or --line SKU:UNITS / SKU=AMOUNT and/or --shipping"
            )
        return value


class RefundedItem(BaseModel):
    item: str  # a SKU, or "shipping"
    units: int
    amount: Decimal


class MiraklRefundResult(FlowOutput):
    customer: str
    state: str = Field(description="The order's state after the refund.")
    reason: str
    full: bool
    items: list[RefundedItem]
    amount: Decimal = Field(description="Refunded now (or that would be, on a dry run).")
    currency: str = "EUR"
    already_refunded: Decimal = Field(description="What the order says is refunded in all.")
    still_refundable: Decimal
    refund_id: str | None = None


def refund(ctx: FlowContext, item: MiraklRefund) -> MiraklRefundResult:
    """Refund a marketplace order in full or in part (units, amounts, shipping), once."""
    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    if not page.exists():
        raise Refusal(f"there is no order {item.order_id} in the back office", status="not_found")
    before = page.details(item.order_id)
    remaining = Remaining.of(before)
    key = refund_key(item)

    done = _done_before(ctx, item, before, remaining, key)
    if done is not None:
        return done
    _check_rules(item, before, before.now or common.portal_time(ctx.page))
    plan = plan_refund(item.order_id, before, remaining, item.full, item.lines, item.shipping)
    if plan.total <= 0:
        raise Refusal(f"{item.order_id}: nothing remains to be refunded", status="amount_exceeded")
    ctx.log.info("refund planned: {} ({})", common.euro(plan.total), plan.describe())
    if item.dry_run:
        return _result(item, before, plan, "dry_run", remaining.total - plan.total)

    change, seen = refund_change(ctx, key, before, plan)
    earlier = ctx.check(change)  # an earlier click never seen settled: read before anything
    if earlier is Seen.DONE:
        after = seen.after or before
        return _result(item, after, plan, "refunded", Remaining.of(after).total, seen.refund_id)
    if earlier is not None:
        page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)  # the reading moved on
    dialog = page.start_refund()
    if item.full:
        dialog.choose_full()
    else:
        dialog.choose_partial()
        for sku, units, amount in plan.parts:
            dialog.set_line(sku, units or None, amount)
        if plan.shipping:
            dialog.set_shipping(plan.shipping)
    dialog.choose_reason(item.reason.value)
    # "Refund", through the runner's commit guard: recorded before the click, read back
    # after it, never clicked again without a reading that it did not happen.
    committed = ctx.commit(change, dialog.refund)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(
                f"{item.order_id}: the portal refused the refund: {committed.reply.message}",
                status=_refusal_status(committed.reply.message),
            )
        raise PortalFailure(f"{item.order_id}: the refund was not taken ({committed.reply.answer})")
    after = seen.after or before
    return _result(item, after, plan, "refunded", Remaining.of(after).total, seen.refund_id)


@dataclass
class AfterRefund:
    """What the reading that saw the refund done saw: the order, and the new refund."""

    after: OrderDetails | None = None
    refund_id: str | None = None


def refund_change(
    ctx: FlowContext, key: str, before: OrderDetails, plan: Plan
) -> tuple[Change, AfterRefund]:
    """The refund, and how to see it: "Already refunded" grew by exactly the amount asked,
    with one new refund; unchanged, nothing was refunded. Anything else is not understood
    (someone else refunded at the same moment?) and raises: a person must look."""
    seen = AfterRefund()
    order_id = before.order_id

    def read() -> Seen:
        page = OrderPage(ctx.page).load(ctx.base_url, order_id)
        if not page.exists():
            raise PortalFailure(f"the order page of {order_id} is not found")
        after = page.details(order_id)
        known = refund_groups(before)
        new = [rid for rid in refund_groups(after) if rid not in known]
        grew = after.facts.already_refunded - before.facts.already_refunded
        if grew == 0 and not new:
            return Seen.ABSENT
        if grew == plan.total and len(new) == 1:
            seen.after, seen.refund_id = after, new[0]
            return Seen.DONE
        raise PortalFailure(
            f"{order_id}: 'Already refunded' went from {common.euro(before.facts.already_refunded)}"
            f" to {common.euro(after.facts.already_refunded)}, {common.euro(plan.total)} was asked"
        )

    what = f"the refund of {common.euro(plan.total)} of {order_id} ({plan.describe()})"
    return Change(key=key, read=read, what=what), seen


def _done_before(
    ctx: FlowContext, item: MiraklRefund, details: OrderDetails, remaining: Remaining, key: str
) -> MiraklRefundResult | None:
    """The same refund already on the order: ours from a lost answer, or someone's."""
    groups = refund_groups(details)
    refund_id: str | None = None
    if item.full and remaining.total <= 0 and groups:
        refund_id = max(groups, key=lambda rid: groups[rid].at)
    elif not item.full:
        asked = plan_refund(item.order_id, details, None, False, item.lines, item.shipping)
        refund_id = matching_refund(groups, asked)
    if refund_id is None:
        return None
    # Refunded by an earlier click of ours whose answer was lost, or by someone else.
    ours = ctx.found_done(key)
    status = "refunded" if ours else "already_refunded"
    plan = groups[refund_id].plan if ours else Plan((), Decimal(0))
    result = _result(item, details, plan, status, remaining.total, refund_id)
    if not ours:
        when = groups[refund_id].at.strftime("%d/%m/%Y %H:%M")
        result.message = (
            f"{item.order_id} already has this refund ({refund_id}, {when}, "
            f"{common.euro(groups[refund_id].plan.total)}); nothing changed"
        )
    return result


def _check_rules(item: MiraklRefund, details: OrderDetails, now: datetime) -> None:
    """The portal's rules that depend on the order, not on the amounts."""
    if details.facts.state == "CLOSED":
        raise Refusal(f"{item.order_id} is CLOSED: it cannot be refunded", status="closed")
    shipped = details.facts.shipped
    if shipped is not None:
        days = (now.date() - shipped.date()).days
        if days > REFUND_DAYS:
            raise Refusal(
                f"{item.order_id} was shipped on {shipped:%d/%m/%Y}, {days} days ago: "
                f"refunds are possible up to {REFUND_DAYS} days after shipment",
                status="too_late",
                days_since_shipment=days,
            )


def _refusal_status(message: str) -> str:
    text = message.casefold()
    for words, status in (
        ("amount exceeds", "amount_exceeded"),
        ("quantity exceeds", "units_exceeded"),
        ("200 days", "too_late"),
        ("closed", "closed"),
    ):
        if words in text:
            return status
    return "refused"


def _result(
    item: MiraklRefund,
    details: OrderDetails,
    plan: Plan,
    status: str,
    still: Decimal,
    refund_id: str | None = None,
) -> MiraklRefundResult:
    items = [
        RefundedItem(item=sku, units=units, amount=amount) for sku, units, amount in plan.parts
    ]
    if plan.shipping:
        items.append(RefundedItem(item="shipping", units=0, amount=plan.shipping))
    what = f"{common.euro(plan.total)} of {item.order_id} ({plan.describe()})"
    messages = {
        "dry_run": f"would refund {what}; nothing changed",
        "refunded": f"refunded {what}; the portal notifies the customer",
        "already_refunded": f"{item.order_id} is already refunded; nothing changed",
    }
    return MiraklRefundResult(
        status=status,
        message=messages[status],
        customer=details.facts.customer,
        state=details.facts.state,
        reason=item.reason.value,
        full=item.full,
        items=items,
        amount=plan.total if status != "already_refunded" else Decimal("0.00"),
        changes=[] if status == "already_refunded" else [f"refund {what}"],
        already_refunded=details.facts.already_refunded,
        still_refundable=still,
        refund_id=refund_id,
    )


def refund_key(item: MiraklRefund) -> str:
    """The same refund: same order and same parts, whatever the reason."""
    if item.full:
        return f"{item.order_id}/full"
    parts = sorted(
        line.sku.upper()
        + (f":{line.units}" if line.units else "")
        + (f"={line.amount}" if line.amount else "")
        for line in item.lines
    )
    if item.shipping:
        parts.append(f"shipping={item.shipping}")
    return f"{item.order_id}/" + "+".join(parts)


FLOW = Flow(name="mirakl.refund", portal=MIRAKL, input_model=MiraklRefund, run=refund)
