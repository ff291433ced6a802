"""easyadmin.notify_exchange — tell the customer of an exchange by 스마트알림, once.

The seller's procedure (seed 002, mode a): when the exchange is made in EasyAdmin only,
the Cafe24 order still shows the old product ("교환 미반영"), so an exchange notice
("교환 안내") is sent through EasyAdmin's smart notification service. One per exchange:
an earlier "스마트알림: 교환 안내" in C/S이력 after the exchange means it was sent, and it
is not sent again (the portal would allow it).

In the CS window: search the 주문번호, load the order, pick the exchanged line,
"스마트알림", template "교환 안내", the recipient's mobile in "수신번호", the preview checked
(the recipient and the new product), "전송"; then C/S이력 is read back.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from flows._kr_fields import Cafe24Order, LineNumber, full_line
from flows.easyadmin_exchange import (
    IN_PLACE,
    Family,
    exchanges_of,
    find_family,
    not_collected,
    other_order,
    show_original,
)
from pages._korean import digits
from pages.easyadmin import EASYADMIN, CsWindow, HistoryRow, NotificationDialog, ProductLine
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

TEMPLATE = "교환 안내"
NOTICE = "스마트알림"


class EasyAdminNotifyExchange(FlowInput):
    """Send the customer one 스마트알림 "교환 안내" about the exchange of a line."""

    order: Annotated[
        Cafe24Order,
        Cli(argument=True),
        Field(description="The Cafe24 order number (주문번호), e.g. 20250304-0000104."),
    ]
    line: Annotated[
        LineNumber,
        Field(
            description="The exchanged line: its 주문상세번호 in EasyAdmin, e.g. "
            "20250304-0000104-01, or only its last part, e.g. 01."
        ),
    ]

    @model_validator(mode="after")
    def _whole_line(self) -> EasyAdminNotifyExchange:
        self.line = full_line(self.order, self.line)
        return self

    @property
    def subject(self) -> str:
        return self.order

    @property
    def key(self) -> str:
        return notice_key(self.order, self.line)


class EasyAdminNotifyResult(FlowOutput):
    order: str
    line: str
    management_number: str = Field(description="관리번호 of the order it is sent from.")
    exchange_order: str | None = Field(
        description="관리번호 of the 교환주문, if the exchange made one."
    )
    template: str = TEMPLATE
    to: str | None = Field(description="수신번호: the recipient's mobile it is sent to.")
    preview: str | None = Field(description="The message as the dialog previewed it.")
    exchange: str = Field(description='The C/S이력 row "상품교환" this notice is about.')
    history: str | None = Field(description="The C/S이력 row of the notice sent (or found).")


def is_notice(row: HistoryRow) -> bool:
    """ "스마트알림: 교환 안내" (구분 and 내용, however the portal splits them)."""
    words = row.words.replace(" ", "")
    return NOTICE in words and TEMPLATE.replace(" ", "") in words


def notices_after(family: Family, exchange: HistoryRow) -> list[HistoryRow]:
    """The notices sent after the exchange: above its row in the original's C/S이력
    (newest first), and any in its 교환주문's (made by the exchange)."""
    history = list(family.original.history)
    above = history[: history.index(exchange)]
    found = [row for row in above if is_notice(row)]
    for order in family.exchange_orders:
        found += [row for row in order.history if is_notice(row)]
    return found


def notify_exchange(ctx: FlowContext, item: EasyAdminNotifyExchange) -> EasyAdminNotifyResult:
    """Send one 스마트알림 "교환 안내" per exchange of a line, exactly once."""
    refused = other_order(item.order, item.line)
    if refused:
        raise refused
    cs = CsWindow(ctx.page).open(ctx.base_url)
    family = find_family(cs, item.order, item.line)
    if family is None:
        raise not_collected(item.order)
    exchange = exchange_row(family, item)
    key = notice_key(item.order, item.line)
    sent = notices_after(family, exchange)
    if sent:
        ours = False if item.dry_run else ctx.found_done(key)
        return _result(item, family, exchange, "sent" if ours else "already_sent", sent[0])

    shipped = shipped_line(family, item.line)
    if shipped is None:
        raise Refusal(
            f"the exchange of {item.line} ({exchange.words}) has not shipped yet: its notice "
            "would say 송장번호 미등록; send it once the exchanged product is 배송",
            status="not_shipped",
        )

    change = notice_change(ctx, item, family, exchange)
    if not item.dry_run and ctx.clicked_before(key) and ctx.check(change) is Seen.DONE:
        done = exchange_row(read_family(ctx, item, family), item)
        return _result(item, family, done, "sent", None)

    cs = CsWindow(ctx.page)
    show_original(cs, family)
    dialog = open_dialog(cs, item, family)
    to, preview = dialog.number(), dialog.preview()
    if item.dry_run:
        dialog.cancel()
        return _result(item, family, exchange, "dry_run", None, to, preview)

    def click() -> Reply:
        filled = dialog
        if not filled.dialog.is_visible():
            page = CsWindow(ctx.page).open(ctx.base_url)
            page.search(item.order, by="주문번호", period="6개월")
            page.load(family.original.number)
            filled = open_dialog(page, item, family)
        return filled.send()

    # "전송", through the runner's commit guard: recorded before the click, read back in
    # C/S이력 after it, never clicked again without a reading that it did not happen.
    committed = ctx.commit(change, click)
    ctx.log.info("portal answered: {}", committed.reply.message)
    if committed.seen is Seen.ABSENT:
        if committed.reply.answer is Answer.REFUSED:
            raise Refusal(
                f"EasyAdmin refused the 스마트알림 to {to}: {committed.reply.message}",
                status="refused",
            )
        said = committed.reply.message
        raise PortalFailure(f"the 스마트알림 of {item.line} was not sent ({said})")
    now = read_family(ctx, item, family)
    after = notices_after(now, exchange_row(now, item))
    return _result(item, family, exchange, "sent", after[0] if after else None, to, preview)


def exchange_row(family: Family, item: EasyAdminNotifyExchange) -> HistoryRow:
    """The latest "상품교환" of the line; none is refused: there is nothing to announce."""
    line = family.original.line(item.line)
    assert line is not None
    rows = exchanges_of(family.original, line)
    if line.cs != "교환" or not rows:
        raise Refusal(
            f"{item.line} has not been exchanged in EasyAdmin (C/S {line.cs}"
            + (", no C/S이력 상품교환" if not rows else "")
            + "): there is no exchange to announce",
            status="not_exchanged",
        )
    return rows[0]


def open_dialog(cs: CsWindow, item: EasyAdminNotifyExchange, family: Family) -> NotificationDialog:
    """ "스마트알림" with the line chosen, template "교환 안내"; the number must be the
    recipient's mobile and the preview must name the recipient and the new product."""
    original = family.original
    dialog = cs.start_notification(item.line)
    dialog.choose_template(TEMPLATE)
    number, mobile = dialog.number(), original.info.mobile
    if not digits(number):
        who = original.info.recipient
        raise Refusal(f"수신번호 is empty: {who} has no mobile", status="no_mobile")
    if digits(number) != digits(mobile):
        raise Refusal(
            f"수신번호 holds {number}, not the recipient's mobile {mobile}: a person must look",
            status="number_mismatch",
        )
    preview = dialog.preview()
    product = new_product(family, item.line)
    missing = [w for w in (original.info.recipient, product) if w and w not in preview]
    if missing:
        absent = ", ".join(missing)
        raise PortalFailure(f"the 스마트알림 preview does not name {absent}: {preview!r}")
    return dialog


def shipped_line(family: Family, line: str) -> ProductLine | None:
    """The line that carries the new product, when it has shipped (배송, with a 송장번호):
    the line itself (replaced in place), or the newest 교환주문's; None when not yet."""
    kept = family.original.line(line)
    if family.exchange_orders:
        made = [o.line(line) for o in family.exchange_orders]
        found = [one for one in made if one is not None]
        carrier = found[-1] if found else None
    else:
        carrier = kept if kept is not None and kept.cs == "교환" else None
    if carrier is None or carrier.state != "배송" or not carrier.tracking:
        return None
    return carrier


def new_product(family: Family, line: str) -> str | None:
    """The product the line was exchanged for: the line itself (replaced in place), or the
    교환주문's line."""
    kept = family.original.line(line)
    if kept is not None and kept.state in IN_PLACE and kept.cs == "교환":
        return kept.product
    for order in family.exchange_orders:
        found = order.line(line)
        if found is not None:
            return found.product
    return None


def read_family(ctx: FlowContext, item: EasyAdminNotifyExchange, before: Family) -> Family:
    cs = CsWindow(ctx.page).open(ctx.base_url)
    family = find_family(cs, item.order, item.line)
    if family is None or family.original.number != before.original.number:
        raise PortalFailure(f"{item.order} no longer shows 관리번호 {before.original.number}")
    return family


def notice_change(
    ctx: FlowContext, item: EasyAdminNotifyExchange, family: Family, exchange: HistoryRow
) -> Change:
    """The notice, and how to see it: a "스마트알림: 교환 안내" after the exchange in C/S이력;
    none, not sent."""

    def read() -> Seen:
        now = read_family(ctx, item, family)
        return Seen.DONE if notices_after(now, exchange_row(now, item)) else Seen.ABSENT

    what = f'the 스마트알림 "{TEMPLATE}" of {item.line} ({exchange.words})'
    return Change(key=notice_key(item.order, item.line), read=read, what=what)


def _result(
    item: EasyAdminNotifyExchange,
    family: Family,
    exchange: HistoryRow,
    status: str,
    row: HistoryRow | None,
    to: str | None = None,
    preview: str | None = None,
) -> EasyAdminNotifyResult:
    what = f'the 스마트알림 "{TEMPLATE}" for {item.line}' + (f" to {to}" if to else "")
    if status == "dry_run":
        message = f"would send {what}; nothing sent"
    elif status == "already_sent":
        said = row.words if row else TEMPLATE
        message = f'{item.line}: "{said}" was sent after the exchange; not sent again'
    else:
        message = f"sent {what}"
    exchange_order = next((o.number for o in family.exchange_orders if o.line(item.line)), None)
    return EasyAdminNotifyResult(
        status=status,
        message=message,
        changes=[f"send {what}"] if status in ("dry_run", "sent") else [],
        order=item.order,
        line=item.line,
        management_number=family.original.number,
        exchange_order=exchange_order,
        to=to,
        preview=preview,
        exchange=exchange.words,
        history=row.words if row else None,
    )


def notice_key(order: str, line: str) -> str:
    return f"{order}/{line}/smart-notification/{TEMPLATE}"


FLOW = Flow(
    name="easyadmin.notify_exchange",
    portal=EASYADMIN,
    input_model=EasyAdminNotifyExchange,
    run=notify_exchange,
)
