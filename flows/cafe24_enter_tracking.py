"""cafe24.enter_tracking — type an exchange's tracking number into the Cafe24 admin, once.

The seller's procedure (seed 002, mode b: "카페24 관리자 페이지와 이지어드민 양쪽에서 교환
처리"): the Cafe24 admin exchange gave the line a new 품목별 주문번호, so EasyAdmin's send of
the 교환주문's 송장번호 fails, and the number is typed into the Cafe24 admin by hand.

The spec's rules (shared/portals/cafe24-admin.md, "Rules a robot must check before 저장"):
open the order by 주문번호; in "교환 정보" follow the chain from EasyAdmin's 주문상세번호 to
the last 교환 품목별 주문번호, and enter the number on that line, never on the original; no
exchange row means it is not mode b: stop. The same number already there: done. Another
number there: stop, never confirm the replacement. The line must be in a state that takes
a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from flows._kr_fields import (
    Cafe24Order,
    Carrier,
    CarrierName,
    LineNumber,
    TrackingNumber,
    full_line,
    order_of_line,
)
from pages.cafe24 import CAFE24, Exchange, NoSuchOrder, OrderDetail, OrderedItem, TrackingDialog
from pages.cafe24 import Cafe24Order as Cafe24Page
from pages.cafe24.tracking_dialog import NOT_IN_THIS_STATE, REPLACE, WRONG_LENGTH
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

# 주문상태 of a line that takes a tracking number (the admin refuses 입금전, 상품준비중,
# 교환접수, 교환처리중, 교환완료 and 취소완료).
TAKES_A_NUMBER = ("배송준비중", "배송대기", "배송보류", "교환접수 - 교환상품", "배송중", "배송완료")


class Cafe24EnterTracking(FlowInput):
    """Enter the tracking number of EasyAdmin's exchange order on the Cafe24 exchange line."""

    order: Annotated[
        Cafe24Order,
        Cli(argument=True),
        Field(description="The Cafe24 order number (주문번호), e.g. 20250305-0000105."),
    ]
    line: Annotated[
        LineNumber,
        Field(
            description="EasyAdmin's 주문상세번호 of the exchanged line (the original line), "
            "e.g. 20250305-0000105-01, or only its last part, e.g. 01. The number is entered "
            "on the last line of its exchange chain in Cafe24, never on this one."
        ),
    ]
    carrier: Annotated[
        CarrierName,
        Field(
            description="The carrier (배송업체) of EasyAdmin's exchange order: "
            + ", ".join(c.value for c in Carrier)
            + " (or CJ, Lotte, Hanjin, EPost, Logen)."
        ),
    ]
    number: Annotated[
        TrackingNumber,
        Field(
            description="The tracking number (송장번호) of EasyAdmin's exchange order, digits "
            "only, e.g. 651234567890: CJ대한통운, 롯데택배, 한진택배 10 or 12 digits, 우체국택배 "
            "13, 로젠택배 11."
        ),
    ]

    @field_validator("number")
    @classmethod
    def _length_of_the_carrier(cls, number: str, info: ValidationInfo) -> str:
        carrier = info.data.get("carrier")
        if isinstance(carrier, Carrier) and len(number) not in carrier.lengths:
            lengths = " or ".join(str(n) for n in carrier.lengths)
            raise ValueError(
                f"{carrier.value} tracking numbers have {lengths} digits, not {len(number)}"
            )
        return number

    @model_validator(mode="after")
    def _whole_line(self) -> Cafe24EnterTracking:
        self.line = full_line(self.order, self.line)
        return self

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return tracking_key(self.order, self.line)


class Cafe24TrackingResult(FlowOutput):
    order: str
    line: str = Field(description="EasyAdmin's 주문상세번호 (the original line).")
    target: str = Field(description="The 품목별 주문번호 the number is entered on.")
    chain: list[str] = Field(description="The exchange chain, original line first.")
    claim: str = Field(description="클레임번호 of the last exchange.")
    product: str
    option: str
    carrier: str
    number: str
    state: str = Field(description="주문상태 of the line, after (or as found).")


@dataclass(frozen=True)
class Target:
    chain: list[str]
    last: Exchange
    item: OrderedItem


def enter_tracking(ctx: FlowContext, item: Cafe24EnterTracking) -> Cafe24TrackingResult:
    """Enter an exchange's tracking number on its last Cafe24 line, exactly once."""
    holder = order_of_line(item.line)
    if holder is not None and holder != item.order:
        raise Refusal(
            f"{item.line} is a line of {holder}, not of {item.order}: give the line of this order",
            status="other_order",
        )
    try:
        # Its address (admin/order/detail?order_id=…): one page, and no 3-month limit.
        detail = OrderDetail(ctx.page).open(ctx.base_url, item.order)
    except NoSuchOrder:
        raise Refusal(f"the Cafe24 admin has no order {item.order}", status="not_found") from None
    order = detail.read()
    target = follow_chain(order, item)
    line = target.item
    key = tracking_key(item.order, item.line)

    if already_there(item, line):
        ours = False if item.dry_run else ctx.found_done(key)
        return _result(item, target, "entered" if ours else "already_entered", line.state)

    seeing: list[OrderedItem] = []
    change = tracking_change(ctx, item, target, seeing)
    if not item.dry_run and ctx.clicked_before(key) and ctx.check(change) is Seen.DONE:
        return _result(item, target, "entered", seeing[0].state if seeing else line.state)

    detail = OrderDetail(ctx.page)
    dialog = open_dialog(detail, item, line)
    if item.dry_run:
        dialog.cancel()
        return _result(item, target, "dry_run", line.state)

    def click() -> Reply:
        filled = dialog
        if not filled.dialog.is_visible():
            page = OrderDetail(ctx.page).open(ctx.base_url, item.order)
            filled = open_dialog(page, item, line)
        return filled.save()

    # "저장", through the runner's commit guard: recorded before the click, read back on the
    # order page after it, never clicked again without a reading that it did not happen.
    committed = ctx.commit(change, click)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        said = committed.reply.message
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(
                f"the Cafe24 admin refused {item.number} on {line.line}: {said}",
                status=refusal_status(said),
            )
        raise PortalFailure(f"{item.number} was not saved on {line.line} ({said})")
    return _result(item, target, "entered", seeing[0].state if seeing else line.state)


def already_there(item: Cafe24EnterTracking, line: OrderedItem) -> bool:
    """The spec's rules on the target line before any click: the same number there is done
    (True); another number, or the same with another carrier, is refused, never replaced;
    a line in a state that takes no number is refused in the admin's words."""
    if line.tracking:
        if line.tracking != item.number:
            raise Refusal(
                f"{line.line} has the tracking number {line.carrier} {line.tracking} already, "
                f"not {item.number}: never replaced; a person decides which parcel is the "
                "customer's",
                status="tracking_differs",
                found=line.tracking,
                found_carrier=line.carrier,
            )
        if line.carrier and line.carrier != item.carrier.value:
            raise Refusal(
                f"{line.line} has {line.tracking} with {line.carrier}, not {item.carrier.value}: "
                "a person must look",
                status="carrier_differs",
                found_carrier=line.carrier,
            )
        return True
    if line.state not in TAKES_A_NUMBER:
        raise Refusal(
            f"{line.line} is {line.state}: {NOT_IN_THIS_STATE}",
            status="not_allowed",
            state=line.state,
        )
    return False


def follow_chain(order: Cafe24Page, item: Cafe24EnterTracking) -> Target:
    """From EasyAdmin's line, each "교환 정보" row to its 교환 품목별 주문번호, to the last.

    No row from the line: not mode b (EasyAdmin sends the number itself), refused. Two rows
    from one line, or a loop, cannot be followed: refused, never guessed.
    """
    chain = [item.line]
    last: Exchange | None = None
    while True:
        rows = [row for row in order.exchanges if row.original == chain[-1]]
        if not rows:
            break
        if len(rows) > 1:
            raise Refusal(
                f"{chain[-1]} was exchanged {len(rows)} times in Cafe24 ("
                + ", ".join(f"{r.claim} → {r.new}" for r in rows)
                + "): a person must look",
                status="ambiguous",
            )
        last = rows[0]
        if last.new in chain:
            raise PortalFailure(f'"교환 정보" loops: {" → ".join([*chain, last.new])}')
        chain.append(last.new)
    if last is None:
        raise Refusal(
            f'{item.line} has no exchange in Cafe24 ("교환 정보"): it is not mode b, and '
            "EasyAdmin sends the tracking number to Cafe24 itself; nothing is entered",
            status="not_mode_b",
        )
    line = order.item(chain[-1])
    if line is None:
        raise PortalFailure(f'"교환 정보" names {chain[-1]}, which "주문상품" does not show')
    return Target(chain, last, line)


def open_dialog(
    detail: OrderDetail, item: Cafe24EnterTracking, line: OrderedItem
) -> TrackingDialog:
    """The dialog of the line, showing that line and product, filled and read back."""
    dialog = detail.start_tracking(line.line)
    if not dialog.shows(line.line, line.product):
        raise PortalFailure(f'"송장번호 입력" shows {dialog.text()!r}, not {line.line}')
    dialog.choose_carrier(item.carrier.value)
    dialog.type_number(item.number)
    if (dialog.carrier(), dialog.number()) != (item.carrier.value, item.number):
        raise PortalFailure(
            f'"송장번호 입력" holds {dialog.carrier()} {dialog.number()}, '
            f"not {item.carrier.value} {item.number}"
        )
    return dialog


def tracking_change(
    ctx: FlowContext, item: Cafe24EnterTracking, target: Target, seeing: list[OrderedItem]
) -> Change:
    """The number on the line, and how to see it: the line shows it (with the carrier);
    shows none, not saved. Another number raises: a person must look."""
    line = target.item.line

    def read() -> Seen:
        order = OrderDetail(ctx.page).open(ctx.base_url, item.order).read()
        now = order.item(line)
        if now is None:
            raise PortalFailure(f"{item.order} no longer shows the line {line}")
        if not now.tracking:
            return Seen.ABSENT
        if now.tracking == item.number and now.carrier == item.carrier.value:
            seeing[:] = [now]
            return Seen.DONE
        raise PortalFailure(
            f"{line} shows {now.carrier} {now.tracking}, not {item.carrier.value} {item.number}"
        )

    what = f"the tracking number {item.carrier.value} {item.number} on {line}"
    return Change(key=tracking_key(item.order, item.line), read=read, what=what)


def refusal_status(message: str) -> str:
    if REPLACE.search(message):
        return "tracking_differs"
    if NOT_IN_THIS_STATE in message:
        return "not_allowed"
    if WRONG_LENGTH in message:
        return "bad_number"
    return "refused"


def _result(
    item: Cafe24EnterTracking, target: Target, status: str, state: str
) -> Cafe24TrackingResult:
    line = target.item
    what = f"{item.carrier.value} {item.number} on {line.line}"
    if status == "dry_run":
        message = f"would enter {what}; nothing changed"
    elif status == "already_entered":
        message = f"{line.line} has {item.carrier.value} {item.number} already; nothing changed"
    else:
        message = f"entered {what} ({' → '.join(target.chain)})"
    return Cafe24TrackingResult(
        status=status,
        message=message,
        changes=[f"enter {what}"] if status in ("dry_run", "entered") else [],
        order=item.order,
        line=item.line,
        target=line.line,
        chain=target.chain,
        claim=target.last.claim,
        product=line.product,
        option=line.option,
        carrier=item.carrier.value,
        number=item.number,
        state=state,
    )


def tracking_key(order: str, line: str) -> str:
    return f"{order}/{line}/tracking"


FLOW = Flow(
    name="cafe24.enter_tracking",
    portal=CAFE24,
    input_model=Cafe24EnterTracking,
    run=enter_tracking,
)
