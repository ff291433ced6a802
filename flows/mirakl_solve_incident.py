"""mirakl.solve_incident — "Mark as solved" an order's open incident, telling the operator how.

The seller's procedure (seed 001): Customer Care > Incidents, the order, solve the
problem, then "Mark as solved" with a message to the operator; the operator then checks
and closes the incident. An open incident freezes the order cycle, so it is urgent.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from flows import mirakl_common as common
from pages.mirakl import MIRAKL, IncidentList, OrderPage
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

    @property
    def key(self) -> str:
        """One open incident an order: solving it is the same action, whatever the message."""
        return f"{self.order_id}/solve"

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
    reasons = page.open_incidents()
    customer = page.customer()
    if not reasons:
        return _not_open(ctx, item, customer)
    if len(reasons) > 1:
        raise Refusal(
            f"{item.order_id} has {len(reasons)} open incidents "
            f"({', '.join(reasons)}): solve them one by one in the back office",
            status="ambiguous",
        )
    [reason] = reasons
    if item.dry_run:
        return MiraklIncidentResult(
            status="dry_run",
            message=f"would mark the incident '{reason}' of {item.order_id} as solved",
            changes=[f"mark the incident '{reason}' of {item.order_id} as solved"],
            incident=reason,
            customer=customer,
        )
    change = solve_change(ctx, item.order_id, reason)
    earlier = ctx.check(change)  # an earlier click never seen settled: read before anything
    if earlier is not None:
        page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)  # the reading moved on
    if earlier is not Seen.DONE:
        dialog = page.mark_as_solved()
        dialog.write(item.message)
        committed = ctx.commit(change, dialog.confirm)
        ctx.log.info("portal answered: {}", committed.reply.message)
        if committed.seen is Seen.ABSENT:
            if committed.reply.answer is Answer.REFUSED:
                raise Refusal(f"{item.order_id}: {committed.reply.message}", status="refused")
            raise PortalFailure(f"{item.order_id}: the incident was not marked as solved")
    return MiraklIncidentResult(
        status="solved",
        message=f"marked the incident '{reason}' of {item.order_id} as solved; "
        "it awaits the operator",
        changes=[f"mark the incident '{reason}' of {item.order_id} as solved"],
        incident=reason,
        customer=customer,
    )


def solve_key(order_id: str, reason: str) -> str:
    return f"{order_id}/incident/{reason}/solve"


def solve_change(ctx: FlowContext, order_id: str, reason: str) -> Change:
    """The incident solved, as the Incidents list shows it: "Solved – awaiting operator"
    (done) or "Open" (not done). Not listed, or another status: not understood."""

    def read() -> Seen:
        rows = IncidentList(ctx.page).load(ctx.base_url).of_order(order_id)
        mine = [row for row in rows if row.reason == reason]
        if any(row.is_open for row in mine):
            return Seen.ABSENT
        if mine and all(row.is_solved for row in mine):
            return Seen.DONE
        shown = ", ".join(f"{row.reason}: {row.status!r}" for row in rows) or "nothing"
        raise PortalFailure(f"the Incidents list shows {shown} for {order_id}")

    return Change(
        key=solve_key(order_id, reason),
        read=read,
        what=f"marking the incident '{reason}' of {order_id} as solved",
    )


def _not_open(ctx: FlowContext, item: MiraklSolveIncident, customer: str) -> MiraklIncidentResult:
    """No open incident: solved already (by us or someone), or there never was one."""
    rows = IncidentList(ctx.page).open(ctx.base_url).of_order(item.order_id)
    solved = [row for row in rows if row.is_solved]
    if not solved:
        raise Refusal(f"{item.order_id} has no incident to solve", status="no_incident")
    reason = solved[0].reason
    # Solved by an earlier click of ours whose answer was lost, or by someone else.
    ours = ctx.found_done(solve_key(item.order_id, reason))
    return MiraklIncidentResult(
        status="solved" if ours else "already_done",
        message=f"the incident '{reason}' of {item.order_id} is "
        + ("marked as solved" if ours else f"already {solved[0].status.lower()}; nothing changed"),
        changes=[f"mark the incident '{reason}' of {item.order_id} as solved"] if ours else [],
        incident=reason,
        customer=customer,
    )


FLOW = Flow(
    name="mirakl.solve_incident",
    portal=MIRAKL,
    input_model=MiraklSolveIncident,
    run=solve_incident,
)
