"""`runs_list` and `run_show`: the ledger, read-only, for an agent to check what was done."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portalpilot._agent.answers import Answer, ToolRefusal
from portalpilot._cli_inputs import describe_errors
from portalpilot._ledger import Ledger

M = TypeVar("M", bound=BaseModel)


class RunsList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(20, ge=1, le=200)


class RunShow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    run_id: str = Field(min_length=1)


def _parse(model: type[M], arguments: dict[str, Any]) -> M:
    try:
        return model.model_validate(arguments)
    except ValidationError as error:
        problems = describe_errors(error)
        raise ToolRefusal(
            "invalid",
            "; ".join(f"{p['field']}: {p['value']!r} — {p['problem']}" for p in problems),
            outcome="invalid",
            errors=problems,
        ) from None


def runs_list(ledger: Ledger, arguments: dict[str, Any]) -> Answer:
    query = _parse(RunsList, arguments)
    runs = ledger.runs(query.limit)
    return Answer({"status": "ok", "runs": runs}, "read")


def run_show(ledger: Ledger, arguments: dict[str, Any]) -> Answer:
    query = _parse(RunShow, arguments)
    run = ledger.run(query.run_id)
    if run is None:
        raise ToolRefusal(
            "not_found", f"no run {query.run_id!r} in the ledger; runs_list gives the latest"
        )
    items = [
        {
            "row": item.row,
            "item": item.item_key,
            "input": item.input,
            "status": item.status.value,
            "attempts": item.attempts,
            "result": item.result,
        }
        for item in ledger.items(query.run_id)
    ]
    return Answer({"status": "ok", "run": run, "items": items}, "read", run_id=query.run_id)
