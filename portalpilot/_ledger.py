"""The ledger: every run and every item, in SQLite (WAL) under PORTALPILOT_STATE_DIR.

It is what makes batches resumable and exactly-once across runs: an item done in any
earlier run is not done again, and an item a crash left "in progress" is checked against
the portal before anything else happens to it. Only the thread that owns a Ledger writes
through it; plain SQL with `?` parameters keeps a shared PostgreSQL a small step away.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from portalpilot._results import Outcome, Result

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    flow        TEXT NOT NULL,
    source      TEXT NOT NULL,          -- cli, batch, agent
    origin      TEXT,                   -- the batch file, or the agent client's name
    dry_run     INTEGER NOT NULL DEFAULT 0,
    workers     INTEGER NOT NULL DEFAULT 1,
    state       TEXT NOT NULL,          -- running, finished, stopped
    note        TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    report      TEXT                    -- where the batch's report is written
);
CREATE TABLE IF NOT EXISTS items (
    run_id      TEXT NOT NULL REFERENCES runs(run_id),
    row         INTEGER NOT NULL,       -- line number in the batch file
    flow        TEXT NOT NULL,
    account     TEXT NOT NULL,
    item_key    TEXT NOT NULL,          -- the order (and lines) the item is about
    input       TEXT NOT NULL,          -- the validated input, JSON
    status      TEXT NOT NULL,          -- pending, in_progress, done, refused, duplicate,
                                        -- failed, unknown
    attempts    INTEGER NOT NULL DEFAULT 0,
    result      TEXT,                   -- the result object, JSON
    started_at  TEXT,
    finished_at TEXT,
    subject     TEXT,                   -- the order as typed (the result's reference)
    PRIMARY KEY (run_id, row)
);
CREATE INDEX IF NOT EXISTS items_by_key ON items (flow, account, item_key, status);
-- Agent tools: a plan's confirmation token, bound to one input and one plan.
CREATE TABLE IF NOT EXISTS confirmations (
    token       TEXT PRIMARY KEY,
    flow        TEXT NOT NULL,
    account     TEXT NOT NULL,
    subject     TEXT NOT NULL,          -- the order the plan is about
    input_hash  TEXT NOT NULL,
    input       TEXT NOT NULL,          -- the validated input, JSON
    plan_hash   TEXT NOT NULL,
    plan        TEXT NOT NULL,          -- the dry run's result, JSON
    client      TEXT,                   -- the agent client's name (MCP handshake)
    approval    TEXT NOT NULL,          -- not_required, waiting, approved, rejected
    decided_by  TEXT,
    decided_at  TEXT,
    state       TEXT NOT NULL,          -- open, applying, used, stale
    run_id      TEXT,                   -- the run that applied it
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
-- Agent tools: every call, whatever came of it (the audit trail).
CREATE TABLE IF NOT EXISTS agent_calls (
    call_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    client      TEXT,
    tool        TEXT NOT NULL,
    input       TEXT NOT NULL,          -- the arguments as sent, JSON
    token       TEXT,
    plan        TEXT,                   -- the plan the call saw, JSON
    outcome     TEXT NOT NULL,          -- planned, done, refused, invalid, failed, unknown
    answer      TEXT NOT NULL,          -- what the agent was told, JSON
    run_id      TEXT,
    duration_s  REAL
);
"""
# Columns later versions added: an older ledger gets them in place (ALTER TABLE ... ADD).
ADDED_COLUMNS = {"runs": {"report": "TEXT"}, "items": {"subject": "TEXT"}}


class ItemStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"  # a batch's repeated row, run once under its first line; never done

    @classmethod
    def of(cls, outcome: Outcome) -> ItemStatus:
        return {
            Outcome.DONE: cls.DONE,
            Outcome.REFUSED: cls.REFUSED,
            Outcome.FAILED: cls.FAILED,
            Outcome.UNKNOWN: cls.UNKNOWN,
            Outcome.INVALID: cls.REFUSED,
        }[outcome]


@dataclass(frozen=True)
class Item:
    """One item of a run. `status` is the ledger's (done, refused, duplicate...); the
    fields after `result` are read from the result, for people: the order as typed, the
    flow's own status word (refunded, customer_mismatch...), amount, message, evidence."""

    run_id: str
    row: int
    flow: str
    account: str
    item_key: str
    input: dict[str, Any]
    status: ItemStatus
    attempts: int
    result: dict[str, Any] | None
    subject: str = ""
    result_status: str = ""  # the result's status, or the ledger's while there is none
    outcome: str | None = None
    amount: str | None = None
    changed: bool = False  # it moved money or changed the portal (never on a dry run)
    message: str = ""
    evidence: list[str] = field(default_factory=list)
    started_at: str | None = None
    finished_at: str | None = None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def changed_amount(result: dict[str, Any], dry_run: bool = False) -> tuple[bool, Decimal | None]:
    """Whether a finished result changed something, and the money it moved.

    Changed: done, not a dry run, and it lists changes or moved a non-zero amount (an
    "already refunded" answer carries an amount of 0 and changed nothing).
    """
    if result.get("outcome") != "done" or dry_run or result.get("dry_run"):
        return False, None
    amount = _decimal(result.get("amount"))
    changed = bool(result.get("changes")) or bool(amount)
    return changed, amount if changed else None


def _now() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


def stamp(moment: datetime) -> str:
    """A time as the ledger writes it (local, ISO 8601): such strings compare as times."""
    return moment.isoformat(timespec="milliseconds")


class Ledger:
    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "ledger.sqlite3"
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._add_columns()

    def _add_columns(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            have = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name in have:
                    continue
                try:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError as error:
                    if "duplicate column" not in str(error):  # another process added it
                        raise

    def close(self) -> None:
        self._db.close()

    # --- runs -------------------------------------------------------------------------

    def start_run(
        self,
        run_id: str,
        flow: str,
        *,
        source: str,
        origin: str | None = None,
        dry_run: bool = False,
        workers: int = 1,
        report: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO runs"
            " (run_id, flow, source, origin, dry_run, workers, state, started_at, report)"
            " VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)",
            (run_id, flow, source, origin, int(dry_run), workers, _now(), report),
        )

    def set_report(self, run_id: str, report: str) -> None:
        """Where the run's report is written (a resume writes it there again)."""
        self._db.execute("UPDATE runs SET report = ? WHERE run_id = ?", (report, run_id))

    def reopen_run(self, run_id: str, workers: int) -> None:
        self._db.execute(
            "UPDATE runs SET state = 'running', workers = ?, finished_at = NULL WHERE run_id = ?",
            (workers, run_id),
        )

    def finish_run(self, run_id: str, state: str, note: str | None = None) -> None:
        self._db.execute(
            "UPDATE runs SET state = ?, note = ?, finished_at = ? WHERE run_id = ?",
            (state, note, _now(), run_id),
        )

    def run(self, run_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        run = dict(row)
        run["dry_run"] = bool(run["dry_run"])
        return run

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, newest first, each with what came of it.

        Counts: `items`; `changed` (done, not a dry run, and it changed something: listed
        changes or moved money) and `amount` (the money those moved, a decimal string);
        per ledger status `done`, `refused` (by the portal or the policy), `invalid` (bad
        input rows), `duplicates`, `failed`, `unknown`, `pending` (not run, or cut off).
        """
        runs = [
            {**dict(row), "dry_run": bool(row["dry_run"])}
            for row in self._db.execute(
                "SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", (limit,)
            ).fetchall()
        ]
        if not runs:
            return []
        by_id: dict[str, dict[str, Any]] = {}
        totals: dict[str, Decimal] = {}
        currencies: dict[str, set[str]] = {}
        for run in runs:
            run.update(
                items=0, changed=0, amount="0", done=0, refused=0, invalid=0, duplicates=0,
                failed=0, unknown=0, pending=0, currency=None,
            )  # fmt: skip
            by_id[run["run_id"]] = run
            totals[run["run_id"]] = Decimal(0)
            currencies[run["run_id"]] = set()
        marks = ", ".join("?" for _ in by_id)
        rows = self._db.execute(
            f"SELECT run_id, status, result FROM items WHERE run_id IN ({marks})", tuple(by_id)
        )
        for row in rows:
            run = by_id[row["run_id"]]
            run["items"] += 1
            status = row["status"]
            if status in ("pending", "in_progress"):
                run["pending"] += 1
            elif status == ItemStatus.DUPLICATE:
                run["duplicates"] += 1
            elif status in ("failed", "unknown"):
                run[status] += 1
            elif status == ItemStatus.REFUSED:
                result = json.loads(row["result"] or "{}")
                run["invalid" if result.get("outcome") == "invalid" else "refused"] += 1
            elif status == ItemStatus.DONE:
                run["done"] += 1
                result = json.loads(row["result"] or "{}")
                changed, amount = changed_amount(result, run["dry_run"])
                if changed:
                    run["changed"] += 1
                    if amount is not None:
                        totals[run["run_id"]] += amount
                        if result.get("currency"):
                            currencies[run["run_id"]].add(str(result["currency"]))
        for run_id, run in by_id.items():
            run["amount"] = str(totals[run_id])
            if len(currencies[run_id]) == 1:
                run["currency"] = currencies[run_id].pop()
        return runs

    # --- items ------------------------------------------------------------------------

    def add_item(
        self,
        run_id: str,
        row: int,
        flow: str,
        account: str,
        item_key: str,
        data: dict[str, Any],
        subject: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO items (run_id, row, flow, account, item_key, input, status, subject)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
            (run_id, row, flow, account, item_key, json.dumps(data, default=str), subject),
        )

    def items(self, run_id: str) -> list[Item]:
        run = self.run(run_id)
        dry_run = bool(run and run["dry_run"])
        rows = self._db.execute(
            "SELECT * FROM items WHERE run_id = ? ORDER BY row", (run_id,)
        ).fetchall()
        return [self._item(row, dry_run) for row in rows]

    def done_before(self, flow: str, account: str, item_key: str, run_id: str) -> str | None:
        """The run that already did this item, if any (dry runs never count)."""
        row = self._db.execute(
            "SELECT i.run_id FROM items i JOIN runs r ON r.run_id = i.run_id"
            " WHERE i.flow = ? AND i.account = ? AND i.item_key = ? AND i.status = 'done'"
            " AND r.dry_run = 0 AND i.run_id != ? LIMIT 1",
            (flow, account, item_key, run_id),
        ).fetchone()
        return row["run_id"] if row else None

    def mark_started(self, run_id: str, row: int) -> None:
        self._db.execute(
            "UPDATE items SET status = 'in_progress', started_at = ? WHERE run_id = ? AND row = ?",
            (_now(), run_id, row),
        )

    def record(self, run_id: str, row: int, result: Result, status: ItemStatus) -> None:
        self._db.execute(
            "UPDATE items SET status = ?, attempts = attempts + ?, result = ?, finished_at = ?"
            " WHERE run_id = ? AND row = ?",
            (status.value, result.attempts, result.model_dump_json(), _now(), run_id, row),
        )

    def reset_unfinished(self, run_id: str) -> list[int]:
        """Rows a crash left in progress: set back to pending, returned for verification."""
        rows = [
            r["row"]
            for r in self._db.execute(
                "SELECT row FROM items WHERE run_id = ? AND status = 'in_progress'", (run_id,)
            )
        ]
        self._db.execute(
            "UPDATE items SET status = 'pending' WHERE run_id = ? AND status = 'in_progress'",
            (run_id,),
        )
        return rows

    def done_since(self, flow: str, account: str, since: str) -> list[tuple[str, dict[str, Any]]]:
        """(item key, result) of every item of `flow` done for `account` since `since`.

        Every entry point counts (CLI, batch, agents); dry runs never do. Policy limits per
        day are counted from here.
        """
        rows = self._db.execute(
            "SELECT i.item_key, i.result FROM items i JOIN runs r ON r.run_id = i.run_id"
            " WHERE i.flow = ? AND i.account = ? AND i.status = 'done' AND r.dry_run = 0"
            " AND i.finished_at >= ?",
            (flow, account, since),
        ).fetchall()
        return [(row["item_key"], json.loads(row["result"] or "{}")) for row in rows]

    # --- agent tools: confirmation tokens -----------------------------------------------

    def add_confirmation(self, row: dict[str, Any]) -> None:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self._db.execute(
            f"INSERT INTO confirmations ({columns}) VALUES ({marks})", tuple(row.values())
        )

    def confirmation(self, token: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM confirmations WHERE token = ?", (token,)).fetchone()
        return dict(row) if row else None

    def claim_confirmation(self, token: str) -> bool:
        """Take an open token for one apply; False if another apply took it first."""
        cursor = self._db.execute(
            "UPDATE confirmations SET state = 'applying' WHERE token = ? AND state = 'open'",
            (token,),
        )
        return cursor.rowcount == 1

    def close_confirmation(self, token: str, state: str, run_id: str | None = None) -> None:
        self._db.execute(
            "UPDATE confirmations SET state = ?, run_id = ?, used_at = ? WHERE token = ?",
            (state, run_id, _now(), token),
        )

    def reopen_confirmation(self, token: str) -> None:
        """An apply that changed nothing (the portal failed): the token may be used again."""
        self._db.execute(
            "UPDATE confirmations SET state = 'open' WHERE token = ? AND state = 'applying'",
            (token,),
        )

    def waiting_approval(self) -> list[dict[str, Any]]:
        """Open tokens a person has yet to approve or reject, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM confirmations WHERE approval = 'waiting' AND state = 'open'"
            " AND expires_at > ? ORDER BY created_at",
            (_now(),),
        ).fetchall()
        return [dict(row) for row in rows]

    def decide(self, token: str, approval: str, by: str) -> bool:
        """Approve or reject a waiting token; False if it is not waiting (any more)."""
        cursor = self._db.execute(
            "UPDATE confirmations SET approval = ?, decided_by = ?, decided_at = ?"
            " WHERE token = ? AND approval = 'waiting' AND state = 'open' AND expires_at > ?",
            (approval, by, _now(), token, _now()),
        )
        return cursor.rowcount == 1

    # --- agent tools: the audit trail ---------------------------------------------------

    def record_call(
        self,
        *,
        client: str | None,
        tool: str,
        arguments: dict[str, Any],
        outcome: str,
        answer: dict[str, Any],
        token: str | None = None,
        plan: dict[str, Any] | None = None,
        run_id: str | None = None,
        duration_s: float = 0.0,
    ) -> None:
        self._db.execute(
            "INSERT INTO agent_calls"
            " (at, client, tool, input, token, plan, outcome, answer, run_id, duration_s)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                client,
                tool,
                json.dumps(arguments, default=str),
                token,
                json.dumps(plan, default=str) if plan is not None else None,
                outcome,
                json.dumps(answer, default=str),
                run_id,
                round(duration_s, 3),
            ),
        )

    def calls(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest agent tool calls, newest first."""
        rows = self._db.execute(
            "SELECT * FROM agent_calls ORDER BY call_id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [dict(row) for row in rows]

    @staticmethod
    def _item(row: sqlite3.Row, dry_run: bool = False) -> Item:
        result = json.loads(row["result"]) if row["result"] else None
        status = ItemStatus(row["status"])
        facts = result or {}
        changed, _ = changed_amount(facts, dry_run)
        amount = _decimal(facts.get("amount"))
        return Item(
            run_id=row["run_id"],
            row=row["row"],
            flow=row["flow"],
            account=row["account"],
            item_key=row["item_key"],
            input=json.loads(row["input"]),
            status=status,
            attempts=row["attempts"],
            result=result,
            subject=str(facts.get("reference") or row["subject"] or ""),
            result_status=str(facts.get("status") or status.value),
            outcome=facts.get("outcome"),
            amount=None if amount is None else str(amount),
            changed=changed,
            message=str(facts.get("message") or ""),
            evidence=[str(path) for path in facts.get("evidence") or []],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )
