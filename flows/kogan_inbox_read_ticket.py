"""kogan_inbox.read_ticket — what a refund request says: who, which order, in what state.

The seller's procedure (seed 000, step 1): the request is a ticket in the Kogan inbox;
the agent notes the customer's email and copies the `ESG-` number from the thread. On a
ticket Kogan generated, the requester is Kogan itself and the customer is only in the
first comment's block ("Customer name:", "Customer email:", "Order:"). Read-only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from flows._fields import TicketNumber
from pages.kogan_inbox import KOGAN_INBOX, NoSuchTicket, Ticket, TicketPage
from portalpilot import Cli, Flow, FlowContext, FlowInput, FlowOutput, Refusal


class KoganReadTicket(FlowInput):
    """Read a Kogan inbox ticket: the customer, the ESG reference, the status."""

    ticket: Annotated[
        TicketNumber,
        Cli(argument=True),
        Field(description="The ticket's number, e.g. 5201 (# allowed)."),
    ]

    @property
    def subject(self) -> str:
        return f"#{self.ticket}"


class TicketComment(BaseModel):
    author: str
    public: bool
    text: str


class KoganTicket(FlowOutput):
    ticket: int
    ticket_subject: str
    ticket_status: str
    requester: str
    requester_email: str
    customer: str = Field(description="The customer's name (the marketplace block's, if any).")
    customer_email: str = Field(description="The customer's email, as written on the ticket.")
    order_reference: str | None = Field(description="The one ESG reference; None: none or several.")
    references: list[str]
    from_marketplace: bool
    assignee: str | None
    comments: list[TicketComment]


def read(ctx: FlowContext, query: KoganReadTicket) -> KoganTicket:
    """Read a Kogan inbox ticket's customer, ESG reference and status; changes nothing."""
    ticket = open_ticket(ctx, query.ticket)
    return describe(ticket)


def open_ticket(ctx: FlowContext, number: int) -> Ticket:
    try:
        return TicketPage(ctx.page).open(ctx.base_url, number).read()
    except NoSuchTicket:
        raise Refusal(f"the Kogan inbox has no ticket #{number}", status="not_found") from None


def describe(ticket: Ticket) -> KoganTicket:
    block = ticket.marketplace_block()
    references = ticket.references()
    reference = references[0] if len(references) == 1 else None
    customer = block.customer_name if block else ticket.requester.name
    about = reference or ("no ESG reference" if not references else " and ".join(references))
    return KoganTicket(
        status="read",
        message=f"#{ticket.id} ({ticket.status}) from {customer} <{ticket.customer_email()}> "
        f"about {about}",
        ticket=ticket.id,
        ticket_subject=ticket.subject,
        ticket_status=ticket.status,
        requester=ticket.requester.name,
        requester_email=ticket.requester.email,
        customer=customer,
        customer_email=ticket.customer_email(),
        order_reference=reference,
        references=references,
        from_marketplace=ticket.from_marketplace,
        assignee=ticket.assignee,
        comments=[
            TicketComment(author=c.author, public=c.public, text=c.text) for c in ticket.comments
        ],
    )


FLOW = Flow(
    name="kogan_inbox.read_ticket",
    portal=KOGAN_INBOX,
    input_model=KoganReadTicket,
    run=read,
    changes_state=False,
)
