"""ecart.find_order — from a Kogan reference and the customer's email to the Shopify order.

The seller's procedure (seed 000, step 2): "Find the customers Email and search in
electronic cart". The email leads to the customer's orders; the `ESG-` reference picks
the one. An email the ticket was written from may not be the order's (K11: a work
address), so the reference is searched too, and the period is widened from the 30 days
shown on every visit to 90, then 12 months. Read-only: Electronic Cart's status is a
snapshot that does not follow Shopify; refund state is never taken from here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from flows._fields import EsgReference, OptionalText
from pages.ecart import (
    BY_EMAIL,
    BY_REFERENCE,
    ECART,
    OrderRow,
    OrderSearch,
    rows_for_email,
    rows_for_reference,
)
from portalpilot import Cli, Flow, FlowContext, FlowInput, FlowOutput, Refusal

PERIODS = (30, 90, 365)  # "Last 30 days", "Last 90 days", "Last 12 months"


class EcartFindOrder(FlowInput):
    """Find a Kogan order in Electronic Cart: its Shopify order number, items and date."""

    reference: Annotated[
        EsgReference,
        Cli(argument=True),
        Field(description="The Kogan order's ESG reference, e.g. ESG-20481234."),
    ]
    email: Annotated[
        OptionalText,
        Field(description="The customer's email, e.g. jane.citizen@example.com (optional)."),
    ] = None

    @property
    def subject(self) -> str:
        return self.reference


class FoundItem(BaseModel):
    sku: str
    title: str
    quantity: int


class EcartOrder(FlowOutput):
    order_reference: str
    shopify_order: str = Field(description="The Shopify order number, e.g. #1042.")
    customer: str
    email: str
    email_matches: bool | None = Field(
        description="The order's email is the one given (case aside); None: none was given."
    )
    placed: date
    channel: str
    items: list[FoundItem]
    total: Decimal
    ecart_status: str = Field(description="A snapshot: never the refund state.")
    searched: str = Field(description="How it was found, e.g. 'email, last 30 days'.")


def find_order(ctx: FlowContext, query: EcartFindOrder) -> EcartOrder:
    """Find a Kogan order in Electronic Cart by email and ESG reference; changes nothing."""
    search = OrderSearch(ctx.page).open(ctx.base_url)
    found: list[OrderRow] = []
    how = ""
    # The customer's email first, as the procedure does: the exact row by its reference.
    if query.email:
        for days in PERIODS:
            rows = rows_for_email(search.search(BY_EMAIL, query.email, days=days), query.email)
            found = rows_for_reference(rows, query.reference)
            if found:
                how = f"email, last {days} days"
                break
    # Not under that email (a ticket from another address): by the reference itself.
    if not found:
        for days in PERIODS:
            found = rows_for_reference(
                search.search(BY_REFERENCE, query.reference, days=days), query.reference
            )
            if found:
                how = f"reference, last {days} days"
                break
    if not found:
        raise Refusal(
            f"Electronic Cart has no order {query.reference} in the last 12 months",
            status="not_found",
        )
    if len(found) > 1:
        raise Refusal(
            f"Electronic Cart lists {len(found)} orders {query.reference}; a person must "
            "tell which one",
            status="ambiguous",
        )
    row = found[0]
    if row.shopify is None:
        raise Refusal(
            f'{query.reference} is not in Shopify yet (Electronic Cart: "Not synced"); it '
            "cannot be refunded there",
            status="not_synced",
        )
    matches = None if not query.email else row.email.casefold() == query.email.casefold()
    note = "" if matches is not False else f"; the order's email is {row.email}, not {query.email}"
    return EcartOrder(
        status="found",
        message=f"{query.reference} is Shopify order {row.shopify} of {row.customer} "
        f"({row.placed:%d/%m/%Y}){note}",
        order_reference=row.reference,
        shopify_order=row.shopify,
        customer=row.customer,
        email=row.email,
        email_matches=matches,
        placed=row.placed,
        channel=row.channel,
        items=[FoundItem(sku=i.sku, title=i.title, quantity=i.quantity) for i in row.items],
        total=row.total,
        ecart_status=row.status,
        searched=how,
    )


FLOW = Flow(
    name="ecart.find_order",
    portal=ECART,
    input_model=EcartFindOrder,
    run=find_order,
    changes_state=False,
)
