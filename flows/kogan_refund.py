"""kogan.refund — refund dispatched order lines in the Kogan dispatch portal.

The seller's procedure (seed 000, "Refunding the Kogan Order"): log in, "Manage my
orders", widen the list from 7 to 30 days, search the ESG number, check the customer's
name, the gear symbol, "Refund item", confirm.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

from flows._fields import Comment, EsgReference, OptionalText, choice
from flows._names import same_name
from pages.kogan import ALREADY_REFUNDED, KOGAN, OrderList, OrderRow
from pages.kogan.portal import KoganSettings
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

STATUSES = ("Awaiting dispatch", "Dispatched", "Refunded", "Cancelled")  # a line's, per the spec


class RefundReason(StrEnum):
    """Kogan's refund reasons, as the portal's "Reason" list words them."""

    CHANGE_OF_MIND = "Change of Mind"
    DEAD_ARRIVAL = "Dead Arrival"
    FAILED_CANCEL = "Failed Cancel"
    LISTING_ERROR = "Listing Error"
    PART_PROBLEM = "Part Problem"
    RETURN_SENDER = "Return Sender"
    WRONG_GOODS = "Wrong Goods"
    FAULTY_ITEM = "Faulty Item"
    DAMAGE_IN_TRANSIT = "Damage In Transit"
    FAULTY_PART = "Faulty Part"


class KoganRefund(FlowInput):
    """Refund one Kogan order's dispatched lines, found by its ESG reference."""

    reference: Annotated[
        EsgReference,
        Cli(argument=True),
        Field(description="The order's ESG reference, e.g. ESG-10012 (ESG- and 5 to 10 digits)."),
    ]
    reason: Annotated[
        RefundReason,
        BeforeValidator(choice(RefundReason)),
        Field(description="Kogan's refund reason: " + ", ".join(r.value for r in RefundReason)),
    ]
    skus: Annotated[
        list[str],
        Cli(flag="--sku"),
        Field(
            default_factory=list,
            description="Refund only these lines (SKUs). Default: the one dispatched line.",
        ),
    ]
    all_items: Annotated[bool, Field(description="Refund every dispatched line of the order.")] = (
        False
    )
    customer: Annotated[
        OptionalText,
        Field(description="Expected customer name; the order's must match (case aside)."),
    ] = None
    comment: Annotated[
        Comment,
        Field(description="Comment for the refund (500 characters at most)."),
    ] = None
    search_days: Annotated[
        int | None,
        Field(description="Search the orders of the last 30 or 90 days; default: the setting."),
    ] = None

    @property
    def subject(self) -> str:
        return self.reference

    @property
    def key(self) -> str:
        return refund_key(self)

    @field_validator("skus", mode="before")
    @classmethod
    def _skus(cls, value: object) -> object:
        if isinstance(value, str):  # one SKU, or a batch cell like "A;B"
            value = [part for part in re.split(r"[;,\s]+", value) if part]
        if isinstance(value, list):
            value = [str(sku).strip().upper() for sku in value if str(sku).strip()]
            if len(set(value)) != len(value):
                raise ValueError("a SKU is listed twice")
        return value

    @field_validator("search_days")
    @classmethod
    def _a_period_of_the_list(cls, value: int | None) -> int | None:
        if value not in (None, 30, 90):
            raise ValueError("the order list searches the last 30 or 90 days: give 30 or 90")
        return value

    @field_validator("all_items")
    @classmethod
    def _one_way_to_choose_lines(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("skus"):
            raise ValueError("give either SKUs (--sku) or all items (--all-items), not both")
        return value


class RefundedLine(BaseModel):
    sku: str
    title: str
    quantity: int
    amount: Decimal
    status: str  # refunded, already_refunded or would_refund (dry run)


class KoganRefundResult(FlowOutput):
    customer: str
    lines: list[RefundedLine]
    amount: Decimal = Field(description="Total refunded now (or that would be, on a dry run).")
    currency: str = "AUD"
    period_days: int


def search_days(ctx: FlowContext) -> int:
    """How far back to search the order list (PORTALPILOT_KOGAN__SEARCH_DAYS)."""
    settings = ctx.settings
    return settings.search_days if isinstance(settings, KoganSettings) else 30


def not_found(reference: str, days: int) -> Refusal:
    """The order is not in the list: say which period was searched, and how to widen it."""
    widen = (
        "; PORTALPILOT_KOGAN__SEARCH_DAYS=90 searches the last 90 days"
        if days < 90
        else " (the longest period the order list offers)"
    )
    return Refusal(
        f"{reference} is not among the orders of the last {days} days{widen}",
        status="not_found",
        period_days=days,
    )


def refund(ctx: FlowContext, order: KoganRefund) -> KoganRefundResult:
    """Refund dispatched Kogan order lines by ESG reference, exactly once."""
    days = order.search_days or search_days(ctx)

    # Manage my orders; widen the list from 7 to 30 days; search the ESG number.
    orders = OrderList(ctx.page).open_search(ctx.base_url, days, order.reference)
    # The search matches any part of a reference: ESG-1001 also lists ESG-10012.
    rows = orders.rows_of(order.reference)
    if not rows:
        raise not_found(order.reference, days)

    # Find the customer's name: it must be the customer the ticket is about.
    customer = rows[0].customer
    if order.customer and not same_name(order.customer, customer):
        raise Refusal(
            f"{order.reference} belongs to {customer!r}, not {order.customer!r}",
            status="customer_mismatch",
            customer=customer,
        )

    lines = choose_lines(order, rows)
    ctx.log.info("lines to refund: {}", ", ".join(f"{r.sku} ({r.status})" for r in lines))

    done: list[RefundedLine] = []
    for row in lines:
        change = refund_change(ctx, orders, order, row, days)
        if row.status == "Refunded":
            # Refunded by an earlier click of ours whose answer was lost, or by someone else.
            status = "refunded" if ctx.found_done(change.key) else "already_refunded"
            done.append(_line(row, status))
            continue
        if ctx.check(change) is Seen.DONE:
            # A click of an earlier run whose answer was lost: the line reads Refunded now.
            done.append(_line(row, "refunded"))
            continue
        # The gear symbol, "Refund item": the dialog shows what will be refunded.
        menu = orders.open_settings(row.reference, row.sku)
        if not menu.can_refund():
            raise PortalFailure(f"{change.what} is listed as {row.status} but 'Refund item' is off")
        dialog = menu.refund()
        details = dialog.read()
        if details.reference != row.reference or not details.mentions(row.sku):
            raise PortalFailure(f"the refund dialog is for another line than {change.what}")
        if order.dry_run:
            dialog.cancel()
            done.append(_line(row, "would_refund", details.amount))
            continue
        dialog.choose_reason(order.reason.value)
        if order.comment:
            dialog.write_comment(order.comment)
        # "Confirm refund", through the runner's commit guard: recorded before the click,
        # read back after it, never clicked again without a reading that it did not happen.
        committed = ctx.commit(change, partial(dialog.confirm, row.reference, row.sku))
        ctx.log.info("portal answered: {}", committed.reply.message)
        if committed.seen is Seen.ABSENT:
            if committed.reply.answer is Answer.REFUSED:
                raise Refusal(
                    f"the portal refused {change.what}: {committed.reply.message}",
                    status="refused",
                )
            # The portal did not take the refund (still Dispatched): a new attempt may.
            raise PortalFailure(f"{change.what} is still Dispatched ({committed.reply.message})")
        someone_else = committed.reply.message == ALREADY_REFUNDED
        done.append(_line(row, "already_refunded" if someone_else else "refunded", details.amount))

    return _result(order, customer, done, days)


def refund_change(
    ctx: FlowContext, orders: OrderList, order: KoganRefund, row: OrderRow, days: int
) -> Change:
    """The refund of one line, and how to see whether it is done: the line's status."""

    def read() -> Seen:
        # Right after "Confirm refund" the row turns "Refunded" in place; otherwise (an
        # error alert, an earlier run's click) only a fresh list tells.
        if not orders.wait_for_status(row.reference, row.sku, "Refunded", timeout_ms=1_500):
            orders.open_search(ctx.base_url, days, order.reference)
        status = orders.status_of(row.reference, row.sku)
        if status == "Refunded":
            return Seen.DONE
        if status == "Dispatched":
            return Seen.ABSENT
        raise PortalFailure(f"{row.reference} {row.sku} reads {status!r}")

    return Change(
        key=f"{row.reference}/{row.sku}/refund",
        read=read,
        what=f"the refund of {row.reference} {row.sku}",
    )


def choose_lines(order: KoganRefund, rows: list[OrderRow]) -> list[OrderRow]:
    """Which lines to refund: the SKUs asked for, every dispatched line, or the one.

    Lines already refunded stay in the choice (they are reported, never clicked), so that
    running the same refund again answers "already refunded" instead of refusing.
    """
    unknown = [row for row in rows if row.status not in STATUSES]
    if unknown:
        # Words the spec does not have: no decision can be made on them, whichever line.
        raise PortalFailure(
            "unknown line status "
            + ", ".join(f"{row.sku}: {row.status!r}" for row in unknown)
            + f" (the spec's: {', '.join(STATUSES)})"
        )
    dispatched = [row for row in rows if row.status == "Dispatched"]
    refunded = [row for row in rows if row.status == "Refunded"]
    if order.skus:
        by_sku = {row.sku.upper(): row for row in rows}
        missing = [sku for sku in order.skus if sku not in by_sku]
        if missing:
            raise Refusal(
                f"{order.reference} has no line {', '.join(missing)} "
                f"(its lines: {', '.join(by_sku)})",
                status="not_found",
            )
        chosen = [by_sku[sku] for sku in order.skus]
    elif order.all_items:
        chosen = dispatched + refunded
    elif len(dispatched) > 1:
        raise Refusal(
            f"{order.reference} has {len(dispatched)} dispatched lines "
            f"({', '.join(r.sku for r in dispatched)}): name them with --sku, "
            "or use --all-items",
            status="ambiguous",
        )
    else:
        chosen = dispatched or refunded
    if not chosen:
        awaiting = any(row.status == "Awaiting dispatch" for row in rows)
        raise Refusal(
            f"{order.reference} has no dispatched line to refund "
            f"({', '.join(f'{r.sku}: {r.status}' for r in rows)})"
            + ("; a line awaiting dispatch must be cancelled, not refunded" if awaiting else ""),
            status="not_dispatched" if awaiting else "cancelled",
        )
    # Refuse before any click: nothing is half-done.
    for row in chosen:
        if row.status == "Awaiting dispatch":
            raise Refusal(
                f"{row.reference} {row.sku} is awaiting dispatch: it must be cancelled, "
                "not refunded",
                status="not_dispatched",
            )
        if row.status == "Cancelled":
            raise Refusal(
                f"{row.reference} {row.sku} was cancelled; there is nothing to refund",
                status="cancelled",
            )
    return chosen


def _line(row: OrderRow, status: str, amount: Decimal | None = None) -> RefundedLine:
    return RefundedLine(
        sku=row.sku,
        title=row.title,
        quantity=row.quantity,
        amount=row.total if amount is None else amount,
        status=status,
    )


def _result(
    order: KoganRefund, customer: str, lines: list[RefundedLine], days: int
) -> KoganRefundResult:
    refunded = [line for line in lines if line.status in ("refunded", "would_refund")]
    total = sum((line.amount for line in refunded), Decimal(0))
    skus = ", ".join(line.sku for line in refunded)
    if order.dry_run:
        status = "dry_run"
        message = f"would refund ${total:,.2f} for {order.reference} ({skus}); nothing changed"
    elif refunded:
        status = "refunded"
        message = f"refunded ${total:,.2f} for {order.reference} ({skus})"
    else:
        status = "already_refunded"
        message = f"{order.reference} was already refunded; nothing changed"
    if order.dry_run and not refunded:
        message = f"{order.reference} was already refunded; nothing to do"
        status = "already_refunded"
    return KoganRefundResult(
        status=status,
        message=message,
        customer=customer,
        lines=lines,
        amount=total,
        changes=[
            f"refund {line.sku} ({line.title}) ×{line.quantity}: ${line.amount:,.2f}"
            for line in refunded
        ],
        period_days=days,
    )


def refund_key(order: KoganRefund) -> str:
    """The same refund: same order and same lines, whatever the reason or comment."""
    if order.skus:
        return f"{order.reference}/{'+'.join(sorted(order.skus))}"
    return f"{order.reference}/{'*' if order.all_items else ''}"


FLOW = Flow(name="kogan.refund", portal=KOGAN, input_model=KoganRefund, run=refund)
