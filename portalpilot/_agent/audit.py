"""The audit trail: every tool call in the ledger, whatever came of it.

One row per call (`agent_calls`): when, which client (its name from the MCP handshake),
which tool with which arguments, the plan it saw, the token, what it was answered, the
run it made. Flow runs are also ordinary ledger runs (source "agent"), so `portalpilot
runs list` shows them beside CLI and batch runs. Secret values are masked first.
"""

from __future__ import annotations

from typing import Any

from portalpilot._agent.answers import Answer, Scrubber
from portalpilot._ledger import Ledger


class Audit:
    def __init__(self, ledger: Ledger, scrub: Scrubber) -> None:
        self.ledger = ledger
        self.scrub = scrub

    def record(
        self,
        *,
        client: str | None,
        tool: str,
        arguments: dict[str, Any],
        answer: Answer,
        duration_s: float,
    ) -> None:
        self.ledger.record_call(
            client=client,
            tool=tool,
            arguments=self.scrub.payload(arguments),
            outcome=answer.outcome,
            answer=self.scrub.payload(answer.payload),
            # The token the call carried, even when it was refused (unknown, used...).
            token=answer.token or _token(arguments),
            plan=self.scrub.payload(answer.plan) if answer.plan is not None else None,
            run_id=answer.run_id,
            duration_s=duration_s,
        )


def _token(arguments: dict[str, Any]) -> str | None:
    value = arguments.get("confirmation")
    return value if isinstance(value, str) else None
