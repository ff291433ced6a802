"""kogan_inbox.reply_and_solve — tell the customer the refund is done, and solve the ticket.

The seller's procedure (seed 000, last step): "inform the customer by resolving the
ticket back in Kogan and responding". The reply comes from a template (the setting
PORTALPILOT_KOGAN_INBOX__REPLY_TEMPLATE) naming the amount; Kogan's rules forbid contact
details and links outside kogan.com, so such a reply is refused before any click. A
second "we have refunded you" must never reach a customer: a ticket already Solved is
answered from what it shows, never replied to again, and a Closed one is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from flows._fields import EsgReference, OptionalText, TicketNumber, contact_details, outside_links
from flows.kogan_inbox_read_ticket import open_ticket
from pages.kogan_inbox import KOGAN_INBOX, Ticket, TicketPage
from pages.kogan_inbox.portal import KoganInboxSettings
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
    Reply,
    Seen,
)

SOLVED, CLOSED = "Solved", "Closed"


class KoganReplyAndSolve(FlowInput):
    """Reply to a Kogan inbox ticket that the refund is done, then submit it as Solved."""

    ticket: Annotated[
        TicketNumber,
        Cli(argument=True),
        Field(description="The ticket's number, e.g. 5201 (# allowed)."),
    ]
    amount: Annotated[
        Decimal,
        Field(gt=0, decimal_places=2, description="The amount refunded, e.g. 49.95."),
    ]
    reference: Annotated[
        EsgReference | None,
        Field(description="The order's ESG reference; default: the one the ticket names."),
    ] = None
    customer: Annotated[
        OptionalText,
        Field(description="The name to greet; default: the customer's name on the ticket."),
    ] = None

    @property
    def subject(self) -> str:
        return f"#{self.ticket}"

    @property
    def key(self) -> str:
        return solve_key(self.ticket)


class KoganReplyResult(FlowOutput):
    ticket: int
    ticket_status: str = Field(description="The status the ticket shows now.")
    reply: str = Field(description="The public reply (sent, or that would be).")
    order_reference: str


def reply_and_solve(ctx: FlowContext, item: KoganReplyAndSolve) -> KoganReplyResult:
    """Reply to a Kogan ticket that the refund is done and submit it as Solved, once."""
    key = solve_key(item.ticket)
    ticket = open_ticket(ctx, item.ticket)
    if ticket.status == CLOSED:
        raise Refusal(f"ticket #{item.ticket} is Closed: it can't be updated", status="closed")
    reference = _reference(item, ticket)
    text = compose(ctx, item, ticket, reference)

    if ticket.status == SOLVED:
        if ticket.public_replies(text):
            # Solved with this very reply: by an earlier click of ours, or before.
            done = "solved" if ctx.found_done(key) else "already_solved"
            return _result(item, done, ticket, text, reference)
        raise Refusal(
            f"ticket #{item.ticket} is already Solved, without this reply; a person solved "
            "it: nothing is sent",
            status="already_solved_by_someone",
        )

    page = TicketPage(ctx.page)
    if item.dry_run:
        page.write_reply(text)  # the composer filled, never submitted
        return _result(item, "dry_run", ticket, text, reference)

    def read() -> Seen:
        """The ticket afresh: Solved with our reply, or neither."""
        now = page.load(ctx.base_url, item.ticket).read()
        replied = bool(now.public_replies(text))
        if now.status == SOLVED and replied:
            return Seen.DONE
        if not replied and now.status == ticket.status:
            return Seen.ABSENT
        raise PortalFailure(
            f"#{item.ticket} reads {now.status}, {'with' if replied else 'without'} the reply"
        )

    def click() -> Reply:
        page.load(ctx.base_url, item.ticket)  # the guard may have read another page
        return page.reply_and_submit(text, SOLVED)

    what = f"the reply to #{item.ticket} and its status Solved"
    committed = ctx.commit(Change(key=key, read=read, what=what), click)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(
                f"the Kogan inbox refused the reply to #{item.ticket}: "
                f"\u201c{committed.reply.message}\u201d",
                status="refused",
            )
        raise PortalFailure(f"#{item.ticket} shows no reply after submitting")
    return _result(item, "solved", page.read(), text, reference)


def _reference(item: KoganReplyAndSolve, ticket: Ticket) -> str:
    named = ticket.references()
    if item.reference:
        if named and item.reference not in named:
            raise Refusal(
                f"ticket #{item.ticket} is about {', '.join(named)}, not {item.reference}",
                status="reference_mismatch",
            )
        return item.reference
    if len(named) != 1:
        found = ", ".join(named) or "none"
        raise Refusal(
            f"ticket #{item.ticket} names {found}; give the reference (--reference)",
            status="reference_unclear",
        )
    return named[0]


def compose(ctx: FlowContext, item: KoganReplyAndSolve, ticket: Ticket, reference: str) -> str:
    """The template filled in; refused if it would carry contact details or a link out."""
    settings = ctx.settings
    template = settings if isinstance(settings, KoganInboxSettings) else KoganInboxSettings()
    block = ticket.marketplace_block()
    customer = item.customer or (block.customer_name if block else ticket.requester.name)
    text = template.reply(customer, f"${item.amount:,.2f}", reference)
    forbidden = contact_details(text) + outside_links(text, "kogan.com")
    if forbidden:
        raise Refusal(
            f"the reply would carry {', '.join(forbidden)}; Kogan forbids contact details and "
            "links outside kogan.com (PORTALPILOT_KOGAN_INBOX__REPLY_TEMPLATE)",
            status="reply_not_allowed",
        )
    return text


def _result(
    item: KoganReplyAndSolve, status: str, ticket: Ticket, text: str, reference: str
) -> KoganReplyResult:
    message = {
        "solved": f"#{item.ticket}: replied (refund of ${item.amount:,.2f}) and Solved",
        "already_solved": f"#{item.ticket} is already Solved with this reply; nothing sent",
        "dry_run": f"would reply to #{item.ticket} and submit it as Solved; nothing sent",
    }[status]
    return KoganReplyResult(
        status=status,
        message=message,
        changes=[] if status == "already_solved" else [f"reply to #{item.ticket}, then Solved"],
        ticket=item.ticket,
        ticket_status=ticket.status,
        reply=text,
        order_reference=reference,
    )


def solve_key(ticket: int) -> str:
    """One reply-and-solve per ticket, whatever the amount or the words."""
    return f"#{ticket}/reply_and_solve"


FLOW = Flow(
    name="kogan_inbox.reply_and_solve",
    portal=KOGAN_INBOX,
    input_model=KoganReplyAndSolve,
    run=reply_and_solve,
)
