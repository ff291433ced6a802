"""easyadmin.exchange — exchange one line of a Cafe24 order in EasyAdmin's CS window, once.

The seller's procedure (seed 002): an exchange made in the Cafe24 admin changes the line's
주문상세번호, so once the original order has been collected into EasyAdmin the exchange
never arrives there; it must be made in the CS window (CS관리 > C/S), or the old product
ships. Not collected yet: nothing is to be done here, the Cafe24 exchange arrives by itself
with its new line.

In the CS window (shared/portals/easyadmin-cs.md): search the 주문번호, load the order, pick
the line, "상품교환", "검색/선택" the new product, 수량, optional C/S내용, "교환". Every rule
of the spec is checked before "교환": the exact 주문상세번호, C/S "정상", no earlier
"상품교환" of it in C/S이력, the new product's 재고, the quantity. What "교환" does depends on
the line's 상태: 접수 is replaced in place; 송장 too, and the order is put on 보류; 배송 keeps
the line (C/S "교환") and makes a new 교환주문 with its own 관리번호.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from flows._kr_fields import (
    Cafe24Order,
    CsText,
    KoreanText,
    LineNumber,
    OptionalKoreanText,
    full_line,
    nfc,
    order_of_line,
    same_text,
)
from pages.easyadmin import (
    EASYADMIN,
    CsWindow,
    ExchangeDialog,
    HistoryRow,
    LoadedOrder,
    ProductChoice,
    ProductLine,
    exchange_sides,
)
from pages.easyadmin.exchange_dialog import CANCELLED
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

EXCHANGE = "상품교환"  # the C/S이력 구분 of an exchange
IN_PLACE = ("접수", "송장")
SEPARATORS = " /()[]:-"  # 상태 whose line is replaced in place; 배송 makes a 교환주문


class EasyAdminExchange(FlowInput):
    """Exchange one line of a Cafe24 order for another product in EasyAdmin's CS window."""

    order: Annotated[
        Cafe24Order,
        Cli(argument=True),
        Field(description="The Cafe24 order number (주문번호), e.g. 20250302-0000102."),
    ]
    line: Annotated[
        LineNumber,
        Field(
            description="The line to exchange: its 주문상세번호 in EasyAdmin, e.g. "
            "20250302-0000102-01, or only its last part, e.g. 01."
        ),
    ]
    product: Annotated[
        KoreanText,
        Field(description="The new product's name (상품명) exactly as EasyAdmin lists it."),
    ]
    option: Annotated[
        OptionalKoreanText,
        Field(
            description="The new product's option (옵션) exactly as listed. Default: the "
            "product's only option (several are refused as ambiguous)."
        ),
    ] = None
    code: Annotated[
        OptionalKoreanText,
        Field(
            description="The new product's code (상품코드), when its name and option are "
            "not enough."
        ),
    ] = None
    quantity: Annotated[
        int | None,
        Field(
            ge=1, description="Units to exchange (수량), at most the line's. Default: the line's."
        ),
    ] = None
    cs_text: Annotated[
        CsText,
        Field(description="C/S내용: a note kept with the exchange (500 characters at most)."),
    ] = None

    @model_validator(mode="after")
    def _whole_line(self) -> EasyAdminExchange:
        self.line = full_line(self.order, self.line)
        return self

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        """One exchange per line, whatever the product."""
        return exchange_key(self.order, self.line)


class Product(BaseModel):
    product: str  # 상품명
    option: str  # 옵션
    quantity: int  # 수량
    code: str | None = None  # 상품코드, when chosen from the product search


class EasyAdminExchangeResult(FlowOutput):
    order: str
    line: str
    management_number: str = Field(description="관리번호 of the order holding the line.")
    state: str = Field(description="상태 of the line before the exchange: 접수, 송장 or 배송.")
    mode: str = Field(
        description="in_place (접수, 송장: the line is replaced) or new_order (배송: a "
        "교환주문 is made)."
    )
    before: Product | None = Field(
        description="The line as it was (교환전 상품); None when it was replaced before."
    )
    after: Product | None = Field(description="The product it is exchanged for (교환후 상품).")
    exchange_order: str | None = Field(
        description="관리번호 of the new 교환주문 (배송 lines only), when made."
    )
    hold: bool | None = Field(
        description="보류 of the line after the exchange (송장: put on hold)."
    )
    cs_text: str | None = None
    history: str | None = Field(description='The C/S이력 row "상품교환" of this exchange.')


# --- the order as EasyAdmin holds it --------------------------------------------------------


@dataclass
class Family:
    """An order of the channel in EasyAdmin: the original (collected from Cafe24) and the
    교환주문 made from it (same 주문번호, their 원주문 관리번호 the original's)."""

    original: LoadedOrder
    exchange_orders: list[LoadedOrder]

    def numbers(self) -> set[str]:
        return {self.original.number, *(o.number for o in self.exchange_orders)}


def find_family(cs: CsWindow, order: str, line: str) -> Family | None:
    """Search the 주문번호 (6 months: older orders are not in the CS window), load every row
    of exactly that number, and tell the original holding `line` from its exchange orders.
    None when EasyAdmin shows no such order (not collected)."""
    rows = [row for row in cs.search(order, by="주문번호", period="6개월") if row.order == order]
    if not rows:
        return None
    loaded = [cs.load(row.number) for row in rows]
    for one in loaded:
        if one.info.order != order:
            raise PortalFailure(
                f"관리번호 {one.number} shows 주문번호 {one.info.order}, not {order}"
            )
    originals = [o for o in loaded if not o.is_exchange_order and o.line(line)]
    if not originals:
        holders = [o.number for o in loaded if o.line(line)]
        lines = sorted({ln.line for o in loaded for ln in o.lines})
        if holders:
            raise Refusal(
                f"{line} is a line of the 교환주문 {', '.join(holders)} only, not of an order "
                "collected from Cafe24: a person must look",
                status="not_original",
            )
        raise Refusal(
            f"{order} in EasyAdmin has no line {line} (its lines: {', '.join(lines)})",
            status="line_not_found",
            lines=lines,
        )
    if len(originals) > 1:
        raise Refusal(
            f"{order} has {len(originals)} orders in EasyAdmin with the line {line} "
            f"(관리번호 {', '.join(o.number for o in originals)}): a person must look",
            status="ambiguous",
        )
    original = originals[0]
    exchanges = [o for o in loaded if o.info.original == original.number]
    # Oldest first: 관리번호 are given in turn.
    exchanges.sort(key=lambda o: (len(o.number), o.number))
    return Family(original, exchanges)


def show_original(cs: CsWindow, family: Family) -> None:
    """Have the original order shown below the list (the last one loaded may be one of its
    교환주문): what "상품교환" or "스마트알림" acts on is the order shown."""
    if cs.info().number != family.original.number:  # shown, or not known: load it
        cs.load(family.original.number)


def not_collected(order: str) -> Refusal:
    return Refusal(
        f"{order} is not in EasyAdmin's CS window (not collected yet, or collected over 6 "
        "months ago): nothing is to be done here; a Cafe24 exchange arrives by itself with "
        "its new line when the order is collected",
        status="not_collected",
    )


def other_order(order: str, line: str) -> Refusal | None:
    """A line number that belongs to another order: refused before anything is opened."""
    holder = order_of_line(line)
    if holder is not None and holder != order:
        return Refusal(
            f"{line} is a line of {holder}, not of {order}: give the line of this order",
            status="other_order",
        )
    return None


def names(side: str, product: str, option: str) -> bool:
    """One side of "A 옵션 → B 옵션" names this product and option: it begins with the
    product, and the rest is the option (a space, "/" or brackets around it aside)."""
    side, name, option = str(nfc(side)), str(nfc(product)), str(nfc(option))
    if not side.startswith(name):
        return False
    rest = side[len(name) :].strip(SEPARATORS)
    return rest == option.strip(SEPARATORS) if option else True


def mentions(text: str, words: str) -> bool:
    """`words` stand in `text` on their own ("블루/L" in "옵션 블루/L", not "L" in "XL")."""
    pattern = rf"(?<!\w){re.escape(str(nfc(words)))}(?!\w)"
    return re.search(pattern, str(nfc(text))) is not None


def exchanges_of(order: LoadedOrder, line: ProductLine) -> list[HistoryRow]:
    """The "상품교환" rows of C/S이력 (newest first) that are this line's exchanges.

    A row naming a 주문상세번호 is that line's. Otherwise its "A 옵션 → B 옵션" tells: the
    line's product before (a line kept, C/S 교환, or one never exchanged) or after (a line
    replaced in place, C/S 교환). A row that may be this line's or another's of the same
    product and option cannot be told apart: refused, never guessed.
    """
    found = []
    others = [other for other in order.lines if other.line != line.line]
    for row in order.history:
        if row.kind != EXCHANGE:
            continue
        if line.line in row.text:
            found.append(row)
            continue
        if any(other.line in row.text for other in others):
            continue
        sides = exchange_sides(row.text)
        if sides is None:
            raise PortalFailure(f'a C/S이력 row "상품교환" reads {row.text!r}, not "A → B"')
        before, after = sides

        def fits(candidate: ProductLine, before: str = before, after: str = after) -> bool:
            if names(before, candidate.product, candidate.option):
                return True
            return candidate.cs == "교환" and names(after, candidate.product, candidate.option)

        if not fits(line):
            continue
        if any(fits(other) for other in others):
            raise Refusal(
                f'C/S이력 "{row.words}" may be the exchange of {line.line} or of another line '
                "with the same product and option: a person must look",
                status="ambiguous",
            )
        found.append(row)
    return found


# --- the flow -----------------------------------------------------------------------------


@dataclass
class Seeing:
    """What the reading that saw the exchange done saw."""

    line: ProductLine | None = None
    row: HistoryRow | None = None
    exchange_order: LoadedOrder | None = None
    facts: dict[str, str] = field(default_factory=dict)


def exchange(ctx: FlowContext, item: EasyAdminExchange) -> EasyAdminExchangeResult:
    """Exchange one line of a Cafe24 order in EasyAdmin's CS window, exactly once."""
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
    key = exchange_key(item.order, item.line)

    # The spec's rules, in the portal's words where it has them.
    if line.cs == "취소":
        raise Refusal(f"{item.line}: {CANCELLED} (C/S 취소)", status="cancelled")
    earlier = exchanges_of(original, line)
    if line.cs == "교환" or earlier:
        return already_exchanged(ctx, item, family, line, earlier, key)
    if line.cs != "정상":
        raise PortalFailure(f"{item.line} reads C/S {line.cs!r}")
    quantity = item.quantity or line.quantity
    if quantity > line.quantity:
        raise Refusal(
            f"{item.line}: {quantity} units asked, but the line has {line.quantity} "
            f"({line.product} {line.option})",
            status="quantity_exceeded",
            asked=quantity,
            line_quantity=line.quantity,
        )

    seeing = Seeing()
    change = exchange_change(ctx, item, family, line, seeing)
    if not item.dry_run and ctx.clicked_before(key) and ctx.check(change) is Seen.DONE:
        # An earlier click of ours, whose answer was lost, made it after all.
        return _result(
            item,
            original,
            line.state,
            "exchanged",
            _product(line),
            after_of(seeing, line.state),
            seeing,
        )

    cs = CsWindow(ctx.page)
    show_original(cs, family)
    dialog = open_dialog(cs, item, line)
    choice = choose_product(dialog, item, line, quantity)
    fill(dialog, item, choice, quantity)
    after = Product(
        product=choice.product, option=choice.option, quantity=quantity, code=choice.code
    )
    if item.dry_run:
        dialog.close()
        return _result(item, original, line.state, "dry_run", _product(line), after, seeing)

    def click() -> Reply:
        # The dialog as filled, unless a reading moved the page on: then fill it again.
        filled = dialog
        if not filled.dialog.is_visible():
            page = CsWindow(ctx.page).open(ctx.base_url)
            page.search(item.order, by="주문번호", period="6개월")
            page.load(original.number)
            filled = open_dialog(page, item, line)
            fill(filled, item, choose_product(filled, item, line, quantity), quantity)
        return filled.exchange()

    # "교환", through the runner's commit guard: recorded before the click, read back after
    # it (the line's C/S and C/S이력), never clicked again without a reading that it did
    # not happen.
    committed = ctx.commit(change, click)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(
                f"EasyAdmin refused the exchange of {item.line}: {committed.reply.message}",
                status="refused",
            )
        raise PortalFailure(
            f"the exchange of {item.line} was not taken ({committed.reply.message})"
        )
    return _result(item, original, line.state, "exchanged", _product(line), after, seeing)


def open_dialog(cs: CsWindow, item: EasyAdminExchange, line: ProductLine) -> ExchangeDialog:
    """ "상품교환" for the line; its "교환전 상품" must be that line's product."""
    dialog = cs.start_exchange(item.line)
    before = dialog.before()
    if not (mentions(before, line.product) and mentions(before, line.option)):
        raise PortalFailure(
            f'"교환전 상품" reads {before!r}, not {line.product} {line.option} of {item.line}'
        )
    return dialog


def choose_product(
    dialog: ExchangeDialog, item: EasyAdminExchange, line: ProductLine, quantity: int
) -> ProductChoice:
    """The one product of the search that is the new product asked for, with the stock."""
    found = dialog.search_products(item.product)
    named = [c for c in found if same_text(c.product, item.product)]
    if item.code is not None:
        named = [c for c in named if same_text(c.code, item.code)]
    if not named:
        listed = sorted({c.product for c in found})
        raise Refusal(
            f"EasyAdmin lists no product {item.product!r}"
            + (f" with the code {item.code}" if item.code else "")
            + (f" (found: {', '.join(listed)})" if listed else ""),
            status="product_not_found",
        )
    if item.option is not None:
        options = [c for c in named if same_text(c.option, item.option)]
        if not options:
            raise Refusal(
                f"{item.product} has no option {item.option!r} "
                f"(its options: {', '.join(c.option for c in named)})",
                status="option_not_found",
            )
        named = options
    if len(named) > 1:
        raise Refusal(
            f"{item.product} is listed {len(named)} times ("
            + ", ".join(f"{c.code} {c.option}" for c in named)
            + "): give --option or --code",
            status="ambiguous",
        )
    choice = named[0]
    if same_text(choice.product, line.product) and same_text(choice.option, line.option):
        raise Refusal(
            f"{item.line} is {line.product} {line.option} already: nothing to exchange",
            status="same_product",
        )
    if choice.stock < quantity:
        raise Refusal(
            f"{choice.product} {choice.option} ({choice.code}) has 재고 {choice.stock}: "
            f"{quantity} cannot be sent",
            status="out_of_stock",
            stock=choice.stock,
        )
    return choice


def fill(
    dialog: ExchangeDialog, item: EasyAdminExchange, choice: ProductChoice, quantity: int
) -> None:
    dialog.choose(choice)  # done when "교환후 상품" shows it
    dialog.set_quantity(quantity)
    if item.cs_text:
        dialog.write_cs(item.cs_text)
    if dialog.quantity_value() != quantity:
        raise PortalFailure(f'"수량" holds {dialog.quantity_value()}, not {quantity}')


def exchange_change(
    ctx: FlowContext,
    item: EasyAdminExchange,
    family: Family,
    line: ProductLine,
    seeing: Seeing,
) -> Change:
    """The exchange, and how to see it: the line's C/S "교환" with its C/S이력 row (and for a
    배송 line, one new 교환주문 holding it); C/S "정상" with no such row, not made.
    Anything else raises: a person must look."""
    numbers = family.numbers()

    def read() -> Seen:
        cs = CsWindow(ctx.page).open(ctx.base_url)
        now = find_family(cs, item.order, item.line)
        if now is None or now.original.number != family.original.number:
            raise PortalFailure(f"{item.order} no longer shows 관리번호 {family.original.number}")
        after = now.original.line(item.line)
        assert after is not None
        rows = exchanges_of(now.original, after)
        if after.cs == "정상" and not rows:
            return Seen.ABSENT
        if after.cs != "교환" or not rows:
            raise PortalFailure(
                f"{item.line} reads C/S {after.cs} with {len(rows)} C/S이력 rows 상품교환"
            )
        seeing.line, seeing.row = after, rows[0]
        if line.state not in IN_PLACE:
            new = [o for o in now.exchange_orders if o.number not in numbers and o.line(item.line)]
            if len(new) != 1:
                raise PortalFailure(
                    f"{item.line} reads C/S 교환, and {len(new)} new 교환주문 hold it, not one"
                )
            seeing.exchange_order = new[0]
        return Seen.DONE

    what = f"the exchange of {item.line} ({line.product} {line.option}) for {item.product}"
    return Change(key=exchange_key(item.order, item.line), read=read, what=what)


def already_exchanged(
    ctx: FlowContext,
    item: EasyAdminExchange,
    family: Family,
    line: ProductLine,
    earlier: list[HistoryRow],
    key: str,
) -> EasyAdminExchangeResult:
    """The line was exchanged before: by a click of ours whose answer was lost, or by
    someone. For the product asked: done, nothing clicked. For another: refused."""
    exchange_order = next((o for o in family.exchange_orders if o.line(item.line)), None)
    seeing = Seeing(line=line, row=earlier[0] if earlier else None, exchange_order=exchange_order)
    after = after_of(seeing, line.state)
    if after is not None:
        matches = same_text(after.product, item.product) and (
            item.option is None or same_text(after.option, item.option)
        )
    elif seeing.row is not None and (sides := exchange_sides(seeing.row.text)):
        matches = names(sides[1], item.product, item.option or "")
    else:
        matches = False
    ours = False if item.dry_run else ctx.found_done(key)
    if not matches:
        said = f'C/S이력 "{seeing.row.words}"' if seeing.row else f"C/S {line.cs}"
        raise Refusal(
            f"{item.line} was exchanged already ({said}), not for {item.product}"
            + (f" {item.option}" if item.option else "")
            + ": a person must look",
            status="exchanged_otherwise",
        )
    before = None if line.state in IN_PLACE else _product(line)
    status = "exchanged" if ours else "already_exchanged"
    return _result(item, family.original, line.state, status, before, after, seeing)


def after_of(seeing: Seeing, state: str) -> Product | None:
    """The product the line was exchanged for, as the portal shows it now: the line itself
    (replaced in place) or the 교환주문's line."""
    if state in IN_PLACE:
        return _product(seeing.line) if seeing.line and seeing.line.cs == "교환" else None
    if seeing.exchange_order is None or seeing.line is None:
        return None
    new = seeing.exchange_order.line(seeing.line.line)
    return _product(new) if new else None


def _product(line: ProductLine) -> Product:
    return Product(product=line.product, option=line.option, quantity=line.quantity)


def _result(
    item: EasyAdminExchange,
    original: LoadedOrder,
    state: str,
    status: str,
    before: Product | None,
    after: Product | None,
    seeing: Seeing,
) -> EasyAdminExchangeResult:
    """The result: `state` the line's 상태 before the exchange, `before` and `after` the
    products (None where the portal no longer shows one)."""
    new_order = seeing.exchange_order.number if seeing.exchange_order else None
    hold = seeing.line.hold if seeing.line else None
    was = f" ({before.product} {before.option})" if before else ""
    what = f"{item.line}{was} for {after.product} {after.option}" if after else item.line
    if status == "dry_run":
        message = f"would exchange {what}; nothing changed"
    elif status == "already_exchanged":
        message = (
            f"{item.line} was exchanged before"
            + (f" for {after.product} {after.option}" if after else "")
            + "; nothing changed"
        )
    else:
        message = (
            f"exchanged {what}"
            + (f"; new 교환주문 관리번호 {new_order}" if new_order else "")
            + ("; the order is on 보류" if hold else "")
        )
    made = status in ("dry_run", "exchanged")
    return EasyAdminExchangeResult(
        status=status,
        message=message,
        changes=[f"exchange {what}"] if made else [],
        order=item.order,
        line=item.line,
        management_number=original.number,
        state=state,
        mode="in_place" if state in IN_PLACE else "new_order",
        before=before,
        after=after,
        exchange_order=new_order,
        hold=hold,
        cs_text=item.cs_text if made else None,
        history=seeing.row.words if seeing.row else None,
    )


def exchange_key(order: str, line: str) -> str:
    return f"{order}/{line}/exchange"


FLOW = Flow(
    name="easyadmin.exchange", portal=EASYADMIN, input_model=EasyAdminExchange, run=exchange
)
