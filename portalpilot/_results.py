"""The one result object: CLI JSON, batch report rows and agent answers all use it."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    INVALID = "invalid"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]


_EXIT_CODES = {
    Outcome.DONE: 0,
    Outcome.REFUSED: 1,
    Outcome.INVALID: 2,
    Outcome.FAILED: 3,
    Outcome.UNKNOWN: 4,
}


class FlowOutput(BaseModel):
    """What a flow returns when it finished: its status word, a sentence, its own fields.

    `amount` and `changes` are declared here, typed, for every flow: the operator's
    policy limits amounts, agents' plans show what will change, reports and audits say
    what did; none of them guesses from a flow's own field names.
    """

    status: str
    message: str
    amount: Decimal | None = Field(
        None, description="Money this moved (or would, on a dry run); None: it moves none."
    )
    changes: list[str] = Field(
        default_factory=list,
        description="What this changed in the portal (or would, on a dry run), one line each; "
        "empty when nothing changed.",
    )


class Result(BaseModel):
    """Common fields first; the flow's own fields (amount, lines...) are kept as extras."""

    model_config = ConfigDict(extra="allow")

    flow: str
    status: str
    outcome: Outcome
    reference: str
    message: str
    account: str | None = None
    dry_run: bool = False
    evidence: list[str] = Field(default_factory=list)
    attempts: int = 0
    duration_s: float = 0.0
    run_id: str | None = None

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code

    def fields(self) -> dict[str, Any]:
        """The flow's own fields, without the common ones."""
        return dict(self.model_extra or {})
