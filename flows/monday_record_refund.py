"""monday.record_refund — record a Shopify refund on the team's monday board, one item per order.

The seller's procedure (seed 000, step 4): "Monday it with the help of shopify Order
number". The board's rules (shared/portals/monday-board.md, "Rules a robot must check
before adding an item"): search the board for the order number first; one item for the
order is updated (or left alone when it already says so); two or more, or a name that
holds the number without being it ("#1020 partial"), are refused: a person merges them;
none: "+ Add item" in "This week", then its cells, then the row read back.

Each cell is one guarded change, ESG number first and Status last: a record half-filled
by an interrupted run never reads "Done". The item an interrupted run added (named
"#1042", its cells empty) is found by the next run's search and completed, never added
twice. The flow records; it moves no money (the refund is Shopify's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from flows._fields import EsgReference, choice
from flows.shopify_refund import CustomerEmail, ShopifyNumber
from pages.monday import MONDAY, THIS_WEEK, Board, BoardItem, Found, MondaySettings, find_order
from pages.monday._parse import show_date, show_money
from pages.monday.board import AMOUNT, DATE, EMAIL, ESG, STATUS
from pages.monday.matching import bare
from pages.monday.portal import DEFAULT_BOARD
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

Value = str | Decimal | dt.date | None


class Label(StrEnum):
    """The Status labels a record may be given (the board's own; "Done" is complete)."""

    WORKING = "Working on it"
    STUCK = "Stuck"
    DONE = "Done"


class MondayRecordRefund(FlowInput):
    """Record a refund on the monday board: the order's item, its ESG number, email,
    amount, date and status."""

    order: Annotated[
        ShopifyNumber,
        Cli(argument=True),
        Field(description="The Shopify order number, e.g. #1042 (the # may be left out)."),
    ]
    reference: Annotated[
        EsgReference,
        Field(description="The Kogan order's ESG reference, e.g. ESG-20481234 (ESG number)."),
    ]
    email: Annotated[
        CustomerEmail,
        Field(description="The customer's email, e.g. jane.citizen@example.com (Customer email)."),
    ]
    amount: Annotated[
        Decimal,
        Field(gt=0, decimal_places=2, description="The amount refunded, e.g. 49.95 (Amount)."),
    ]
    date: Annotated[
        dt.date | None,
        Field(
            description="The day of the refund, e.g. 2026-05-15 (Date). Default: the Date "
            "cell is left as it is."
        ),
    ] = None
    status: Annotated[
        Label,
        BeforeValidator(choice(Label)),
        Field(description="The Status to set: " + ", ".join(label.value for label in Label)),
    ] = Label.DONE

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        """One record per order, whatever its values."""
        return f"{self.order}/monday/record"

    def wanted(self) -> dict[str, Value]:
        """The cells to write, in the order they are written: Status last."""
        values: dict[str, Value] = {
            ESG: self.reference,
            EMAIL: self.email,
            AMOUNT: self.amount,
            DATE: self.date,
            STATUS: self.status.value,
        }
        return {column: value for column, value in values.items() if value is not None}


class RecordedItem(BaseModel):
    """The item's row as the board shows it."""

    id: str = Field(description="ITEM of its page, boards/BOARD/pulses/ITEM.")
    name: str
    group: str
    status: str | None
    esg_number: str | None
    customer_email: str | None
    refunded: Decimal | None = Field(description="Its Amount cell.")
    date: dt.date | None
    notes: str | None


class MondayRecordResult(FlowOutput):
    amount: None = Field(None, description="None: recording a refund moves no money.")
    order: str
    added: bool = Field(description="The item was added (by this run, or a click of ours).")
    item: RecordedItem | None = Field(
        description="The row read back; on a dry run as it is, None when it would be added."
    )


@dataclass
class Plan:
    """The item of the order (None: to be added) and the cells to write on it."""

    item: BoardItem | None
    cells: dict[str, Value] = field(default_factory=dict)  # column → value, in order
    before: dict[str, Value] = field(default_factory=dict)  # column → what it shows now
    add: bool = False  # the item is added (or was, by a click of ours)

    def describe(self, order: str) -> list[str]:
        lines = [f'add the item "{order}" in {THIS_WEEK}'] if self.add else []
        name = self.item.name if self.item else order
        lines += [
            f"{name} {column}: {shown(self.before.get(column))} → {shown(value)}"
            for column, value in self.cells.items()
        ]
        return lines


def record_refund(ctx: FlowContext, item: MondayRecordRefund) -> MondayRecordResult:
    """Record a refund on the monday board by Shopify order number, each cell once."""
    board_id = board_of(ctx)
    board = Board(ctx.page).open(ctx.base_url, board_id)
    found = find_order(board, item.order, item.reference)
    if found.found is Found.SEVERAL:
        raise Refusal(
            f"the board has {len(found.items)} items for {item.order} "
            f"({', '.join(_where(i) for i in found.items)}): a person must merge them",
            status="several_items",
        )
    if found.found is Found.POSSIBLE:
        raise Refusal(
            f"the board has {', '.join(_where(i) for i in found.possible)}, which may be "
            f"{item.order}: a person must merge or rename it",
            status="possible_match",
        )
    item_key = f"{item.order}/monday/item"
    if found.found is Found.NONE:
        if item.dry_run:
            return _result(item, "dry_run", Plan(None, item.wanted(), add=True), None)
        target = add_item(ctx, board, board_id, item, item_key)
        added = True
    else:
        target = found.item
        # Added by an earlier click of ours whose answer was lost (its cells may be empty)?
        added = not item.dry_run and ctx.found_done(item_key)
    plan = plan_cells(item, target, added)
    if item.dry_run:
        return _result(item, "dry_run" if plan.cells else "already_recorded", plan, target)

    # Cells already as asked: set by a click of ours whose answer was lost, or before.
    ours = [ctx.found_done(_key(item, c)) for c in item.wanted() if c not in plan.cells]
    status = "added" if added else "updated" if plan.cells or any(ours) else "already_recorded"
    if not plan.cells:
        return _result(item, status, plan, target, added=added)
    rows = [
        set_cell(ctx, board, board_id, item, target, column, value, plan.before.get(column))
        for column, value in plan.cells.items()
    ]
    back = rows[-1]

    # The row read back after the last cell: every cell as asked.
    wrong = [c for c, v in plan.cells.items() if not same(c, value_of(back, c), v)]
    if wrong:
        raise PortalFailure(
            f"{back.name} reads "
            + ", ".join(f"{c} {shown(value_of(back, c))}" for c in wrong)
            + " after it was saved"
        )
    return _result(item, status, plan, back, added=added)


def add_item(
    ctx: FlowContext, board: Board, board_id: int, item: MondayRecordRefund, key: str
) -> BoardItem:
    """ "+ Add item" in "This week", named by the order number, through the guard.

    Seen done when a fresh search shows exactly one item named so; none is absent; two or
    more (an earlier click's answer lost, and clicked again?) is for a person to see.
    """
    seen: list[BoardItem] = []

    def read() -> Seen:
        show_board(ctx, board, board_id)
        named = [i for i in board.search(bare(item.order)) if bare(i.name) == bare(item.order)]
        if len(named) > 1:
            raise PortalFailure(
                f"the board shows {len(named)} items named {item.order} after adding one"
            )
        seen[:] = named
        return Seen.DONE if named else Seen.ABSENT

    what = f'the item "{item.order}" in {THIS_WEEK}'
    committed = ctx.commit(
        Change(key=key, read=read, what=what), lambda: board.add_item(THIS_WEEK, item.order)
    )
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        _not_taken(committed.reply, what)
    return seen[0]  # the reading that saw it done saw it


def set_cell(
    ctx: FlowContext,
    board: Board,
    board_id: int,
    item: MondayRecordRefund,
    target: BoardItem,
    column: str,
    value: Value,
    before: Value,
) -> BoardItem:
    """One cell of the item, through the guard: done when a fresh search shows it so.
    Returns the item's row as that search showed it."""
    rows: list[BoardItem] = []

    def read() -> Seen:
        rows[:] = [read_item(ctx, board, board_id, target)]
        now = value_of(rows[0], column)
        if same(column, now, value):
            return Seen.DONE
        if now == before:
            return Seen.ABSENT
        raise PortalFailure(
            f"{target.name} {column} reads {shown(now)}, neither {shown(before)} nor {shown(value)}"
        )

    def click() -> Reply:
        if column == STATUS:
            return board.set_status(target, str(value))
        return board.set_cell(target, column, value)

    what = f"{target.name} {column} {shown(value)}"
    committed = ctx.commit(Change(key=_key(item, column), read=read, what=what), click)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        _not_taken(committed.reply, what)
    return rows[0]


def _not_taken(reply: Reply, what: str) -> None:
    if reply.answer is Answer.REFUSED:
        raise Refusal(f"the board refused {what}: {reply.message}", status="refused")
    # Positively not taken (an error before any change): a new attempt may.
    raise PortalFailure(f"{what} was not saved ({reply.message})")


def plan_cells(item: MondayRecordRefund, target: BoardItem, added: bool) -> Plan:
    """The spec's checks on the one item found, then the cells that differ from the input.

    Another ESG number or email is another order or customer: refused, naming both. A
    complete ("Done") item is a record made: a filled cell that says otherwise is refused,
    never overwritten; its empty cells are filled. A name that is another order number
    (the item was found by its ESG number) is refused too.
    """
    name = bare(target.name)
    if name.isdigit() and name != bare(item.order):
        raise Refusal(
            f"{item.reference} is recorded on the item {target.name!r}, not {item.order}",
            status="name_mismatch",
            item=target.name,
        )
    for column, status in ((ESG, "reference_mismatch"), (EMAIL, "email_mismatch")):
        now, wanted = value_of(target, column), item.wanted()[column]
        if now is not None and not same(column, now, wanted):
            raise Refusal(
                f"{_where(target)} has {column} {now}, not {wanted}",
                status=status,
                recorded=now,
            )
    cells = {c: v for c, v in item.wanted().items() if not same(c, value_of(target, c), v)}
    if target.complete:
        differ = {c: v for c, v in cells.items() if value_of(target, c) is not None}
        if differ:
            raise Refusal(
                f"{_where(target)} is recorded as Done with "
                + ", ".join(
                    f"{c} {shown(value_of(target, c))}, not {shown(v)}" for c, v in differ.items()
                )
                + ": a person must decide which is right",
                status="recorded_otherwise",
            )
    return Plan(target, cells, {c: value_of(target, c) for c in cells}, added)


def read_item(ctx: FlowContext, board: Board, board_id: int, target: BoardItem) -> BoardItem:
    """The item's row afresh: the board searched again by the item's name."""
    show_board(ctx, board, board_id)
    rows = [row for row in board.search(target.name) if row.id == target.id]
    if len(rows) != 1:
        raise PortalFailure(f"the board shows {len(rows)} rows of {target.name} ({target.id})")
    return rows[0]


def show_board(ctx: FlowContext, board: Board, board_id: int) -> None:
    """The board, to search it afresh: opened again unless it shows, alert-free (after a
    sign-in, or an alert of a click, a search would not start from a clean page)."""
    if not board.heading.is_visible() or board.alert.count():
        board.open(ctx.base_url, board_id)


def value_of(row: BoardItem, column: str) -> Value:
    values: dict[str, Value] = {
        ESG: row.esg,
        EMAIL: row.email,
        AMOUNT: row.amount,
        DATE: row.date,
        STATUS: row.status,
    }
    return values[column]


def same(column: str, now: Value, wanted: Value) -> bool:
    """The cell says what is wanted: emails and ESG numbers case aside, amounts as numbers."""
    if now is None or wanted is None:
        return now is wanted
    if column in (ESG, EMAIL):
        return str(now).strip().casefold() == str(wanted).strip().casefold()
    return now == wanted


def shown(value: Value) -> str:
    """A value as the board shows it: `$49.95`, `May 15, 2026`, or "empty"."""
    if value is None:
        return "empty"
    if isinstance(value, Decimal):
        return show_money(value)
    if isinstance(value, dt.date):
        return show_date(value)
    return str(value)


def board_of(ctx: FlowContext) -> int:
    """The board the team records refunds on (PORTALPILOT_MONDAY__BOARD_ID)."""
    settings = ctx.settings
    return settings.board_id if isinstance(settings, MondaySettings) else DEFAULT_BOARD


def _key(item: MondayRecordRefund, column: str) -> str:
    """One change per cell of the order's item, whatever the value."""
    return f"{item.order}/monday/{column}"


def _where(row: BoardItem) -> str:
    return f"{row.name!r} in {row.group}"


def _row(row: BoardItem) -> RecordedItem:
    return RecordedItem(
        id=row.id,
        name=row.name,
        group=row.group,
        status=row.status,
        esg_number=row.esg,
        customer_email=row.email,
        refunded=row.amount,
        date=row.date,
        notes=row.notes,
    )


def _result(
    item: MondayRecordRefund,
    status: str,
    plan: Plan,
    row: BoardItem | None,
    *,
    added: bool = False,
) -> MondayRecordResult:
    changes = plan.describe(item.order)
    refund = f"the refund of {show_money(item.amount)}"
    if status == "added":
        message = f"added {item.order} in {THIS_WEEK} and recorded {refund}"
    elif status == "updated":
        message = f"recorded {refund} on {_where(row) if row else item.order}"
    elif status == "already_recorded":
        message = f"{item.order} already records {refund}; nothing changed"
    else:
        message = f"would {'; '.join(changes)}; nothing changed"
    return MondayRecordResult(
        status=status,
        message=message,
        changes=[] if status == "already_recorded" else changes,
        order=item.order,
        added=added,
        item=_row(row) if row else None,
    )


FLOW = Flow(
    name="monday.record_refund",
    portal=MONDAY,
    input_model=MondayRecordRefund,
    run=record_refund,
)
