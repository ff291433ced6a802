"""Flows: one business transaction each, with its input model, its steps and its decisions.

Every module here that defines `FLOW` is a flow; `portalpilot/_registry.py` finds them, so
a new flow is a new file and nothing else.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # `from flows import FLOWS`, imported on first use so that importing one flow
    # module does not import every other.
    if name == "FLOWS":
        from portalpilot._registry import flows

        return flows()
    raise AttributeError(name)
