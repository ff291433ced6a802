"""mirakl.reply — answer a message thread, with files attached, exactly once.

The seller's procedure (seed 001): Messages, open the thread, type the reply, "Attach a
file" if the customer asked for a document (an invoice), "Send"; orders' questions must
be answered within 48 hours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from flows import mirakl_common as common
from pages.mirakl import MIRAKL, ThreadPage, ThreadSummary
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


class Attached(BaseModel):
    """The attachments field shared by the message flows."""

    attachments: Annotated[
        list[Path],
        Cli(flag="--attach"),
        Field(
            default_factory=list,
            description="A file to attach (5 files, 10 MB each at most). "
            "In a batch cell: paths separated by ';'.",
        ),
    ]

    @field_validator("attachments", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return common.split_cell(value)

    @field_validator("attachments")
    @classmethod
    def _files(cls, value: list[Path]) -> list[Path]:
        return common.attachments(value)


class MiraklReply(FlowInput, Attached):
    """Reply in a message thread of the back office, with files attached if given."""

    thread_id: Annotated[
        str,
        Cli(argument=True),
        Field(description="The thread's id, as in its address messages/THREAD_ID."),
    ]
    text: Annotated[str, Field(min_length=1, max_length=common.TEXT_MAX, description="The reply.")]

    @property
    def subject(self) -> str:
        return self.thread_id

    @property
    def key(self) -> str:
        """The same reply: same thread, same text (whitespace aside)."""
        return f"{self.thread_id}/reply/{common.digest(self.text)}"

    @field_validator("thread_id", mode="before")
    @classmethod
    def _thread_id(cls, value: object) -> object:
        return common.thread_id(value)


class MiraklMessageResult(FlowOutput):
    thread_id: str
    order_id: str
    subject: str = Field(description="The thread's subject (its topic, for a new one).")
    customer: str
    recipients: str
    attachments: list[str]


def reply(ctx: FlowContext, item: MiraklReply) -> MiraklMessageResult:
    """Reply in a message thread, once, and see the reply in the thread."""
    page = ThreadPage(ctx.page).open(ctx.base_url, item.thread_id)
    if not page.exists():
        raise Refusal(f"there is no thread {item.thread_id}", status="not_found")
    summary = page.summary()
    change = reply_change(ctx, item)
    if page.shows_message(item.text):
        # Sent by an earlier attempt or run whose answer was lost, or by someone else.
        status = "sent" if ctx.found_done(change.key) else "already_sent"
        return _result(item, summary, status)
    if item.dry_run:
        return _result(item, summary, "dry_run")
    earlier = ctx.check(change)  # an earlier click never seen settled: read before anything
    if earlier is Seen.DONE:
        return _result(item, summary, "sent")
    if earlier is not None:
        page = ThreadPage(ctx.page).open(ctx.base_url, item.thread_id)  # read afresh
    page.write_reply(item.text, item.attachments)
    committed = ctx.commit(change, page.send)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(f"{item.thread_id}: {committed.reply.message}", status="refused")
        raise PortalFailure(f"{item.thread_id}: the reply was not sent ({committed.reply.answer})")
    return _result(item, summary, "sent")


def reply_change(ctx: FlowContext, item: MiraklReply) -> Change:
    """The reply, and how to see it: the thread, opened afresh, shows a message with its
    text. A thread that shows no messages at all raises (never read as "not sent")."""

    def read() -> Seen:
        page = ThreadPage(ctx.page).load(ctx.base_url, item.thread_id)
        if not page.exists():
            raise PortalFailure(f"the thread {item.thread_id} is not found")
        return Seen.DONE if page.shows_message(item.text) else Seen.ABSENT

    return Change(
        key=f"{item.thread_id}/reply/{common.digest(item.text)}",
        read=read,
        what=f"the reply in {item.thread_id}",
    )


def _result(item: MiraklReply, thread: ThreadSummary, status: str) -> MiraklMessageResult:
    where = f"'{thread.subject}'" if thread.subject else "the thread"
    messages = {
        "sent": f"replied in {item.thread_id} ({where})",
        "already_sent": f"this reply is already in {item.thread_id}; nothing sent",
        "dry_run": f"would reply in {item.thread_id} ({where}); nothing sent",
    }
    files = f" with {len(item.attachments)} file(s)" if item.attachments else ""
    return MiraklMessageResult(
        status=status,
        message=messages[status],
        changes=[] if status == "already_sent" else [f"reply in {item.thread_id}{files}"],
        thread_id=item.thread_id,
        order_id=thread.order_id,
        subject=thread.subject,
        customer=thread.customer,
        recipients=thread.recipients,
        attachments=[path.name for path in item.attachments],
    )


FLOW = Flow(
    name="mirakl.reply",
    portal=MIRAKL,
    input_model=MiraklReply,
    run=reply,
)
