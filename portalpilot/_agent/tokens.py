"""Confirmation tokens: proof that an apply is exactly what was planned, once, in time.

A token is bound to a hash of the validated input and a hash of the plan (what the dry
run read: order, customer, lines, amounts). It lives in the ledger, so the approvals CLI
(another process) sees it. It proves only that the apply matches the plan, since a model
can pass it back by itself; a person's say-so is `require_approval` (see `approvals`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portalpilot._agent.answers import ToolRefusal
from portalpilot._flow import Flow, FlowInput
from portalpilot._ledger import Ledger, stamp
from portalpilot._results import Result

APPROVE = "portalpilot approvals approve {token}"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def input_of(item: FlowInput) -> dict[str, Any]:
    """The validated input as planned and applied (a plan is always a dry run)."""
    data: dict[str, Any] = item.model_dump(mode="json", exclude={"dry_run"})
    return data


def input_hash(flow: Flow[Any], item: FlowInput) -> str:
    return _digest([flow.name, input_of(item)])


def plan_of(result: Result) -> dict[str, Any]:
    """What a plan promises: the order as read and what will change (no timings)."""
    plan: dict[str, Any] = result.model_dump(
        mode="json", exclude={"outcome", "dry_run", "evidence", "attempts", "duration_s", "run_id"}
    )
    return plan


def plan_hash(result: Result) -> str:
    # The message words the same facts; the facts themselves are what must not change.
    return _digest({k: v for k, v in plan_of(result).items() if k != "message"})


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: str
    approval: str  # not_required or waiting


def issue(
    ledger: Ledger,
    flow: Flow[Any],
    item: FlowInput,
    plan: Result,
    *,
    client: str | None,
    minutes: float,
    approval_required: bool,
) -> Issued:
    token = "pp-" + secrets.token_urlsafe(12)
    now = datetime.now()
    expires_at = stamp(now + timedelta(minutes=minutes))
    approval = "waiting" if approval_required else "not_required"
    ledger.add_confirmation(
        {
            "token": token,
            "flow": flow.name,
            "account": plan.account or "",
            "subject": item.subject,
            "input_hash": input_hash(flow, item),
            "input": json.dumps(input_of(item), ensure_ascii=False),
            "plan_hash": plan_hash(plan),
            "plan": json.dumps(plan_of(plan), ensure_ascii=False),
            "client": client,
            "approval": approval,
            "state": "open",
            "created_at": stamp(now),
            "expires_at": expires_at,
        }
    )
    return Issued(token, expires_at, approval)


def check(
    record: dict[str, Any] | None,
    token: str,
    flow: Flow[Any],
    item: FlowInput,
    *,
    approval_required: bool,
) -> dict[str, Any]:
    """The token's record if it may apply this input now; else a ToolRefusal saying why."""
    tool = flow.name.replace(".", "_")
    if record is None:
        raise ToolRefusal(
            "token_unknown",
            f"confirmation {token!r} is unknown. Call {tool} without `confirmation` to get "
            "a plan and its token; never make one up.",
        )
    if record["flow"] != flow.name or record["input_hash"] != input_hash(flow, item):
        raise ToolRefusal(
            "token_other_input",
            f"confirmation {token} was issued for another input ({record['flow']} "
            f"{record['subject']}: {record['input']}); a token applies only to exactly the "
            f"arguments that were planned. Nothing was changed. Call {tool} without "
            "`confirmation` to plan this input.",
        )
    if record["state"] in ("used", "applying"):
        when = f" at {record['used_at']}" if record["used_at"] else ""
        raise ToolRefusal(
            "token_used",
            f"confirmation {token} was already used{when}"
            + (f" (run {record['run_id']})" if record["run_id"] else "")
            + "; a token applies once. Nothing was changed now.",
            run_id=record["run_id"],
        )
    if record["state"] == "stale":
        raise ToolRefusal(
            "token_stale",
            f"confirmation {token} is stale: the portal changed after its plan. Nothing was "
            f"changed. Call {tool} without `confirmation` for a fresh plan.",
        )
    if record["expires_at"] <= stamp(datetime.now()):
        raise ToolRefusal(
            "token_expired",
            f"confirmation {token} expired at {record['expires_at']}. Nothing was changed. "
            f"Call {tool} without `confirmation` for a fresh plan.",
        )
    if record["approval"] == "rejected":
        raise ToolRefusal(
            "rejected",
            f"a person rejected this action ({record['decided_by']} at "
            f"{record['decided_at']}); it will not be applied. Tell your user.",
        )
    if record["approval"] == "not_required" and approval_required:
        raise ToolRefusal(
            "approval_required",
            "the operator's policy now requires a person's approval for this action, which "
            f"its plan did not ask for. Nothing was changed. Call {tool} without "
            "`confirmation` to plan it again; that plan will wait for approval.",
        )
    if record["approval"] == "waiting":
        raise ToolRefusal(
            "approval_required",
            "this action waits for a person's approval; nothing was changed. Ask an operator "
            f"to review it (`portalpilot approvals list`) and approve it: "
            f"`{APPROVE.format(token=token)}`. Then call {tool} again with the same arguments "
            "and the same confirmation.",
            confirmation=token,
        )
    return record
