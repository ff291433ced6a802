"""mirakl.message — start a conversation about an order, exactly once.

The seller's procedure (seed 001): Orders > the order, "Start a conversation": choose the
recipient (customer, operator, or both), a topic, type the message, "Attach a file" for
an invoice, "Send". Customers cannot write first: threads start from orders.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from flows import mirakl_common as common
from flows.mirakl_reply import Attached, MiraklMessageResult
from pages.mirakl import MIRAKL, Answer, MessageList, OrderPage, ThreadDetails, ThreadPage
from portalpilot import (
    Cli,
    Flow,
    FlowContext,
    FlowInput,
    OutcomeUnknown,
    PortalFailure,
    Refusal,
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


def _choice(value: object, choices: type[StrEnum], extra: dict[str, StrEnum]) -> object:
    if not isinstance(value, str):
        return value
    typed = common.words(value)
    for choice in choices:
        if typed in (common.words(choice.value), common.words(choice.name)):
            return choice
    if typed in extra:
        return extra[typed]
    raise ValueError("expected one of: " + ", ".join(c.value for c in choices))


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

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: object) -> object:
        return common.order_id(value)

    @field_validator("recipient", mode="before")
    @classmethod
    def _recipient(cls, value: object) -> object:
        return _choice(value, Recipient, {"both": Recipient.BOTH, "all": Recipient.BOTH})

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, value: object) -> object:
        return _choice(value, Topic, {"status": Topic.ORDER_STATUS})


def message(ctx: FlowContext, item: MiraklMessage) -> MiraklMessageResult:
    """Start a conversation about an order, once, and find it among the order's threads."""
    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    if not page.exists():
        raise Refusal(f"there is no order {item.order_id} in the back office", status="not_found")
    customer = page.read(item.order_id).customer
    key = message_key(item)
    sent = find_sent(ctx, page, item)
    ctx.seen(key)
    if sent is not None:
        status = "sent" if ctx.clicked_before(key) else "already_sent"
        return _result(item, sent, status)
    if item.dry_run:
        return _result(item, None, "dry_run", customer)

    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    dialog = page.start_conversation()
    dialog.fill(item.recipient.value, item.topic.value, item.text, item.attachments)
    ctx.clicking(key)
    confirmation = dialog.send()
    ctx.log.info("portal answered: {}", confirmation.message)
    if confirmation.answer is Answer.REFUSED:
        ctx.seen(key)
        raise Refusal(f"{item.order_id}: {confirmation.message}", status="refused")
    page = OrderPage(ctx.page).open(ctx.base_url, item.order_id)
    sent = find_sent(ctx, page, item)
    if sent is None:
        if confirmation.answer is Answer.DONE:
            raise OutcomeUnknown(f"{item.order_id}: 'Message sent.' but no such thread is listed")
        ctx.seen(key)  # read after the failed click: not sent, safe to try again
        raise PortalFailure(f"{item.order_id}: the message was not sent ({confirmation.answer})")
    ctx.seen(key)
    return _result(item, sent, "sent")


def find_sent(ctx: FlowContext, page: OrderPage, item: MiraklMessage) -> ThreadDetails | None:
    """The order's thread where the shop already wrote this, to this recipient, on this topic.

    From the order, "Messages" lists its threads; only those on the topic that are not
    unread are opened (opening an unread thread would mark it read).
    """
    page.open_messages()
    threads = MessageList(ctx.page)
    threads.wait_for_list()
    candidates = [
        row.thread_id
        for row in threads.rows()
        if row.order_id == item.order_id and row.subject == item.topic.value
        and row.status != "Unread"
    ]  # fmt: skip
    for thread_id in candidates:
        thread = ThreadPage(ctx.page).open(ctx.base_url, thread_id).read(thread_id)
        if thread.recipients == item.recipient.value and common.already_said(thread, item.text):
            return thread
    return None


def _result(
    item: MiraklMessage, thread: ThreadDetails | None, status: str, customer: str = ""
) -> MiraklMessageResult:
    where = f"{item.order_id} ({item.topic.value}, to {item.recipient.value})"
    messages = {
        "sent": f"started a conversation about {where}",
        "already_sent": f"this message about {where} is already there; nothing sent",
        "dry_run": f"would start a conversation about {where}; nothing sent",
    }
    return MiraklMessageResult(
        status=status,
        message=messages[status],
        thread_id=thread.thread_id if thread else "",
        order_id=item.order_id,
        subject=item.topic.value,
        customer=thread.customer if thread else customer,
        recipients=item.recipient.value,
        attachments=[path.name for path in item.attachments],
    )


def message_key(item: MiraklMessage) -> str:
    return f"{item.order_id}/{item.recipient.name}/{item.topic.name}/{common.digest(item.text)}"


FLOW = Flow(
    name="mirakl.message", portal=MIRAKL, input_model=MiraklMessage, run=message, key=message_key
)
