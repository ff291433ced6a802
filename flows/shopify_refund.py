"""shopify.refund — refund a Shopify order's lines (and shipping), restocking them, once.

The seller's procedure (seed 000, step 3): "Refund the customer on shopify account to
update the inventory system". Orders > the order > "Refund": the quantity of each line,
"Restock items", the shipping, a reason; then "Refund $X.XX". The order page says what
is left to refund and what was refunded, so the spec's rules (the exact order, the
customer's email, the Kogan note's ESG reference, quantities within what is left) are
checked there before the click, and the refund is read back there after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from flows._fields import EsgReference, blank_is_none, identifier
from pages.shopify import (
    SHOPIFY,
    CardLine,
    NoSuchOrder,
    OrderPage,
    RefundPage,
    RefundSummary,
    ShopifyOrder,
)
from portalpilot import (
    Answer,
    Change,
    Cli,
    Flow,
    FlowContext,
    FlowInput,
    FlowOutput,
    OutcomeUnknown,
    PortalFailure,
    Refusal,
    Reply,
    Seen,
)

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ESG = re.compile(r"\bESG-\d+\b")
ITEM = re.compile(r"^(?P<sku>[^\s:;,]+)(?::(?P<quantity>\d+))?$")


def _email(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        if not EMAIL.fullmatch(value):
            raise ValueError("expected an email address, e.g. jane.citizen@example.com")
    return value


# A Shopify order number: "#1042" or "1042", always "#1042" after.
ShopifyNumber = Annotated[
    str,
    BeforeValidator(identifier(r"\d{1,15}", "a Shopify order number, e.g. #1042", prefix="#")),
    AfterValidator(lambda digits: f"#{digits}"),
]
CustomerEmail = Annotated[str, BeforeValidator(_email)]


class RefundItem(BaseModel):
    """One line to refund: all of what is left of it, or `quantity` units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    quantity: int | None = Field(None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        match = ITEM.match(re.sub(r"\s*:\s*", ":", value.strip()))
        if not match:
            raise ValueError("expected SKU or SKU:QUANTITY, e.g. KG-TEA-TIN:2")
        return {key: part for key, part in match.groupdict().items() if part is not None}

    def __str__(self) -> str:
        return self.sku + (f":{self.quantity}" if self.quantity else "")


class ShopifyRefund(FlowInput):
    """Refund a Shopify order's lines (all that is left, or some units) and restock them.

    `notify` is off by default: in the Kogan procedure the customer is answered in the
    Kogan inbox thread (marketplaces forbid sellers to write to their customers outside
    it), so Shopify's own email would be a second message through a channel that is not
    the marketplace's.
    """

    order: Annotated[
        ShopifyNumber,
        Cli(argument=True),
        Field(description="The Shopify order number, e.g. #1042 (the # may be left out)."),
    ]
    email: Annotated[
        CustomerEmail,
        Field(
            description="The customer's email, e.g. jane.citizen@example.com; the order's "
            "must be the same (case aside)."
        ),
    ]
    reference: Annotated[
        EsgReference | None,
        BeforeValidator(blank_is_none),
        Field(
            description="The Kogan order's ESG reference, e.g. ESG-20481234: the order's "
            'note ("Kogan order ESG-…") must name the same one.'
        ),
    ] = None
    skus: Annotated[
        list[RefundItem],
        Cli(flag="--sku"),
        Field(
            default_factory=list,
            description="Refund only these lines: SKU (all that is left of it) or "
            "SKU:QUANTITY, e.g. KG-TEA-TIN:2. Default: every line with something left to "
            "refund. In a batch cell: separated by ';'.",
        ),
    ]
    shipping: Annotated[
        bool, Field(description="Refund the shipping that remains refundable too.")
    ] = False
    restock: Annotated[
        bool,
        Field(description="Put the refunded units back in stock (untracked lines never are)."),
    ] = True
    reason: Annotated[
        Annotated[str, StringConstraints(min_length=1, max_length=500)],
        Field(description='"Reason for refund", seen by staff only (500 characters at most).'),
    ] = "Refund request"
    notify: Annotated[
        bool,
        Field(description="Let Shopify email the customer (off: the Kogan inbox answers them)."),
    ] = False

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return refund_key(self)

    @property
    def complete(self) -> bool:
        """Every unit left of the lines asked: a refund that leaves none of them behind."""
        return all(item.quantity is None for item in self.skus)

    @field_validator("skus", mode="before")
    @classmethod
    def _skus(cls, value: object) -> object:
        """One CLI value or batch cell may hold several lines: `A; B:2`."""
        cells = value if isinstance(value, list) else [value]
        if not all(isinstance(cell, str | dict | BaseModel) for cell in cells):
            return value
        found: list[object] = []
        for cell in cells:
            if isinstance(cell, str):
                text = re.sub(r"\s*:\s*", ":", cell)
                found.extend(part for part in re.split(r"[;,\s]+", text) if part)
            else:
                found.append(cell)
        return found

    @field_validator("skus")
    @classmethod
    def _one_per_sku(cls, value: list[RefundItem]) -> list[RefundItem]:
        skus = [item.sku.casefold() for item in value]
        if len(set(skus)) != len(skus):
            raise ValueError("a SKU is listed twice: give its quantity once, e.g. KG-TEA-TIN:2")
        return value


class RefundedLine(BaseModel):
    sku: str
    quantity: int
    amount: Decimal


class ShopifyRefundResult(FlowOutput):
    order: str
    customer: str
    email: str
    lines: list[RefundedLine] = Field(description="The lines refunded now (or that would be).")
    shipping: Decimal = Field(description="Shipping refunded now (or that would be).")
    amount: Decimal | None = Field(
        description="The refund total now (or that would be, on a dry run); 0 when it was "
        "already refunded; None when an earlier click of ours whose answer was lost made it."
    )
    currency: str = "AUD"
    restocked: bool = Field(description='"Restock items" was checked for this refund.')
    already_refunded: list[str] = Field(
        default_factory=list, description="SKUs asked for that had nothing left to refund."
    )
    payment_status: str = Field(description="The order's payment status after the refund.")


@dataclass
class Plan:
    """What to refund, from the order page: units per SKU (the page's spelling), at
    their prices, then the shipping (known on the refund page only)."""

    quantities: dict[str, int]
    prices: dict[str, Decimal]
    done: list[str]  # SKUs asked for with nothing left
    shipping: Decimal = Decimal("0.00")

    @property
    def items(self) -> Decimal:
        return sum((self.prices[sku] * q for sku, q in self.quantities.items()), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.items + self.shipping

    def describe(self) -> str:
        parts = [f"{sku} ×{q}" for sku, q in self.quantities.items()]
        if self.shipping:
            parts.append(f"shipping {money(self.shipping)}")
        return ", ".join(parts)

    def lines(self) -> list[RefundedLine]:
        return [
            RefundedLine(sku=sku, quantity=q, amount=self.prices[sku] * q)
            for sku, q in self.quantities.items()
        ]


@dataclass
class Seeing:
    """What the reading that saw the refund done saw: the payment status after it."""

    payment_status: str | None = None


def refund(ctx: FlowContext, item: ShopifyRefund) -> ShopifyRefundResult:
    """Refund a Shopify order's lines and shipping, restocking them, exactly once."""
    page = OrderPage(ctx.page)
    try:
        before = page.open_by_number(ctx.base_url, item.order).read()
    except NoSuchOrder:
        raise Refusal(f"Shopify has no order {item.order}", status="not_found") from None
    check_order(item, before)
    plan = plan_lines(item, before)
    key = refund_key(item)

    shipping_asked = item.shipping and before.totals.shipping > 0
    if not plan.quantities and not (shipping_asked and before.can_refund):
        return _nothing_left(ctx, item, before, plan, key)
    if not before.can_refund:
        raise Refusal(
            f"{item.order} is {before.payment_status}"
            + (", canceled" if before.canceled else "")
            + f": Shopify offers no refund, though {plan.describe()} is not refunded",
            status="not_refundable",
            payment_status=before.payment_status,
        )

    form = page.start_refund()
    if form.order_number() != item.order:
        raise PortalFailure(f"the refund page is for {form.order_number()}, not {item.order}")
    if item.shipping:
        plan.shipping = form.summary().shipping_available or Decimal("0.00")
    if not plan.quantities and not plan.shipping:
        return _nothing_left(ctx, item, before, plan, key)

    seeing = Seeing()
    change = refund_change(ctx, key, before, plan, seeing)
    if not item.dry_run and ctx.clicked_before(key):
        # An earlier click of this refund was never seen settled, yet something is left.
        if not item.complete:
            # Some units: what is left now may be what that click left. No reading tells.
            raise OutcomeUnknown(
                f"an earlier click of {change.what} was never seen settled, and {item.order} "
                f"still has {plan.describe()} to refund: whether that click refunded some "
                "units cannot be told from the order page; a person must look at its timeline"
            )
        # All that is left: that click would have left nothing of it; something is left,
        # so it did not refund. The guard reads and settles it.
        if ctx.check(change) is Seen.DONE:
            return _result(item, before, plan, "refunded", item.restock, seeing.payment_status)
        form = RefundPage(ctx.page).open(ctx.base_url, before.order_id)

    summary = fill(form, item, before, plan)
    if item.dry_run:
        return _result(item, before, plan, "dry_run", bool(summary.restock))

    def click() -> Reply:
        # The form as filled, unless a reading moved the page on: then fill it again.
        filled = form
        if not filled.heading.is_visible():
            filled = RefundPage(ctx.page).open(ctx.base_url, before.order_id)
            fill(filled, item, before, plan)
        return filled.submit_refund()

    # "Refund $X.XX", through the runner's commit guard: recorded before the click, read
    # back after it, never clicked again without a reading that it did not happen.
    committed = ctx.commit(change, click)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(
                f"Shopify refused {change.what}: {committed.reply.message}",
                status="refused",
            )
        # Positively not taken (an error page before any change): a new attempt may.
        raise PortalFailure(f"{change.what} was not taken ({committed.reply.message})")
    restocked = bool(summary.restock)
    return _result(item, before, plan, "refunded", restocked, seeing.payment_status)


def check_order(item: ShopifyRefund, order: ShopifyOrder) -> None:
    """The spec's rules on whose order it is: the exact number, the customer's email,
    and for a Kogan order the ESG reference its note names."""
    if order.number != item.order:
        raise PortalFailure(f"the order page shows {order.number}, not {item.order}")
    if order.email.casefold() != item.email.casefold():
        raise Refusal(
            f"{item.order} is {order.customer}'s, whose email is {order.email}, not {item.email}",
            status="email_mismatch",
            order_email=order.email,
        )
    if item.reference is None:
        return
    named = ESG.findall(order.note)
    if item.reference not in named:
        says = f"names {', '.join(named)}" if named else "names no ESG reference"
        raise Refusal(
            f"the note of {item.order} ({order.note or 'none'!r}) {says}, not {item.reference}",
            status="reference_mismatch",
            note=order.note,
        )


def plan_lines(item: ShopifyRefund, order: ShopifyOrder) -> Plan:
    """The units to refund of each line: the SKUs asked for, or every line with units left.

    A line asked for with nothing left is reported (never clicked), so that the same
    refund run again answers "already refunded" instead of refusing. A quantity above
    what is left is refused before any click: nothing is half-done.
    """
    by_sku = {line.sku.casefold(): line for line in order.lines}
    prices = {line.sku: line.price for line in order.lines}
    if not item.skus:
        left = {line.sku: line.left for line in order.lines if line.left}
        return Plan(left, prices, [line.sku for line in order.lines if not line.left])
    missing = [asked.sku for asked in item.skus if asked.sku.casefold() not in by_sku]
    if missing:
        raise Refusal(
            f"{item.order} has no line {', '.join(missing)} "
            f"(its lines: {', '.join(line.sku for line in order.lines)})",
            status="not_found",
        )
    quantities: dict[str, int] = {}
    done: list[str] = []
    for asked in item.skus:
        line = by_sku[asked.sku.casefold()]
        wanted = line.left if asked.quantity is None else asked.quantity
        if line.left == 0 and wanted <= line.refunded:
            done.append(line.sku)
        elif wanted > line.left:
            raise Refusal(
                f"{item.order}: {wanted} × {line.sku} asked, but {line.left} of its "
                f"{line.quantity} are left to refund ({line.refunded} refunded before)",
                status="quantity_exceeded",
                asked=wanted,
                left=line.left,
            )
        else:
            quantities[line.sku] = wanted
    return Plan(quantities, prices, done)


def fill(form: RefundPage, item: ShopifyRefund, order: ShopifyOrder, plan: Plan) -> RefundSummary:
    """Type the quantities, shipping, restock, reason and notification; then read the
    summary back: every amount must be the one planned, before any click."""
    for sku in plan.quantities:
        line = order.line(sku)
        offered = form.line(sku)
        if line is None or (offered.left, offered.price) != (line.left, line.price):
            raise PortalFailure(
                f"the refund page offers {offered.left} × {sku} at {money(offered.price)}, "
                f"the order page {line.left if line else 0} at "
                f"{money(line.price) if line else '?'}"
            )
    form.set_quantities(plan.quantities)
    form.set_shipping(plan.shipping)
    form.set_restock(item.restock)
    form.write_reason(item.reason)
    form.set_notify(item.notify)
    summary = form.summary()
    read = (summary.items_subtotal, summary.shipping, summary.refund_total, summary.amount)
    planned = (plan.items, plan.shipping, plan.total, plan.total)
    if read != planned or summary.button_amount != plan.total:
        raise PortalFailure(
            f"the refund summary reads items {money(read[0])}, shipping {money(read[1])}, "
            f"total {money(read[2])}, amount {money(read[3])}, button "
            f"{money(summary.button_amount)}; planned: {plan.describe()} = {money(plan.total)}"
        )
    if plan.total > summary.available:
        raise Refusal(
            f"{item.order}: the refund of {money(plan.total)} ({plan.describe()}) is more than "
            f"the {money(summary.available)} available for refund",
            status="amount_exceeded",
            available=summary.available,
        )
    if not summary.button_enabled:
        raise PortalFailure(f"the button 'Refund {money(plan.total)}' is disabled")
    if summary.restock not in (None, item.restock) or summary.notify != item.notify:
        raise PortalFailure(
            f"the refund form reads restock {summary.restock}, notify {summary.notify}"
        )
    return summary


def refund_change(
    ctx: FlowContext, key: str, before: ShopifyOrder, plan: Plan, seeing: Seeing
) -> Change:
    """The refund, and how to see it: "Refunded" grew by exactly the refund total and
    each line's refunded units by exactly its quantity; all unchanged, nothing was
    refunded. Anything else (someone else refunding at the same moment?) raises: a
    person must look."""

    def read() -> Seen:
        # Only the parts that tell: the "Refunded" total, the "Refunded (N)" card, the
        # payment status (the customer, notes and tags were checked before the click).
        page = OrderPage(ctx.page).open(ctx.base_url, before.order_id)
        refunded = page.totals().refunded
        cards = page.cards()
        grew = refunded - before.totals.refunded
        moved = {
            sku: _refunded(cards, sku) - _refunded(before.cards, sku) for sku in plan.quantities
        }
        if grew == 0 and not any(moved.values()):
            return Seen.ABSENT
        if grew == plan.total and moved == plan.quantities:
            seeing.payment_status = page.statuses()[0]
            return Seen.DONE
        raise PortalFailure(
            f"{before.number}: 'Refunded' went from {money(before.totals.refunded)} to "
            f"{money(refunded)} and the refunded units by {moved}; "
            f"{plan.describe()} = {money(plan.total)} was asked"
        )

    what = f"the refund of {money(plan.total)} of {before.number} ({plan.describe()})"
    return Change(key=key, read=read, what=what)


def _refunded(cards: Mapping[str, tuple[CardLine, ...]], sku: str) -> int:
    """Units of `sku` in the "Refunded (N)" card (none when there is no such card)."""
    return sum(line.quantity for line in cards.get("Refunded", ()) if line.sku == sku)


def _nothing_left(
    ctx: FlowContext, item: ShopifyRefund, order: ShopifyOrder, plan: Plan, key: str
) -> ShopifyRefundResult:
    """Nothing of what was asked is left to refund: ours from a lost answer, or someone's."""
    if item.dry_run:
        return _result(item, order, plan, "already_refunded", False)
    ours = ctx.found_done(key)
    return _result(item, order, plan, "refunded" if ours else "already_refunded", False)


def _result(
    item: ShopifyRefund,
    order: ShopifyOrder,
    plan: Plan,
    status: str,
    restocked: bool,
    payment_status: str | None = None,
) -> ShopifyRefundResult:
    """The result; `order` as read before the refund, `payment_status` as after it."""
    nothing = not plan.quantities and not plan.shipping
    what = f"{money(plan.total)} of {item.order} ({plan.describe()})"
    if status == "dry_run":
        message = f"would refund {what}; nothing changed"
    elif status == "already_refunded":
        earlier = f" ({', '.join(plan.done)} refunded before)" if plan.done else ""
        message = f"{item.order} has nothing left to refund{earlier}; nothing changed"
    elif nothing:
        message = f"{item.order} was refunded by an earlier click of ours whose answer was lost"
    else:
        message = f"refunded {what}" + ("; restocked" if restocked else "")
    if plan.done and status != "already_refunded":
        message += f" ({', '.join(plan.done)} had nothing left to refund)"
    made = status in ("dry_run", "refunded") and not nothing
    return ShopifyRefundResult(
        status=status,
        message=message,
        order=order.number,
        customer=order.customer,
        email=order.email,
        lines=plan.lines() if made else [],
        shipping=plan.shipping if made else Decimal("0.00"),
        amount=plan.total if made else (None if status == "refunded" else Decimal("0.00")),
        restocked=restocked and made,
        already_refunded=plan.done,
        payment_status=payment_status or order.payment_status,
        changes=[f"refund {what}"] if made else [],
    )


def money(amount: Decimal) -> str:
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def refund_key(item: ShopifyRefund) -> str:
    """The same refund: same order, same lines and quantities, shipping or not — whatever
    the reason, restock or notification."""
    lines = "+".join(sorted(str(i).upper() for i in item.skus)) or "*"
    return f"{item.order}/refund/{lines}" + ("+shipping" if item.shipping else "")


FLOW = Flow(name="shopify.refund", portal=SHOPIFY, input_model=ShopifyRefund, run=refund)
