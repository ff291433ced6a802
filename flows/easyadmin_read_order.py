"""easyadmin.read_order — an order as EasyAdmin's CS window holds it, and its 교환주문. Read-only.

The seller's procedure (seed 002) asks first whether the original order was collected
into EasyAdmin: not collected, nothing is done there (a Cafe24 exchange arrives with its
new line at the next collection). Collected, the exchange is made in the CS window; what
remains after it depends on where the exchanged product is: on the line itself (접수 or
송장: replaced in place) or on the 교환주문 (배송: a new order with its own 관리번호), and
on whether that has shipped (배송, with its 택배사 and 송장번호).

In the CS window: search the 주문번호 (6개월), load every row of exactly that number, and
tell the original holding the line from its 교환주문 (`flows.easyadmin_exchange`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from flows._kr_fields import Cafe24Order, LineNumber, full_line
from flows.easyadmin_exchange import Family, find_family, not_collected, other_order
from pages.easyadmin import EASYADMIN, CsWindow, LoadedOrder, ProductLine
from portalpilot import Cli, Flow, FlowContext, FlowInput, FlowOutput


class EasyAdminReadOrder(FlowInput):
    """Read an order in EasyAdmin's CS window: its lines, its 교환주문, where the line's
    exchanged product is and whether it has shipped."""

    order: Annotated[
        Cafe24Order,
        Cli(argument=True),
        Field(description="The Cafe24 order number (주문번호), e.g. 20250301-0000101."),
    ]
    line: Annotated[
        LineNumber,
        Field(
            description="The line concerned: its 주문상세번호, e.g. 20250301-0000101-01, or "
            "only its last part, e.g. 01."
        ),
    ]

    @model_validator(mode="after")
    def _whole_line(self) -> EasyAdminReadOrder:
        self.line = full_line(self.order, self.line)
        return self

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return f"{self.order}/{self.line}/read"


class Line(BaseModel):
    line: str  # 주문상세번호
    product: str
    option: str
    quantity: int
    state: str  # 접수, 송장, 배송
    cs: str  # 정상, 교환, 취소
    carrier: str  # 택배사, "" when none
    tracking: str  # 송장번호, "" when none
    hold: bool  # 보류


class Order(BaseModel):
    management_number: str = Field(description="관리번호.")
    original: str | None = Field(description="원주문 관리번호 (a 교환주문 only).")
    lines: list[Line]


class EasyAdminOrder(FlowOutput):
    order: str
    line: str
    management_number: str = Field(description="관리번호 of the original order (collected).")
    orderer: str
    recipient: str
    mobile: str = Field(description="The recipient's 휴대폰.")
    lines: list[Line] = Field(description="The original order's 상품리스트.")
    exchange_orders: list[Order] = Field(description="Its 교환주문, oldest first.")
    cs: str = Field(description="C/S of the line: 정상, 교환 or 취소.")
    exchanged_on: str | None = Field(
        description="관리번호 of the order holding the exchanged product: the original (replaced "
        "in place) or the newest 교환주문 holding the line; None when not exchanged."
    )
    exchanged: Line | None = Field(description="The line carrying the exchanged product.")
    shipped: bool = Field(description="The exchanged product is 배송, with a 송장번호.")


def read_order(ctx: FlowContext, item: EasyAdminReadOrder) -> EasyAdminOrder:
    """Read an order in EasyAdmin's CS window, with its 교환주문; nothing changes."""
    refused = other_order(item.order, item.line)
    if refused:
        raise refused
    cs = CsWindow(ctx.page).open(ctx.base_url)
    family = find_family(cs, item.order, item.line)
    if family is None:
        raise not_collected(item.order)
    original = family.original
    line = original.line(item.line)
    assert line is not None
    holder, carrying = exchanged_line(family, item.line)
    info = original.info
    if carrying is None:
        state = f"C/S {line.cs}, not exchanged"
    else:
        where = "in place" if holder == original.number else f"on 교환주문 {holder}"
        sent = f" {carrying.carrier} {carrying.tracking}" if carrying.tracking else ""
        state = f"exchanged {where}: {carrying.product} {carrying.option}, {carrying.state}{sent}"
    return EasyAdminOrder(
        status="found",
        message=f"{item.order} is 관리번호 {original.number} in EasyAdmin; {item.line}: {state}",
        order=item.order,
        line=item.line,
        management_number=original.number,
        orderer=info.orderer,
        recipient=info.recipient,
        mobile=info.mobile,
        lines=[_line(one) for one in original.lines],
        exchange_orders=[_order(one) for one in family.exchange_orders],
        cs=line.cs,
        exchanged_on=holder,
        exchanged=_line(carrying) if carrying else None,
        shipped=bool(carrying and carrying.state == "배송" and carrying.tracking),
    )


def exchanged_line(family: Family, line: str) -> tuple[str | None, ProductLine | None]:
    """Where the line's exchanged product is: the newest 교환주문 holding the line, or the
    line itself once replaced in place (C/S 교환 and no 교환주문); (None, None) if neither."""
    for order in reversed(family.exchange_orders):
        found = order.line(line)
        if found is not None:
            return order.number, found
    kept = family.original.line(line)
    if kept is not None and kept.cs == "교환":
        return family.original.number, kept
    return None, None


def _line(line: ProductLine) -> Line:
    return Line(
        line=line.line,
        product=line.product,
        option=line.option,
        quantity=line.quantity,
        state=line.state,
        cs=line.cs,
        carrier=line.carrier,
        tracking=line.tracking,
        hold=line.hold,
    )


def _order(order: LoadedOrder) -> Order:
    return Order(
        management_number=order.number,
        original=order.info.original,
        lines=[_line(one) for one in order.lines],
    )


FLOW = Flow(
    name="easyadmin.read_order",
    portal=EASYADMIN,
    input_model=EasyAdminReadOrder,
    run=read_order,
    changes_state=False,
)
