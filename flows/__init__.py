"""Flows: one business transaction each, with its input model, its steps and its decisions."""

from __future__ import annotations

from typing import Any

from flows import (
    chopni_message,
    chopni_set_status,
    kogan_find_order,
    kogan_refund,
    mirakl_message,
    mirakl_overdue,
    mirakl_refund,
    mirakl_reply,
    mirakl_solve_incident,
)
from portalpilot import Flow

FLOWS: dict[str, Flow[Any]] = {
    flow.name: flow
    for flow in (
        kogan_refund.FLOW,
        kogan_find_order.FLOW,
        chopni_set_status.FLOW,
        chopni_message.FLOW,
        mirakl_refund.FLOW,
        mirakl_solve_incident.FLOW,
        mirakl_reply.FLOW,
        mirakl_message.FLOW,
        mirakl_overdue.FLOW,
    )
}

__all__ = ["FLOWS"]
