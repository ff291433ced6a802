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
from pages.mirakl import MIRAKL, Answer, ThreadDetails, ThreadPage
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
    thread = page.read(item.thread_id)
    key = f"{item.thread_id}/reply/{common.digest(item.text)}"
    ctx.seen(key)
    if common.already_said(thread, item.text):
        # Sent by an earlier attempt whose answer was lost, or by someone else.
        status = "sent" if ctx.clicked_before(key) else "already_sent"
        return _result(item, thread, status)
    if item.dry_run:
        return _result(item, thread, "dry_run")
    page.write_reply(item.text, item.attachments)
    ctx.clicking(key)
    confirmation = page.send()
    ctx.log.info("portal answered: {}", confirmation.message)
    if confirmation.answer is Answer.REFUSED:
        ctx.seen(key)
        raise Refusal(f"{item.thread_id}: {confirmation.message}", status="refused")
    if confirmation.answer is not Answer.DONE:
        page = ThreadPage(ctx.page).open(ctx.base_url, item.thread_id)
    after = page.read(item.thread_id)
    if not common.already_said(after, item.text):
        if confirmation.answer is Answer.DONE:
            raise OutcomeUnknown(f"{item.thread_id}: 'Message sent.' but the reply is not shown")
        ctx.seen(key)  # read after the failed click: not sent, safe to try again
        raise PortalFailure(f"{item.thread_id}: the reply was not sent ({confirmation.answer})")
    ctx.seen(key)
    return _result(item, after, "sent")


def _result(item: MiraklReply, thread: ThreadDetails, status: str) -> MiraklMessageResult:
    messages = {
        "sent": f"replied in {item.thread_id} ('{thread.subject}', order {thread.order_id})",
        "already_sent": f"this reply is already in {item.thread_id}; nothing sent",
        "dry_run": f"would reply in {item.thread_id} ('{thread.subject}'); nothing sent",
    }
    return MiraklMessageResult(
        status=status,
        message=messages[status],
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
    key=lambda item: f"{item.thread_id}/{common.digest(item.text)}",
)
