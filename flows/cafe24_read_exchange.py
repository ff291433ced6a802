"""cafe24.read_exchange — whether the Cafe24 admin has an exchange for a line. Read-only.

The seller's procedure (seed 002) has two modes, and Cafe24 tells which: an exchange made
in the Cafe24 admin too gives the line a new 품목별 주문번호 (mode b: EasyAdmin's send of the
tracking number fails, and it is typed into the Cafe24 admin by hand, on the chain's last
line); no exchange there is mode a (EasyAdmin sends it, the customer gets a 스마트알림).

On the order's page (주문상세정보, opened at its address): "교환 정보" followed from the
line to the last 교환 품목별 주문번호, that line's 주문상태, 배송업체 and 송장번호, and the
orderer and recipient (for a cross-check with EasyAdmin).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from flows._kr_fields import Cafe24Order, LineNumber, full_line, order_of_line
from pages.cafe24 import CAFE24, Exchange, NoSuchOrder, OrderDetail
from pages.cafe24 import Cafe24Order as Cafe24Page
from portalpilot import Cli, Flow, FlowContext, FlowInput, FlowOutput, PortalFailure, Refusal


class Cafe24ReadExchange(FlowInput):
    """Read whether the Cafe24 admin has an exchange for a line, and its chain's last line."""

    order: Annotated[
        Cafe24Order,
        Cli(argument=True),
        Field(description="The Cafe24 order number (주문번호), e.g. 20250302-0000102."),
    ]
    line: Annotated[
        LineNumber,
        Field(
            description="EasyAdmin's 주문상세번호 of the line (the original), e.g. "
            "20250302-0000102-01, or only its last part, e.g. 01."
        ),
    ]

    @model_validator(mode="after")
    def _whole_line(self) -> Cafe24ReadExchange:
        self.line = full_line(self.order, self.line)
        return self

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return f"{self.order}/{self.line}/read-exchange"


class Cafe24Exchange(FlowOutput):
    order: str
    line: str = Field(description="The line asked (the original 품목별 주문번호).")
    exchanged: bool = Field(description="Cafe24 has an exchange for the line (mode b).")
    mode: str = Field(description="b when Cafe24 has an exchange for the line, a otherwise.")
    chain: list[str] = Field(description="The exchange chain, the line asked first.")
    claim: str | None = Field(description="클레임번호 of the chain's last exchange.")
    last_line: str = Field(description="The chain's last line (the line itself when none).")
    product: str = Field(description="상품명 of the last line.")
    option: str = Field(description="옵션 of the last line.")
    state: str = Field(description="주문상태 of the last line.")
    carrier: str = Field(description="배송업체 of the last line, '' when none.")
    tracking: str = Field(description="송장번호 of the last line, '' when none.")
    orderer: str | None
    recipient: str | None
    recipient_mobile: str


def read_exchange(ctx: FlowContext, item: Cafe24ReadExchange) -> Cafe24Exchange:
    """Read a line's exchange chain in the Cafe24 admin; nothing changes."""
    holder = order_of_line(item.line)
    if holder is not None and holder != item.order:
        raise Refusal(
            f"{item.line} is a line of {holder}, not of {item.order}: give the line of this order",
            status="other_order",
        )
    try:
        detail = OrderDetail(ctx.page).open(ctx.base_url, item.order)
    except NoSuchOrder:
        raise Refusal(f"the Cafe24 admin has no order {item.order}", status="not_found") from None
    order = detail.read()
    if order.item(item.line) is None:
        lines = ", ".join(one.line for one in order.items)
        raise Refusal(
            f"{item.order} in Cafe24 has no line {item.line} (its lines: {lines})",
            status="line_not_found",
        )
    chain, last = follow(order, item.line)
    target = order.item(chain[-1])
    if target is None:
        raise PortalFailure(f'"교환 정보" names {chain[-1]}, which "주문상품" does not show')
    if last is None:
        message = f"{item.line} has no exchange in Cafe24 (mode a)"
    else:
        message = (
            f"{item.line} was exchanged in Cafe24 ({' → '.join(chain)}, {last.claim}; mode b): "
            f"{target.line} is {target.state}"
            + (f", {target.carrier} {target.tracking}" if target.tracking else ", no 송장번호")
        )
    return Cafe24Exchange(
        status="exchanged" if last else "not_exchanged",
        message=message,
        order=item.order,
        line=item.line,
        exchanged=last is not None,
        mode="b" if last else "a",
        chain=chain,
        claim=last.claim if last else None,
        last_line=target.line,
        product=target.product,
        option=target.option,
        state=target.state,
        carrier=target.carrier,
        tracking=target.tracking,
        orderer=order.orderer.name,
        recipient=order.recipient.name,
        recipient_mobile=order.recipient.mobile,
    )


def follow(order: Cafe24Page, line: str) -> tuple[list[str], Exchange | None]:
    """From `line`, each "교환 정보" row to its 교환 품목별 주문번호, to the last. Two rows from
    one line cannot be followed: refused, never guessed."""
    chain, last = [line], None
    while rows := [row for row in order.exchanges if row.original == chain[-1]]:
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
    return chain, last


FLOW = Flow(
    name="cafe24.read_exchange",
    portal=CAFE24,
    input_model=Cafe24ReadExchange,
    run=read_exchange,
    changes_state=False,
)
