"""The tools an agent sees: one per flow, plus the ledger's; names, words and annotations.

Descriptions are written for a model: what the tool does, when to use it, and for tools
that change a portal, the plan-then-apply dialogue it must follow. Annotations are set
truthfully on every tool, since clients decide from them when to ask their user first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp_types import Tool, ToolAnnotations

from portalpilot._agent.schema import input_schema
from portalpilot._flow import Flow
from portalpilot._registry import is_procedure

RUNS_LIST = "runs_list"
RUN_SHOW = "run_show"


def tool_name(flow: Flow[Any]) -> str:
    return flow.name.replace(".", "_")


def _title(flow: Flow[Any]) -> str:
    action = flow.name.split(".", 1)[1].replace("_", " ")
    return f"{flow.portal.title}: {action}"


def _where(flow: Flow[Any]) -> str:
    """The systems a tool works in: a flow's portal, or every system of a procedure."""
    if is_procedure(flow):
        systems: list[str] = flow.systems  # type: ignore[attr-defined]
        return ", ".join(systems[:-1]) + " and " + systems[-1]
    return f"the {flow.portal.title}"


def _description(flow: Flow[Any], minutes: float) -> str:
    name = tool_name(flow)
    where = _where(flow)
    parts = [flow.summary]
    if flow.input_model.__doc__:
        parts.append(" ".join(flow.input_model.__doc__.split()))
    if not flow.changes_state:
        parts.append(f"Read-only: it only reads {where}; nothing is changed.")
        return "\n\n".join(parts)
    if is_procedure(flow):
        parts.append(
            f"A procedure: one call works in {where}, each step once, in the seller's order; "
            "the plan is every system's plan, cross-checked, and a disagreement between two "
            "systems is a refusal that changes nothing anywhere. Its answer lists every step."
        )
    parts.append(
        f"This changes {where} for real, so it works in two steps.\n"
        "1. Plan: call it WITHOUT `confirmation`. Nothing changes. The answer is the plan "
        "(what the portal shows now: order, customer, lines, amounts; and exactly what will "
        "change) and a `confirmation` token.\n"
        "2. Apply: show the plan to your user; if they agree, call it again with exactly the "
        f"same arguments plus `confirmation` set to that token. A token works once, for those "
        f"arguments only, for {minutes:g} minutes, and is refused if the portal changed "
        "since the plan (then plan again).\n"
        "Some actions also need a person's approval: the plan says so, and the apply is "
        "refused until an operator approves the token. Never make up a token. Limits set "
        "by the operator (amounts, actions per day, reasons) may refuse an action: say so "
        f"to your user; do not retry it. Calling {name} twice for the same order (line) "
        "never changes it twice."
    )
    return "\n\n".join(parts)


def flow_tool(flow: Flow[Any], minutes: float) -> Tool:
    title = _title(flow)
    return Tool(
        name=tool_name(flow),
        title=title,
        description=_description(flow, minutes),
        input_schema=input_schema(flow, minutes),
        annotations=ToolAnnotations(
            title=title,
            read_only_hint=not flow.changes_state,
            # Refunds, status changes and messages cannot be taken back.
            destructive_hint=flow.changes_state,
            # Exactly once per order line: the same call again changes nothing more.
            idempotent_hint=True,
            open_world_hint=True,  # a third party's web portal
        ),
    )


_LEDGER = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def ledger_tools() -> list[Tool]:
    return [
        Tool(
            name=RUNS_LIST,
            title="Recent runs",
            description="The latest runs recorded in portalpilot's ledger, newest first: CLI "
            "commands, batches and agent calls, with their flow, source and counts of items "
            "done, refused and failed. Read-only; it does not touch any portal. Use run_show "
            "for one run's items and results.",
            input_schema={
                "type": "object",
                "properties": {
                    "limit": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 200,
                        "default": 20,
                        "description": "How many runs, newest first.",
                    }
                },
                "additionalProperties": False,
            },
            annotations=_LEDGER.model_copy(update={"title": "Recent runs"}),
        ),
        Tool(
            name=RUN_SHOW,
            title="One run",
            description="One run of the ledger and each of its items: input, status, attempts "
            "and the full result (amounts, lines, messages, evidence paths). Read-only; it "
            "does not touch any portal.",
            input_schema={
                "type": "object",
                "properties": {
                    "run_id": {
                        "type": "string",
                        "description": "A run id, as runs_list or a tool's answer gives it.",
                    }
                },
                "required": ["run_id"],
                "additionalProperties": False,
            },
            annotations=_LEDGER.model_copy(update={"title": "One run"}),
        ),
    ]


@dataclass(frozen=True)
class Catalog:
    """Every tool, built once at start: flows appear as `FLOWS` lists them."""

    flows: dict[str, Flow[Any]]  # by tool name
    tools: list[Tool]

    @classmethod
    def of(cls, flows: dict[str, Flow[Any]], minutes: float) -> Catalog:
        by_tool = {tool_name(flow): flow for flow in flows.values()}
        tools = [flow_tool(flow, minutes) for flow in by_tool.values()] + ledger_tools()
        return cls(by_tool, tools)
