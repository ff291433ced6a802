"""kogan.find_order — read one Kogan order: its customer, lines, statuses and amounts.

Read-only: it searches the order list exactly as the refund does (same period, same
exact match on the ESG reference), so what it shows is what a refund would act on. It
lets a support agent (or an AI agent) look before asking for a change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from flows._fields import EsgReference
from flows.kogan_refund import not_found, search_days
from pages.kogan import KOGAN, OrderList
from portalpilot import Cli, Flow, FlowContext, FlowInput, FlowOutput


class KoganFindOrder(FlowInput):
    """Look up one Kogan order by its ESG reference; nothing is changed."""

    reference: Annotated[
        EsgReference,
        Cli(argument=True),
        Field(description="The order's ESG reference, e.g. ESG-10012 (ESG- and 5 to 10 digits)."),
    ]

    @property
    def subject(self) -> str:
        return self.reference


class OrderLineView(BaseModel):
    sku: str
    title: str
    quantity: int
    amount: Decimal = Field(description="The line's total, as the order list shows it.")
    status: str = Field(description="Awaiting dispatch, Dispatched, Refunded or Cancelled.")
    refundable: bool = Field(description="Dispatched: kogan_refund can refund it.")


class KoganOrder(FlowOutput):
    customer: str
    placed: date
    lines: list[OrderLineView]
    total: Decimal = Field(description="Sum of every line's amount.")
    refundable_amount: Decimal = Field(description="Sum of the dispatched lines' amounts.")
    currency: str = "AUD"
    period_days: int


def find_order(ctx: FlowContext, query: KoganFindOrder) -> KoganOrder:
    """Show a Kogan order's customer, lines, statuses and amounts; changes nothing."""
    days = search_days(ctx)
    orders = OrderList(ctx.page).open_search(ctx.base_url, days, query.reference)
    # The search matches any part of a reference: ESG-1001 also lists ESG-10012.
    rows = orders.rows_of(query.reference)
    if not rows:
        raise not_found(query.reference, days)
    lines = [
        OrderLineView(
            sku=row.sku,
            title=row.title,
            quantity=row.quantity,
            amount=row.total,
            status=row.status,
            refundable=row.status == "Dispatched",
        )
        for row in rows
    ]
    total = sum((line.amount for line in lines), Decimal(0))
    refundable = sum((line.amount for line in lines if line.refundable), Decimal(0))
    summary = ", ".join(f"{line.sku} {line.status}" for line in lines)
    return KoganOrder(
        status="found",
        message=f"{query.reference} of {rows[0].customer}: {summary}",
        customer=rows[0].customer,
        placed=rows[0].placed,
        lines=lines,
        total=total,
        refundable_amount=refundable,
        period_days=days,
    )


FLOW = Flow(
    name="kogan.find_order",
    portal=KOGAN,
    input_model=KoganFindOrder,
    run=find_order,
    changes_state=False,
)
