"""Flows: one business transaction each, with its input model, its steps and its decisions."""

from __future__ import annotations

from typing import Any

from flows import kogan_refund
from portalpilot import Flow

FLOWS: dict[str, Flow[Any]] = {flow.name: flow for flow in (kogan_refund.FLOW,)}

__all__ = ["FLOWS"]
