"""What a tool call answers: a result the model reads, or a tool error it can act on.

Both carry one JSON object (also the audit row's `answer`): `status`, `message` and,
where there is one, the next step. Refusals are tool errors (`isError`), not protocol
errors, so the model sees why and can tell its user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mcp_types import CallToolResult, TextContent


@dataclass
class Answer:
    """A call that went through: a plan, a result, a read."""

    payload: dict[str, Any]
    outcome: str  # for the audit: planned, done, refused, failed, unknown, read
    token: str | None = None
    plan: dict[str, Any] | None = None
    run_id: str | None = None


class ToolRefusal(Exception):
    """A call refused or failed, with what to do about it; nothing was changed by it."""

    def __init__(
        self,
        status: str,
        message: str,
        *,
        outcome: str = "refused",
        token: str | None = None,
        plan: dict[str, Any] | None = None,
        run_id: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.outcome = outcome
        self.token = token
        self.plan = plan
        self.run_id = run_id
        self.details = details

    def answer(self) -> Answer:
        payload = {
            "status": self.status,
            "outcome": self.outcome,
            "message": self.message,
            **self.details,
        }
        return Answer(payload, self.outcome, self.token, self.plan, self.run_id)


@dataclass
class Scrubber:
    """Masks secret values in anything sent to a client: a second line of defence."""

    secrets: list[str] = field(default_factory=list)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, "***")
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        # JSON first, so that every value (Decimal, date, Path...) is plain text to search.
        plain: dict[str, Any] = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
        cleaned: dict[str, Any] = self.value(plain)
        return cleaned


def to_result(payload: dict[str, Any], *, error: bool) -> CallToolResult:
    """One JSON object, as text (every client shows it) and as structured content."""
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=payload,
        is_error=error,
    )
