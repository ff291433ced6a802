"""A person's approval, out of band: `portalpilot approvals list | approve | reject`.

With `require_approval` on for a flow, a token proves the apply matches the plan, and an
approval proves that a person read that plan. The approval is given here, never through
the agent's own client (whose "yes" might be the model's), and it is recorded with the
operating-system user who gave it.
"""

from __future__ import annotations

import getpass
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from portalpilot._ledger import Ledger
from portalpilot._settings import Settings


class Undecidable(Exception):
    """The token cannot be approved or rejected (unknown: exit 2; not waiting: exit 1)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def waiting(settings: Settings) -> list[dict[str, Any]]:
    """Tokens waiting for a person, each with its input and plan."""
    ledger = Ledger.of(settings)
    try:
        rows = ledger.waiting_approval()
    finally:
        ledger.close()
    return [
        {
            "token": row["token"],
            "flow": row["flow"],
            "account": row["account"],
            "subject": row["subject"],
            "client": row["client"],
            "input": json.loads(row["input"]),
            "plan": json.loads(row["plan"]),
            "created_at": row["created_at"],
            "expires_at": row["expires_at"],
        }
        for row in rows
    ]


def decide(settings: Settings, token: str, *, approve: bool) -> str:
    """Approve or reject a waiting token; the sentence to print, or Undecidable."""
    who = getpass.getuser()
    ledger = Ledger.of(settings)
    try:
        if ledger.decide(token, "approved" if approve else "rejected", who):
            decided = ledger.confirmation(token) or {}
            verb = "approved" if approve else "rejected"
            then = (
                "the agent may now apply it, once, before " + str(decided.get("expires_at"))
                if approve
                else "it will never be applied"
            )
            what = f"{decided.get('flow')} {decided.get('subject')}"
            return f"{verb} {token} ({what}) as {who}: {then}"
        row = ledger.confirmation(token)
    finally:
        ledger.close()
    if row is None:
        raise Undecidable(f"no confirmation token {token!r} (see `portalpilot approvals list`)", 2)
    if row["approval"] == "not_required":
        why = "its flow needed no approval when it was planned"
    elif row["approval"] in ("approved", "rejected"):
        why = f"it was already {row['approval']} by {row['decided_by']} at {row['decided_at']}"
    elif row["state"] != "open":
        why = f"it is {row['state']}"
    else:
        why = f"it expired at {row['expires_at']}"
    raise Undecidable(f"{token} cannot be decided: {why}", 1)


def print_waiting(pending: list[dict[str, Any]], console: Console) -> None:
    if not pending:
        console.print("No planned action waits for approval.")
        return
    for entry in pending:
        plan = entry["plan"]
        console.print(
            f"[bold]{entry['token']}[/]  {entry['flow']} {entry['subject']}  "
            f"account {entry['account']}  asked by {entry['client'] or 'an agent'}  "
            f"at {entry['created_at'][:19]}, expires {entry['expires_at'][11:19]}",
            highlight=False,
        )
        console.print(f"  plan: {plan.get('message', '')}", highlight=False)
        lines = plan.get("lines")
        if isinstance(lines, list) and lines and all(isinstance(x, dict) for x in lines):
            table = Table(box=None, padding=(0, 2), show_edge=False)
            for column in lines[0]:
                table.add_column(column)
            for line in lines:
                table.add_row(*(str(v) for v in line.values()))
            console.print(table)
        given = ", ".join(f"{k}={v!r}" for k, v in entry["input"].items() if v not in (None, []))
        console.print(f"  input: {given}", highlight=False)
        console.print(
            f"  approve: portalpilot approvals approve {entry['token']}   "
            f"reject: portalpilot approvals reject {entry['token']}",
            style="dim",
            highlight=False,
        )
