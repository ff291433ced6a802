"""chopni.set_status — move a Chopni order along PROCESSING → SHIPPED → COMPLETE, or REFUNDED.

The seller's procedure (seed 004): Chopni sets PROCESSED once payment is confirmed; the
seller sets PROCESSING, then SHIPPED with the tracking number in the comment, then
COMPLETE (Chopni checks delivery by that number; the 14-day return period starts), or
"refunded" with a note saying what was done; then "Променете статута на поръчката".
Every step shows in "История на поръчката".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from flows._fields import ChopniOrder, Comment
from pages.chopni import CHOPNI, HistoryRow, NoSuchOrder, OrderPage
from pages.chopni._parse import squash
from portalpilot import (
    Answer,
    Change,
    Cli,
    Face,
    Flow,
    FlowContext,
    FlowInput,
    FlowOutput,
    PortalFailure,
    Refusal,
    Reply,
    Seen,
)

T = TypeVar("T")
# 8 to 30 letters and digits, at least one a digit (a word of letters is not a number).
TRACKING = re.compile(r"(?<![A-Z0-9])(?=[A-Z]*[0-9])[A-Z0-9]{8,30}(?![A-Z0-9])")

# The portal's words for its rules (alerts of the status form).
NOT_ALLOWED = "Невъзможна промяна на статута от {current} към {target}."
NEED_TRACKING = "Добавете номер за проследяване в коментара."
NEED_NOTE = "Добавете забележка за предприетото действие."


class Status(StrEnum):
    """What the seller may set; PROCESSED is set by Chopni itself."""

    PROCESSING = "PROCESSING"
    SHIPPED = "SHIPPED"
    COMPLETE = "COMPLETE"
    REFUNDED = "REFUNDED"


# The allowed moves: one step along the path, or REFUNDED from anything but REFUNDED.
NEXT = {"PROCESSED": Status.PROCESSING, "PROCESSING": Status.SHIPPED, "SHIPPED": Status.COMPLETE}
KNOWN = ("PROCESSED", *Status)


def allowed(current: str, target: Status) -> bool:
    if target is Status.REFUNDED:
        return current != Status.REFUNDED
    return NEXT.get(current) == target


class ChopniSetStatus(FlowInput):
    """Set a Chopni order's status, with the comment the portal's rules ask for."""

    order: Annotated[
        ChopniOrder,
        Cli(argument=True),
        Field(description="The Chopni order number, e.g. 418002 (digits only, № allowed)."),
    ]
    status: Annotated[
        Status,
        Field(description="The new status: PROCESSING, SHIPPED, COMPLETE or REFUNDED (any case)."),
    ]
    tracking: Annotated[
        str | None,
        Field(
            validate_default=True,
            description="Tracking number, required for SHIPPED: 8 to 30 letters A-Z and digits "
            "(spaces and dashes are dropped), e.g. 1051234567890.",
        ),
    ] = None
    carrier: Annotated[
        str | None,
        Field(max_length=40, description="The carrier, written next to the tracking number."),
    ] = None
    note: Annotated[
        str | None,
        Field(
            max_length=500,
            validate_default=True,
            description="Required for REFUNDED: what was done (money returned, goods exchanged).",
        ),
    ] = None
    comment: Annotated[
        Comment, Field(description="A comment for the order history (recommended).")
    ] = None

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return status_key(self)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        word = value.strip().upper()
        if word == "PROCESSED":
            raise ValueError("PROCESSED is set by Chopni once payment is confirmed, not by you")
        if word not in Status.__members__:
            raise ValueError("expected one of: " + ", ".join(Status))
        return Status(word)

    @field_validator("tracking", mode="before")
    @classmethod
    def _tracking(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = re.sub(r"[\s-]+", "", value).upper()
        if text and not TRACKING.fullmatch(text):
            raise ValueError(
                "expected 8 to 30 letters (A-Z) and digits, with at least one digit, "
                "e.g. 1051234567890"
            )
        return text or None

    @field_validator("tracking", mode="after")
    @classmethod
    def _tracking_for_shipped(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("status") is Status.SHIPPED and not value:
            raise ValueError(f"SHIPPED needs a tracking number („{NEED_TRACKING}“)")
        return value

    @field_validator("carrier", mode="after")
    @classmethod
    def _carrier_with_tracking(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and not info.data.get("tracking"):
            raise ValueError("the carrier goes with a tracking number (--tracking)")
        return value or None

    @field_validator("note", mode="after")
    @classmethod
    def _note_for_refunded(cls, value: str | None, info: ValidationInfo) -> str | None:
        status = info.data.get("status")
        if status is Status.REFUNDED and not value:
            raise ValueError(f"REFUNDED needs a note saying what was done („{NEED_NOTE}“)")
        if value and status and status is not Status.REFUNDED:
            raise ValueError("a note is for REFUNDED; use --comment for other statuses")
        return value or None

    def portal_comment(self) -> str:
        """The "Коментар" to write: the note, the tracking number and carrier, the comment."""
        parts = []
        if self.note:
            parts.append(self.note)
        if self.tracking:
            carrier = f", куриер: {self.carrier}" if self.carrier else ""
            parts.append(f"Номер за проследяване: {self.tracking}{carrier}")
        if self.comment:
            parts.append(self.comment)
        return "\n".join(parts)


class HistoryEntry(BaseModel):
    at: str
    status: str
    comment: str


class ChopniSetStatusResult(FlowOutput):
    order: str
    customer: str | None
    payment: str | None = Field(
        description="Платена (paid) or Наложен платеж (cash on delivery); None if unread."
    )
    previous_status: str
    new_status: str = Field(description="The status the order page shows now.")
    comment: str
    history: HistoryEntry | None = Field(None, description="The history row of this change.")
    return_deadline: date | None = None


def set_status(ctx: FlowContext, item: ChopniSetStatus) -> ChopniSetStatusResult:
    """Set a Chopni order's status (PROCESSING, SHIPPED, COMPLETE, REFUNDED), exactly once."""
    key = status_key(item)
    target, comment = item.status, item.portal_comment()
    page = OrderPage(ctx.page)
    try:
        before = page.open(ctx.base_url, item.order).status()
    except NoSuchOrder:
        raise Refusal(f"Chopni has no order №{item.order}", status="not_found") from None
    if before == target:
        # Set by an earlier click of ours whose answer was lost, or by someone else.
        done = "changed" if ctx.found_done(key) else "already_done"
        if item.tracking:
            check_same_tracking(item, page.history())
        return _result(ctx, item, done, page, before, target, comment)
    check_rules(item, before, comment)

    page.fill_status_form(target, comment)
    if item.dry_run:
        return _result(ctx, item, "dry_run", page, before, before, comment)

    def read() -> Seen:
        """The order page afresh: the new status shows, or still the one it had."""
        now = page.open(ctx.base_url, item.order).status()
        if now == target:
            return Seen.DONE
        if now == before:
            return Seen.ABSENT
        raise PortalFailure(f"№{item.order} reads {now}, neither {before} nor {target}")

    def click() -> Reply:
        # The guard may have read the page again first: fill the form on the page shown.
        page.fill_status_form(target, comment)
        return page.submit_status_change(target)

    what = f"set №{item.order} from {before} to {target}"
    committed = ctx.commit(Change(key=key, read=read, what=what), click)
    reply = committed.reply
    ctx.log.info("portal answered: {}", reply.message)
    if committed.seen is Seen.ABSENT:
        if reply.answer is Answer.REFUSED:
            raise Refusal(
                f"Chopni refused {before} → {target} for №{item.order}: „{reply.message}“",
                status="not_allowed",
            )
        # Positively not taken (an error page before any change): a fresh attempt may.
        raise PortalFailure(f"№{item.order} is still {before} after the click ({reply.message})")
    return _result(ctx, item, "changed", page, before, target, comment)


def check_same_tracking(item: ChopniSetStatus, history: list[HistoryRow]) -> None:
    """An order already SHIPPED with another tracking number: a person must decide which
    parcel is the customer's; saying "already done" would drop the new number in silence."""
    shipped = next((row for row in history if row.status == Status.SHIPPED), None)
    words = re.sub(r"[-]+", "", shipped.comment.upper()) if shipped else ""
    if item.tracking and item.tracking in re.findall(r"[A-Z0-9]+", words):
        return
    recorded = [t for t in re.findall(r"[A-Z0-9]+", words) if TRACKING.fullmatch(t)]
    given = f"the tracking number {item.tracking} was given"
    raise Refusal(
        f"№{item.order} is already SHIPPED with tracking number {', '.join(recorded)}; {given}"
        if recorded
        else f"№{item.order} is already SHIPPED and its history shows no tracking number; {given}",
        status="tracking_differs",
        recorded=recorded,
        given=item.tracking,
    )


def check_rules(item: ChopniSetStatus, current: str, comment: str) -> None:
    """The portal's rules, from what the order page shows, before any click."""
    if current not in KNOWN:
        raise Refusal(
            f"№{item.order} is in a status this robot does not know ({current}); "
            "a person should look at it",
            status="unknown_status",
        )
    if not allowed(current, item.status):
        words = NOT_ALLOWED.format(current=current, target=item.status)
        step = NEXT.get(current)
        if current == Status.REFUNDED:
            hint = "; REFUNDED is final"
        else:
            hint = f"; it can go to {step} or REFUNDED" if step else "; only REFUNDED is left"
        raise Refusal(
            f"„{words}“ Chopni does not allow №{item.order} to go from {current} to "
            f"{item.status}{hint}",
            status="not_allowed",
            current_status=current,
        )
    if item.status is Status.SHIPPED and not TRACKING.search(comment.upper()):
        raise Refusal(
            f"„{NEED_TRACKING}“ SHIPPED needs a tracking number in the comment",
            status="tracking_missing",
        )
    if item.status is Status.REFUNDED and not comment.strip():
        raise Refusal(
            f"„{NEED_NOTE}“ REFUNDED needs a note saying what was done",
            status="note_missing",
        )


def _history_row(page: OrderPage, target: str, comment: str) -> HistoryRow | None:
    """The row of the change: the newest with the new status, with this comment if any."""
    rows = [r for r in page.history() if r.status == target]  # newest first
    ours = [r for r in rows if r.comment == squash(comment)]
    found = ours or rows
    return found[0] if found else None


def _result(
    ctx: FlowContext,
    item: ChopniSetStatus,
    status: str,
    page: OrderPage,
    before: str,
    after: str,
    comment: str,
) -> ChopniSetStatusResult:
    """What the order page shows now: payment, the history row of the change, the deadline.

    The status was read positively; what else cannot be read is left out and said, rather
    than failing an item whose change is made (a retry would only find it done).
    """
    unread: list[str] = []

    def extra(what: str, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except PortalFailure as error:
            ctx.log.warning("{} could not be read: {}", what, error.message)
            unread.append(what)
            return default

    done = status != "dry_run"
    row = extra("the history", lambda: _history_row(page, after, comment), None) if done else None
    deadline = extra("the return deadline", page.return_deadline, None) if done else None
    payment = extra("the payment", page.payment, None)
    if status == "changed" and before == after:
        message = f"№{item.order} is {after}, set by an earlier click of ours"
    elif status == "changed":
        message = f"№{item.order}: {before} → {after}"
        if row is None or row.comment != squash(comment):
            message += " (the history shows no row with this comment)"
    elif status == "already_done":
        message = f"№{item.order} is already {after}; nothing changed"
    else:
        message = f"would set №{item.order} from {before} to {item.status}; nothing changed"
    if deadline:
        message += f"; return period until {deadline:%d.%m.%Y}"
    if unread:
        message += f"; could not read {', '.join(unread)}"
    return ChopniSetStatusResult(
        status=status,
        message=message,
        changes=[] if status == "already_done" else [f"№{item.order}: {before} → {item.status}"],
        order=item.order,
        customer=page.customer(),
        payment=payment,
        previous_status=before,
        new_status=after,
        comment=comment,
        history=(
            HistoryEntry(at=f"{row.at:%d.%m.%Y %H:%M}", status=row.status, comment=row.comment)
            if row
            else None
        ),
        return_deadline=deadline,
    )


def status_key(item: ChopniSetStatus) -> str:
    """The same change: same order, same new status, whatever the comment."""
    return f"{item.order}/status/{item.status}"


FLOW = Flow(
    name="chopni.set_status",
    portal=CHOPNI,
    input_model=ChopniSetStatus,
    run=set_status,
    faces=(
        Face("ship", {"status": "SHIPPED"}, "Set SHIPPED with the tracking number (--tracking)."),
        Face("complete", {"status": "COMPLETE"}, "Set COMPLETE: the order was delivered."),
        Face("refund", {"status": "REFUNDED"}, "Set REFUNDED with a note of what was done."),
    ),
)
