"""chopni.message — write to a Chopni order's customer, with attachments, exactly once.

The seller's procedure (seed 004): "Започни разговор с клиент", attach files with
"Прикачи файл" if needed, and never exchange personal contact details (Правила за
ползване). The portal refuses such a message; this flow refuses it before any browser.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from flows._fields import ChopniOrder, contact_details
from pages.chopni import CHOPNI, ConversationDialog, NoSuchOrder, OrderPage
from pages.chopni._parse import squash
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

FILE_MAX = 5 * 1024 * 1024  # "5 MB" a file
CONTACT_INFO = "Съобщението съдържа лична информация за контакт."


class ChopniMessage(FlowInput):
    """Send a message to the customer of a Chopni order ("Започни разговор с клиент")."""

    order: Annotated[
        ChopniOrder,
        Cli(argument=True),
        Field(description="The Chopni order number, e.g. 418010 (digits only, № allowed)."),
    ]
    text: Annotated[
        str,
        Field(
            min_length=1,
            max_length=2000,
            description="The message (2000 characters at most; no e-mail or phone number).",
        ),
    ]
    attachments: Annotated[
        list[Path],
        Cli(flag="--attach"),
        Field(
            default_factory=list,
            description="Files to attach, 5 MB each at most (in a batch file: separated by ;).",
        ),
    ]

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return message_key(self)

    @field_validator("text", mode="after")
    @classmethod
    def _no_contact_details(cls, value: str) -> str:
        found = contact_details(value)
        if found:
            raise ValueError(
                f"contains contact details ({', '.join(found)}); Chopni refuses it "
                f"(„{CONTACT_INFO}“): its terms forbid exchanging personal contact details"
            )
        return value

    @field_validator("attachments", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):  # a batch cell: "a.pdf;b.jpg"
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @field_validator("attachments", mode="after")
    @classmethod
    def _files(cls, value: list[Path]) -> list[Path]:
        files, problems = [], []
        for path in value:
            full = path.expanduser().resolve()
            if not full.is_file():
                problems.append(f"{path}: no such file")
            elif full.stat().st_size > FILE_MAX:
                size = full.stat().st_size / 1024 / 1024
                problems.append(f"{path}: {size:.1f} MB, more than the 5 MB Chopni takes a file")
            files.append(full)
        if problems:
            raise ValueError("; ".join(problems))
        names = [f.name for f in files]
        if len(set(names)) != len(names):
            raise ValueError("two files have the same name; the customer could not tell them apart")
        return files


class SentFile(BaseModel):
    name: str
    size: int


class ChopniMessageResult(FlowOutput):
    order: str
    customer: str | None
    text: str
    attachments: list[SentFile]


def send_message(ctx: FlowContext, item: ChopniMessage) -> ChopniMessageResult:
    """Send a message (with attachments) to a Chopni order's customer, exactly once."""
    key = message_key(item)
    names = [path.name for path in item.attachments]
    page = OrderPage(ctx.page)

    def shown() -> bool:
        return page.shows_message(item.text, names)

    try:
        page.open(ctx.base_url, item.order)
    except NoSuchOrder:
        raise Refusal(f"Chopni has no order №{item.order}", status="not_found") from None
    if shown():
        # Sent by an earlier click of ours whose answer was lost, or sent before.
        return _result(item, page, "sent" if ctx.found_done(key) else "already_sent")

    def write() -> ConversationDialog:
        dialog = page.start_conversation()
        dialog.write(item.text)
        dialog.attach(item.attachments)
        return dialog

    if item.dry_run:
        write().close()
        return _result(item, page, "dry_run")

    def read() -> Seen:
        """The order page afresh: the message under „Съобщения“, or positively not."""
        page.open(ctx.base_url, item.order)
        return Seen.DONE if shown() else Seen.ABSENT

    def click() -> Reply:
        return write().send()

    what = f"message to the customer of №{item.order}"
    committed = ctx.commit(Change(key=key, read=read, what=what), click)
    reply = committed.reply
    ctx.log.info("portal answered: {}", reply.answer.value)
    if committed.seen is Seen.ABSENT:
        if reply.answer is Answer.REFUSED:
            raise Refusal(f"Chopni refused the message: „{reply.message}“", status="refused")
        # Positively not there: the portal did not take it; a fresh attempt may.
        raise PortalFailure(f"№{item.order}: the message is not under „Съобщения“ after sending")
    return _result(item, page, "sent")


def _result(item: ChopniMessage, page: OrderPage, status: str) -> ChopniMessageResult:
    files = [SentFile(name=p.name, size=p.stat().st_size) for p in item.attachments]
    with_files = f" with {len(files)} file(s)" if files else ""
    message = {
        "sent": f"message{with_files} sent to the customer of №{item.order}",
        "already_sent": f"the same message is already on №{item.order}; not sent again",
        "dry_run": f"would send the message{with_files} on №{item.order}; nothing sent",
    }[status]
    return ChopniMessageResult(
        status=status,
        message=message,
        changes=[] if status == "already_sent" else [f"message{with_files} on №{item.order}"],
        order=item.order,
        customer=page.customer(),
        text=item.text,
        attachments=files,
    )


def message_key(item: ChopniMessage) -> str:
    """The same message: same order, same text (whitespace aside), same file names."""
    words = squash(item.text) + "|" + "|".join(sorted(p.name for p in item.attachments))
    return f"{item.order}/message/{hashlib.sha256(words.encode()).hexdigest()[:12]}"


FLOW = Flow(
    name="chopni.message",
    portal=CHOPNI,
    input_model=ChopniMessage,
    run=send_message,
)
