"""mirakl.message — start a conversation about an order, exactly once.

The seller's procedure (seed 001): Orders > the order, "Start a conversation": choose the
recipient (customer, operator, or both), a topic, type the message, "Attach a file" for
an invoice, "Send". Customers cannot write first: threads start from orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from flows import mirakl_common as common
from flows._fields import choice
from flows.mirakl_reply import Attached, MiraklMessageResult
from pages.mirakl import MIRAKL, MessageList, OrderPage, ThreadPage, ThreadSummary
from portalpilot import (
    Answer,
    Change,
    Cli,
    Flow,
    FlowContext,
    FlowInput,
    PortalFailure,
    Refusal,
    Seen,
)


class Recipient(StrEnum):
    CUSTOMER = "Customer"
    OPERATOR = "Operator"
    BOTH = "Customer and operator"


class Topic(StrEnum):
    ORDER_STATUS = "Order status"
    DELIVERY = "Delivery"
    INVOICE = "Invoice"
    RETURN = "Return"
    OTHER = "Other"


class MiraklMessage(FlowInput, Attached):
    """Start a conversation about an order with the customer, the operator, or both."""

    order_id: Annotated[
        str, Cli(argument=True), Field(description="The order number, e.g. 8817455915-A.")
    ]
    recipient: Annotated[
        Recipient,
        Field(description="Who reads it: Customer, Operator, or both (Customer and operator)."),
    ]
    topic: Annotated[Topic, Field(description="Order status, Delivery, Invoice, Return or Other.")]
    text: Annotated[
        str, Field(min_length=1, max_length=common.TEXT_MAX, description="The message.")
    ]

    @property
    def subject(self) -> str:
        return self.order_id

    @property
    def key(self) -> str:
        return message_key(self)

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: object) -> object:
        return common.order_id(value)

    @field_validator("recipient", mode="before")
    @classmethod
    def _recipient(cls, value: object) -> object:
        return choice(Recipient, aliases={"both": Recipient.BOTH, "all": Recipient.BOTH})(value)

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, value: object) -> object:
        return choice(Topic, aliases={"status": Topic.ORDER_STATUS})(value)


def message(ctx: FlowContext, item: MiraklMessage) -> MiraklMessageResult:
    """Start a conversation about an order, once, and find it among the order's threads."""
    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    if not page.exists():
        raise Refusal(f"there is no order {item.order_id} in the back office", status="not_found")
    customer = page.customer()
    change, found = message_change(ctx, item)
    # An earlier click never seen settled is read first; else the order's threads are.
    earlier = ctx.check(change)
    if earlier is Seen.DONE:
        return _result(item, found, "sent", customer)
    if earlier is None and change.read() is Seen.DONE:
        # Sent by someone else, or by a run of ours that saw it done and said so.
        status = "sent" if ctx.found_done(change.key) else "already_sent"
        return _result(item, found, status, customer)
    if item.dry_run:
        return _result(item, None, "dry_run", customer)

    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    dialog = page.start_conversation()
    dialog.fill(item.recipient.value, item.topic.value, item.text, item.attachments)
    committed = ctx.commit(change, dialog.send)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(f"{item.order_id}: {committed.reply.message}", status="refused")
        raise PortalFailure(f"{item.order_id}: the message was not sent ({committed.reply.answer})")
    return _result(item, found, "sent", customer)


@dataclass
class Found:
    """The thread where the reading found the message."""

    thread_id: str = ""
    summary: ThreadSummary | None = None


def message_change(ctx: FlowContext, item: MiraklMessage) -> tuple[Change, Found]:
    """The conversation, and how to see it: among the order's threads ("Messages" on the
    order page) on this topic, one where this text was written (to this recipient, when
    the thread page names its recipients). Unread threads are not opened: opening one
    would mark it read, and a thread we started is never unread."""
    found = Found()

    def read() -> Seen:
        page = OrderPage(ctx.page).load(ctx.base_url, item.order_id)
        if not page.exists():
            raise PortalFailure(f"the order page of {item.order_id} is not found")
        page.open_messages()
        threads = MessageList(ctx.page)
        threads.wait_for_list()
        candidates = [
            row.thread_id
            for row in threads.rows()
            if row.order_id == item.order_id
            and row.subject == item.topic.value
            and row.status != "Unread"
        ]
        for thread_id in candidates:
            thread = ThreadPage(ctx.page).load(ctx.base_url, thread_id)
            summary = thread.summary()
            if summary.recipients not in ("", item.recipient.value):
                continue
            if thread.shows_message(item.text):
                found.thread_id, found.summary = thread_id, summary
                return Seen.DONE
        return Seen.ABSENT

    what = f"the message about {item.order_id} ({item.topic.value}, to {item.recipient.value})"
    return Change(key=message_key(item), read=read, what=what), found


def _result(
    item: MiraklMessage, found: Found | None, status: str, customer: str = ""
) -> MiraklMessageResult:
    where = f"{item.order_id} ({item.topic.value}, to {item.recipient.value})"
    messages = {
        "sent": f"started a conversation about {where}",
        "already_sent": f"this message about {where} is already there; nothing sent",
        "dry_run": f"would start a conversation about {where}; nothing sent",
    }
    summary = found.summary if found else None
    return MiraklMessageResult(
        status=status,
        message=messages[status],
        changes=[] if status == "already_sent" else [f"start a conversation about {where}"],
        thread_id=found.thread_id if found else "",
        order_id=item.order_id,
        subject=item.topic.value,
        customer=(summary.customer if summary else "") or customer,
        recipients=item.recipient.value,
        attachments=[path.name for path in item.attachments],
    )


def message_key(item: MiraklMessage) -> str:
    return f"{item.order_id}/{item.recipient.name}/{item.topic.name}/{common.digest(item.text)}"


FLOW = Flow(name="mirakl.message", portal=MIRAKL, input_model=MiraklMessage, run=message)
