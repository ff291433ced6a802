"""easyadmin.process_exchange — a Cafe24 order's exchange, in EasyAdmin and Cafe24, to its end.

The seller's procedure (seed 002), as one durable run (portalpilot/_procedure.py):

1. Cafe24: does the admin have an exchange for the line ("교환 정보")? Then it is mode b
   (카페24와 이지어드민 모두), otherwise mode a (이지어드민에서만). The robot never makes an
   exchange in Cafe24.
2. EasyAdmin: the original order not collected yet means nothing is done (Cafe24's
   exchange arrives with its new line at the next collection): done, `not_collected`.
   Collected: the recipient must be the same in both systems (name and mobile), and in
   mode b the product asked must be the one of Cafe24's exchange; a disagreement is a
   refusal naming both values and both systems, before any change.
3. `easyadmin.exchange` in the CS window (one found made before is verified, not redone).
4. Once the exchanged product has shipped (배송, with a 송장번호): mode a, one 스마트알림
   "교환 안내" (`easyadmin.notify_exchange`); mode b, EasyAdmin's carrier and number typed
   into the last line of Cafe24's chain (`cafe24.enter_tracking`).

Not shipped yet, the run is done for now with `waiting_for_shipment` (exit 0), saying
what remains; the same command, once the warehouse has shipped, verifies the exchange
and finishes (`Waiting`: a run that is not final).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from flows._kr_fields import same_text
from flows.easyadmin_exchange import EasyAdminExchange
from portalpilot import FlowOutput, Outcome
from portalpilot._procedure import Disagreement, Procedure, Steps, Stopped, Waiting

WAITING = "waiting_for_shipment"


def digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


class EasyAdminProcessExchange(EasyAdminExchange):
    """Process a Cafe24 order's exchange: EasyAdmin's exchange, then its 스마트알림 (mode a)
    or its tracking number typed into Cafe24 (mode b), once it ships."""

    @property
    def key(self) -> str:
        return f"{self.order}/{self.line}/process-exchange"


class EasyAdminProcessResult(FlowOutput):
    order: str
    line: str
    mode: str = Field(
        description="As Cafe24 tells: b (its own exchange of the line; the number is typed "
        "into Cafe24) or a (none; a 스마트알림)."
    )
    management_number: str | None = Field(description="관리번호 of the original order.")
    exchange_order: str | None = Field(
        description="관리번호 of the order holding the exchanged product (the original when "
        "replaced in place)."
    )
    carrier: str | None = Field(description="택배사 of the exchanged product, once shipped.")
    tracking: str | None = Field(description="송장번호 of the exchanged product, once shipped.")
    cafe24_line: str | None = Field(description="The Cafe24 line the number goes on (mode b).")


def process(steps: Steps, item: EasyAdminProcessExchange) -> EasyAdminProcessResult:
    """Process a Cafe24 order's exchange in EasyAdmin and Cafe24, each step once."""
    where = {"order": item.order, "line": item.line}

    # 1. Cafe24: its own exchange of the line, or none (the mode).
    cafe24 = steps.run("cafe24.read_exchange", where).fields()
    mode = str(cafe24["mode"])

    # 2. EasyAdmin: collected or not; the same recipient; in mode b, the same product.
    read = steps.run("easyadmin.read_order", where, stop_unless_done=False)
    if read.status == "not_collected":
        return _result(
            steps,
            item,
            "not_collected",
            f"{item.order} is not in EasyAdmin yet (not collected): nothing is done there; "
            + (
                f"Cafe24's exchange ({' → '.join(cafe24['chain'])}) arrives with its new line "
                "at the next collection"
                if cafe24["exchanged"]
                else "the order arrives with the next collection, then run this again"
            ),
            mode,
            {},
            cafe24,
        )
    if read.outcome is not Outcome.DONE:
        raise Stopped(read)
    easyadmin = read.fields()
    cross_check(item, cafe24, easyadmin)

    # 3. The exchange in EasyAdmin's CS window (one made before: verified, not redone).
    exchange = exchange_values(item)
    if item.dry_run:
        plan = steps.run("easyadmin.exchange", {**exchange, "dry_run": True})
        return _result(steps, item, "dry_run", plan.message, mode, easyadmin, cafe24)
    made = steps.run("easyadmin.exchange", exchange)
    if made.status != "already_exchanged":
        easyadmin = steps.run("easyadmin.read_order", where).fields()

    # 4. Once it has shipped: the notice (mode a) or the number typed into Cafe24 (mode b).
    shipped = easyadmin.get("exchanged") or {}
    if not easyadmin["shipped"]:
        what = (
            "one 스마트알림 교환 안내"
            if mode == "a"
            else (f"its 택배사 and 송장번호 typed into Cafe24 {cafe24['last_line']}")
        )
        holder = easyadmin.get("exchanged_on")
        raise Waiting(
            f"{item.line} is exchanged in EasyAdmin"
            + (f" (관리번호 {holder})" if holder else "")
            + f", not shipped yet ({shipped.get('state') or 'no 상태'}, no 송장번호); "
            f"mode {mode}: once it is 배송, {what}; run the same command again then",
            status=WAITING,
        )
    if mode == "a":
        sent = steps.run("easyadmin.notify_exchange", where)
        return _result(steps, item, "notified", sent.message, mode, easyadmin, cafe24)
    entered = steps.run(
        "cafe24.enter_tracking",
        {**where, "carrier": shipped["carrier"], "number": shipped["tracking"]},
    )
    return _result(steps, item, "tracking_entered", entered.message, mode, easyadmin, cafe24)


def exchange_values(item: EasyAdminProcessExchange) -> dict[str, Any]:
    values = item.model_dump(
        mode="json", include={"order", "line", "product", "option", "code", "quantity", "cs_text"}
    )
    return {name: value for name, value in values.items() if value is not None}


def cross_check(
    item: EasyAdminProcessExchange, cafe24: dict[str, Any], easyadmin: dict[str, Any]
) -> None:
    """Before any change: the same order, the same recipient (name and mobile) in both
    systems; in mode b, the product asked is the one Cafe24's exchange has."""
    if easyadmin["order"] != cafe24["order"]:
        raise Disagreement(
            f"the order differs: EasyAdmin says {easyadmin['order']} (관리번호 "
            f"{easyadmin['management_number']}), Cafe24 says {cafe24['order']}",
            status="order_mismatch",
        )
    ez_name, ez_mobile = easyadmin["recipient"], easyadmin["mobile"]
    c24_name, c24_mobile = cafe24["recipient"], cafe24["recipient_mobile"]
    same_name = c24_name is None or same_text(ez_name, c24_name)
    if not same_name or digits(ez_mobile) != digits(c24_mobile):
        raise Disagreement(
            f"the recipient of {item.order} differs: EasyAdmin (관리번호 "
            f"{easyadmin['management_number']}) says {ez_name} {ez_mobile}, Cafe24 says "
            f"{c24_name or '(no name read)'} {c24_mobile}",
            status="recipient_mismatch",
        )
    if cafe24["exchanged"]:
        product, option = cafe24["product"], cafe24["option"]
        if not same_text(product, item.product) or (
            item.option is not None and not same_text(option, item.option)
        ):
            asked = f"{item.product} {item.option or ''}".strip()
            raise Disagreement(
                f"the new product differs: EasyAdmin is asked to exchange {item.line} for "
                f"{asked}, Cafe24's exchange ({' → '.join(cafe24['chain'])}) is "
                f"{product} {option}",
                status="product_mismatch",
            )


def _result(
    steps: Steps,
    item: EasyAdminProcessExchange,
    status: str,
    said: str,
    mode: str | None,
    easyadmin: dict[str, Any],
    cafe24: dict[str, Any],
) -> EasyAdminProcessResult:
    shipped = easyadmin.get("exchanged") or {}
    on_cafe24 = cafe24.get("last_line") if mode == "b" else None
    if status == "notified":
        message = f"{item.line} exchanged in EasyAdmin and shipped; mode a: {said}"
    elif status == "tracking_entered":
        message = f"{item.line} exchanged in EasyAdmin and shipped; mode b: {said}"
    elif status == "dry_run":
        message = f"mode {mode}: {said}"
    else:
        message = said
    planned = status == "dry_run"  # a dry run lists what its plans would change
    changes = [c for step in steps.done if step.dry_run == planned for c in step.changes]
    return EasyAdminProcessResult(
        status=status,
        message=message,
        changes=changes,
        order=item.order,
        line=item.line,
        mode=mode,
        management_number=easyadmin.get("management_number"),
        exchange_order=easyadmin.get("exchanged_on"),
        carrier=shipped.get("carrier") or None,
        tracking=shipped.get("tracking") or None,
        cafe24_line=on_cafe24,
    )


PROCEDURE = Procedure(
    name="easyadmin.process_exchange",
    command="process-exchange",
    input_model=EasyAdminProcessExchange,
    run=process,
    flows=(
        "easyadmin.read_order",
        "cafe24.read_exchange",
        "easyadmin.exchange",
        "easyadmin.notify_exchange",
        "cafe24.enter_tracking",
    ),
)
