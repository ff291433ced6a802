"""mirakl.solve_incident — "Mark as solved" an order's open incident, telling the operator how.

The seller's procedure (seed 001): Customer Care > Incidents, the order, solve the
problem, then "Mark as solved" with a message to the operator; the operator then checks
and closes the incident. An open incident freezes the order cycle, so it is urgent.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from flows import mirakl_common as common
from pages.mirakl import MIRAKL, Answer, IncidentList, OrderPage
from portalpilot import (
    Cli,
    Flow,
    FlowContext,
    FlowInput,
    FlowOutput,
    OutcomeUnknown,
    PortalFailure,
    Refusal,
)


class MiraklSolveIncident(FlowInput):
    """Mark an order's open incident as solved, with a message to the operator."""

    order_id: Annotated[
        str, Cli(argument=True), Field(description="The order number, e.g. 8817455912-A.")
    ]
    message: Annotated[
        str,
        Field(
            min_length=1,
            max_length=common.TEXT_MAX,
            description="Message to the operator: how the problem was solved.",
        ),
    ]

    @property
    def subject(self) -> str:
        return self.order_id

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: object) -> object:
        return common.order_id(value)


class MiraklIncidentResult(FlowOutput):
    incident: str = Field(description="The incident's reason, as the order page shows it.")
    customer: str


def solve_incident(ctx: FlowContext, item: MiraklSolveIncident) -> MiraklIncidentResult:
    """Mark an order's open incident as solved with a message to the operator, once."""
    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    if not page.exists():
        raise Refusal(f"there is no order {item.order_id} in the back office", status="not_found")
    details = page.read(item.order_id)
    key = f"{item.order_id}/solve"
    if not details.open_incidents:
        return _not_open(ctx, item, key, details.customer)
    ctx.seen(key)
    if len(details.open_incidents) > 1:
        raise Refusal(
            f"{item.order_id} has {len(details.open_incidents)} open incidents "
            f"({', '.join(details.open_incidents)}): solve them one by one in the back office",
            status="ambiguous",
        )
    [reason] = details.open_incidents
    if item.dry_run:
        return MiraklIncidentResult(
            status="dry_run",
            message=f"would mark the incident '{reason}' of {item.order_id} as solved",
            incident=reason,
            customer=details.customer,
        )
    dialog = page.mark_as_solved()
    dialog.write(item.message)
    ctx.clicking(key)
    confirmation = dialog.confirm()
    ctx.log.info("portal answered: {}", confirmation.message)
    if confirmation.answer is Answer.REFUSED:
        ctx.seen(key)
        raise Refusal(f"{item.order_id}: {confirmation.message}", status="refused")
    if confirmation.answer is not Answer.DONE:
        page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    after = page.read(item.order_id)
    if reason in after.open_incidents:
        if confirmation.answer is Answer.DONE:
            raise OutcomeUnknown(f"{item.order_id}: the portal said solved, the banner stays")
        ctx.seen(key)  # read after the failed click: still open, safe to try again
        raise PortalFailure(f"{item.order_id}: the incident was not marked as solved")
    ctx.seen(key)
    return MiraklIncidentResult(
        status="solved",
        message=f"marked the incident '{reason}' of {item.order_id} as solved; "
        "it awaits the operator",
        incident=reason,
        customer=details.customer,
    )


def _not_open(
    ctx: FlowContext, item: MiraklSolveIncident, key: str, customer: str
) -> MiraklIncidentResult:
    """No open incident: solved already (by us or someone), or there never was one."""
    rows = IncidentList(ctx.page).open(ctx.base_url).of_order(item.order_id)
    ctx.seen(key)
    solved = [row for row in rows if not row.is_open]
    if not solved:
        raise Refusal(f"{item.order_id} has no incident to solve", status="no_incident")
    ours = ctx.clicked_before(key)
    reason = solved[0].reason
    return MiraklIncidentResult(
        status="solved" if ours else "already_done",
        message=f"the incident '{reason}' of {item.order_id} is "
        + ("marked as solved" if ours else f"already {solved[0].status.lower()}; nothing changed"),
        incident=reason,
        customer=customer,
    )


FLOW = Flow(
    name="mirakl.solve_incident",
    portal=MIRAKL,
    input_model=MiraklSolveIncident,
    run=solve_incident,
    key=lambda item: f"{item.order_id}/solve",
)
