"""kogan.resolve_ticket — the whole Kogan refund procedure, from one inbox ticket.

The seller's procedure (seed 000), as one durable run (portalpilot/_procedure.py):

1. read the request in the Kogan inbox: the customer's email, the `ESG-` number;
2. find the order in Electronic Cart by that email (or the reference): its Shopify
   order number;
3. plan every change and cross-check what the systems say — the customer, the lines,
   the amount — before anything changes: a disagreement is a refusal naming both
   values and both systems, and a refusal of any system (an order not in Shopify, two
   monday items) stops the procedure with nothing changed anywhere;
4. refund in Shopify, so that the inventory is right;
5. record it on the monday board, by the Shopify order number;
6. refund in the Kogan dispatch portal (the money back to the customer);
7. answer the customer and solve the ticket.

A ticket already Solved or Closed is refused before anything changes. Each step is
exactly once and verified: a step already done, by us or a person (K4:
Shopify refunded and monday Done), is read in its system and reported as such, and the
procedure carries on with the rest. The dry run stops after step 3: the plan across
all five systems, nothing changed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from flows._fields import TicketNumber, choice
from flows._names import same_name
from flows.kogan_refund import RefundReason
from portalpilot import Cli, FlowInput, FlowOutput, Result
from portalpilot._procedure import Declined, Disagreement, Procedure, Steps, Stopped

ZERO = Decimal("0.00")
CLOSED = ("Solved", "Closed")  # a request already answered (K7's old ticket #5110)


class KoganResolveTicket(FlowInput):
    """Resolve a Kogan refund request: every system of the procedure, each step once."""

    ticket: Annotated[
        TicketNumber,
        Cli(argument=True),
        Field(description="The Kogan inbox ticket of the refund request, e.g. 5201."),
    ]
    reason: Annotated[
        RefundReason,
        BeforeValidator(choice(RefundReason)),
        Field(description="Kogan's refund reason: " + ", ".join(r.value for r in RefundReason)),
    ]

    @property
    def subject(self) -> str:
        return f"#{self.ticket}"

    @property
    def key(self) -> str:
        return f"#{self.ticket}/resolve"


class KoganResolveResult(FlowOutput):
    ticket: int
    order_reference: str
    shopify_order: str
    customer: str
    customer_email: str


def resolve(steps: Steps, item: KoganResolveTicket) -> KoganResolveResult:
    """Resolve a Kogan refund ticket in the inbox, E-Cart, Shopify, monday and dispatch."""
    # 1. The request, in the Kogan inbox.
    ticket = steps.run("kogan_inbox.read_ticket", {"ticket": item.ticket}).fields()
    reference = ticket["order_reference"]
    if not reference:
        found = ", ".join(ticket["references"]) or "no ESG reference"
        raise Disagreement(
            f"ticket #{item.ticket} names {found}: a person must tell which order",
            status="reference_unclear",
        )
    if ticket["ticket_status"] in CLOSED and not steps.again:
        raise Declined(
            f"ticket #{item.ticket} is {ticket['ticket_status']}: a request already answered "
            "is not refunded again; nothing changed",
            status="ticket_solved",
        )
    customer, email = ticket["customer"], ticket["customer_email"]

    # 2. The order, in Electronic Cart: its Shopify number.
    order = steps.run("ecart.find_order", {"reference": reference, "email": email}).fields()
    if not same_name(customer, order["customer"]) and not order["email_matches"]:
        raise Disagreement(
            f"the customer differs: the Kogan inbox says {customer} <{email}>, Electronic "
            f"Cart says {order['customer']} <{order['email']}> for {reference}",
            status="customer_mismatch",
        )
    shopify_order = order["shopify_order"]
    shopify = {"order": shopify_order, "email": order["email"], "reference": reference}

    # 3. Every change planned first, and cross-checked: nothing changes on a disagreement.
    shop_plan = steps.run("shopify.refund", {**shopify, "dry_run": True})
    skus = [line["sku"] for line in shop_plan.fields().get("lines", [])]
    dispatch = {
        "reference": reference,
        "reason": item.reason.value,
        "customer": order["customer"],
        **({"skus": skus} if skus else {}),
    }
    dispatch_plan = _plan_dispatch(steps, dispatch)
    amount = _cross_check(reference, shop_plan, dispatch_plan)
    monday = {"order": shopify_order, "reference": reference, "email": order["email"]}
    steps.run("monday.record_refund", {**monday, "amount": str(amount), "dry_run": True})
    if item.dry_run:
        return _result(item, "dry_run", ticket, order, amount, steps)

    # 4.–7. The changes, in the seller's order; each verified before and after its click.
    steps.run("shopify.refund", shopify)
    steps.run("monday.record_refund", {**monday, "amount": str(amount)})
    steps.run("kogan.refund", dispatch)
    steps.run(
        "kogan_inbox.reply_and_solve",
        {
            "ticket": item.ticket,
            "amount": str(amount),
            "reference": reference,
            "customer": customer,
        },
    )
    return _result(item, "resolved", ticket, order, amount, steps)


def _plan_dispatch(steps: Steps, dispatch: dict[str, Any]) -> Result:
    """The dispatch portal's plan; the order list is widened (to 90 days, or what
    PORTALPILOT_KOGAN__WIDEN_DAYS allows) if the order is older than the period searched:
    Electronic Cart found it, so it exists. The portal's own list tells, not this
    machine's clock, which may not be the portal's day."""
    plan = steps.run("kogan.refund", {**dispatch, "dry_run": True}, stop_unless_done=False)
    widest = getattr(steps.settings.portal("kogan"), "widen_days", 90)
    if plan.status == "not_found" and plan.fields().get("period_days", widest) < widest:
        dispatch["search_days"] = widest
        plan = steps.run("kogan.refund", {**dispatch, "dry_run": True})
    elif plan.outcome.value != "done":
        raise Stopped(plan)
    return plan


def _cross_check(reference: str, shop: Result, dispatch: Result) -> Decimal:
    """The amount the customer gets back: what Shopify and the dispatch portal agree on."""
    shop_lines = {line["sku"]: Decimal(line["amount"]) for line in shop.fields().get("lines", [])}
    dispatch_lines = {
        line["sku"]: Decimal(line["amount"])
        for line in dispatch.fields().get("lines", [])
        if line.get("status") == "would_refund"
    }
    if shop_lines and dispatch_lines and set(shop_lines) != set(dispatch_lines):
        raise Disagreement(
            f"{reference}: Shopify would refund {', '.join(sorted(shop_lines))}, the dispatch "
            f"portal {', '.join(sorted(dispatch_lines))}",
            status="lines_mismatch",
        )
    shop_total = sum(shop_lines.values(), ZERO)
    dispatch_total = sum(dispatch_lines.values(), ZERO)
    if shop_lines and dispatch_lines and shop_total != dispatch_total:
        raise Disagreement(
            f"{reference}: Shopify would refund ${shop_total:,.2f}, the dispatch portal "
            f"${dispatch_total:,.2f}",
            status="amount_mismatch",
        )
    return dispatch_total or shop_total or Decimal(dispatch.fields().get("amount") or 0)


def _result(
    item: KoganResolveTicket,
    status: str,
    ticket: dict[str, Any],
    order: dict[str, Any],
    amount: Decimal,
    steps: Steps,
) -> KoganResolveResult:
    planned = status == "dry_run"  # a dry run lists what its plans would change
    changes = [c for step in steps.done if step.dry_run == planned for c in step.changes]
    if status == "dry_run":
        message = (
            f"would refund ${amount:,.2f} for {order['order_reference']} (Shopify "
            f"{order['shopify_order']}) and solve #{item.ticket}; nothing changed"
        )
    else:
        message = (
            f"#{item.ticket} resolved: {order['order_reference']} refunded ${amount:,.2f} "
            f"(Shopify {order['shopify_order']}), recorded on monday, customer answered"
        )
    return KoganResolveResult(
        status=status,
        message=message,
        amount=amount,
        changes=changes,
        ticket=item.ticket,
        order_reference=order["order_reference"],
        shopify_order=order["shopify_order"],
        customer=ticket["customer"],
        customer_email=ticket["customer_email"],
    )


PROCEDURE = Procedure(
    name="kogan.resolve_ticket",
    command="resolve",
    input_model=KoganResolveTicket,
    run=resolve,
    flows=(
        "kogan_inbox.read_ticket",
        "ecart.find_order",
        "shopify.refund",
        "monday.record_refund",
        "kogan.refund",
        "kogan_inbox.reply_and_solve",
    ),
)
