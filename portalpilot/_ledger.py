"""The ledger: every run and every item, in `<state_dir>/ledger.sqlite3` (SQLite, WAL), or
in the PostgreSQL database a team shares (`PORTALPILOT_DATABASE_URL`).

It is what makes batches resumable and exactly-once across runs: an item done in any
earlier run is not done again, and an item a crash left "in progress" is checked against
the portal before anything else happens to it. The same SQLAlchemy Core code runs on
both databases (`_db.py` has the schema); each call is its own transaction on its own
connection, so a Ledger may be used from any thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from portalpilot import _db
from portalpilot._db import admissions, agent_calls, confirmations, items, runs
from portalpilot._results import Outcome, Result

if TYPE_CHECKING:
    from portalpilot._settings import Settings


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


@dataclass
class Day:
    """One flow's day for one account, read and written under the day's lock (`admission`)."""

    connection: Connection
    flow: str
    account: str
    day: str
    done: list[tuple[str, dict[str, Any]]]  # (item key, result) done today
    admitted: dict[str, Decimal]  # item key -> amount let through today, maybe not done yet

    def admit(self, item_key: str, amount: Decimal) -> None:
        """Count `item_key` as let through today (once: a retry replaces its amount)."""
        where = self._where(item_key)
        self.connection.execute(sa.delete(admissions).where(*where))
        self.connection.execute(
            sa.insert(admissions).values(
                flow=self.flow,
                account=self.account,
                day=self.day,
                item_key=item_key,
                amount=str(amount),
                at=_now(),
            )
        )
        self.admitted[item_key] = amount

    def _where(self, item_key: str) -> list[sa.ColumnElement[bool]]:
        return [
            admissions.c.flow == self.flow,
            admissions.c.account == self.account,
            admissions.c.day == self.day,
            admissions.c.item_key == item_key,
        ]


class Ledger:
    def __init__(self, state_dir: Path | None = None, *, url: str | None = None) -> None:
        """The ledger at `url`, or the SQLite file of `state_dir`; its schema made or
        brought up to date first (see `_db.open_engine`)."""
        if url is None:
            if state_dir is None:
                raise TypeError("Ledger needs a state dir or a database URL")
            url = _db.sqlite_url(state_dir)
        self.url = _db.normalise_url(url)
        self._engine = _db.open_engine(self.url)
        database = self._engine.url.database
        # The SQLite file (messages, tests); a shared database has none.
        self.path: Path | None = (
            Path(database) if _db.is_sqlite(self._engine) and database else None
        )

    @classmethod
    def of(cls, settings: Settings) -> Ledger:
        """The ledger in force: `PORTALPILOT_DATABASE_URL`, else the state dir's file."""
        return cls(url=_db.database_url(settings))

    @property
    def where(self) -> str:
        """Where the ledger is, for people (a file, or the database's URL without password)."""
        return _db.shown(self.url)

    def close(self) -> None:
        """Nothing is held between calls; kept for callers that close what they open."""

    def _read(self, statement: sa.Executable) -> list[RowMapping]:
        with self._engine.connect() as connection:
            return list(connection.execute(statement).mappings())

    def _write(self, statement: sa.Executable) -> int:
        """Run one write in its own transaction; the number of rows it touched."""
        with _db.writing(self._engine) as connection:
            return connection.execute(statement).rowcount

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
        self._write(
            sa.insert(runs).values(
                run_id=run_id,
                flow=flow,
                source=source,
                origin=origin,
                dry_run=int(dry_run),
                workers=workers,
                state="running",
                started_at=_now(),
                report=report,
            )
        )

    def set_report(self, run_id: str, report: str) -> None:
        """Where the run's report is written (a resume writes it there again)."""
        self._write(sa.update(runs).where(runs.c.run_id == run_id).values(report=report))

    def reopen_run(self, run_id: str, workers: int) -> None:
        self._write(
            sa.update(runs)
            .where(runs.c.run_id == run_id)
            .values(state="running", workers=workers, finished_at=None)
        )

    def finish_run(self, run_id: str, state: str, note: str | None = None) -> None:
        self._write(
            sa.update(runs)
            .where(runs.c.run_id == run_id)
            .values(state=state, note=note, finished_at=_now())
        )

    def run(self, run_id: str) -> dict[str, Any] | None:
        found = self._read(sa.select(runs).where(runs.c.run_id == run_id))
        if not found:
            return None
        run = dict(found[0])
        run["dry_run"] = bool(run["dry_run"])
        return run

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, newest first, each with what came of it.

        Counts: `items`; `changed` (done, not a dry run, and it changed something: listed
        changes or moved money) and `amount` (the money those moved, a decimal string);
        per ledger status `done`, `refused` (by the portal or the policy), `invalid` (bad
        input rows), `duplicates`, `failed`, `unknown`, `pending` (not run, or cut off).
        """
        latest = sa.select(runs).order_by(runs.c.started_at.desc()).limit(limit)
        found = [{**dict(row), "dry_run": bool(row["dry_run"])} for row in self._read(latest)]
        if not found:
            return []
        by_id: dict[str, dict[str, Any]] = {}
        totals: dict[str, Decimal] = {}
        currencies: dict[str, set[str]] = {}
        for run in found:
            run.update(
                items=0, changed=0, amount="0", done=0, refused=0, invalid=0, duplicates=0,
                failed=0, unknown=0, pending=0, currency=None,
            )  # fmt: skip
            by_id[run["run_id"]] = run
            totals[run["run_id"]] = Decimal(0)
            currencies[run["run_id"]] = set()
        rows = self._read(
            sa.select(items.c.run_id, items.c.status, items.c.result).where(
                items.c.run_id.in_(list(by_id))
            )
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
        return found

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
        self._write(
            sa.insert(items).values(
                run_id=run_id,
                row=row,
                flow=flow,
                account=account,
                item_key=item_key,
                input=json.dumps(data, default=str),
                status="pending",
                subject=subject,
            )
        )

    def items(self, run_id: str) -> list[Item]:
        run = self.run(run_id)
        dry_run = bool(run and run["dry_run"])
        rows = self._read(sa.select(items).where(items.c.run_id == run_id).order_by(items.c.row))
        return [self._item(row, dry_run) for row in rows]

    def done_before(self, flow: str, account: str, item_key: str, run_id: str) -> str | None:
        """The run that already did this item, if any (dry runs never count)."""
        found = self._read(
            sa.select(items.c.run_id)
            .join(runs, runs.c.run_id == items.c.run_id)
            .where(
                items.c.flow == flow,
                items.c.account == account,
                items.c.item_key == item_key,
                items.c.status == ItemStatus.DONE.value,
                runs.c.dry_run == 0,
                items.c.run_id != run_id,
            )
            .limit(1)
        )
        return found[0]["run_id"] if found else None

    def mark_started(self, run_id: str, row: int) -> None:
        self._write(
            sa.update(items)
            .where(items.c.run_id == run_id, items.c.row == row)
            .values(status="in_progress", started_at=_now())
        )

    def record(self, run_id: str, row: int, result: Result, status: ItemStatus) -> None:
        self._write(
            sa.update(items)
            .where(items.c.run_id == run_id, items.c.row == row)
            .values(
                status=status.value,
                attempts=items.c.attempts + result.attempts,
                result=result.model_dump_json(),
                finished_at=_now(),
            )
        )

    def reset_unfinished(self, run_id: str) -> list[int]:
        """Rows a crash left in progress: set back to pending, returned for verification."""
        unfinished = items.c.run_id == run_id, items.c.status == "in_progress"
        with _db.writing(self._engine) as connection:
            rows = [r.row for r in connection.execute(sa.select(items.c.row).where(*unfinished))]
            connection.execute(sa.update(items).where(*unfinished).values(status="pending"))
        return rows

    def done_since(self, flow: str, account: str, since: str) -> list[tuple[str, dict[str, Any]]]:
        """(item key, result) of every item of `flow` done for `account` since `since`.

        Every entry point counts (CLI, batch, agents); dry runs never do. Policy limits per
        day are counted from here.
        """
        with self._engine.connect() as connection:
            return self._done_since(connection, flow, account, since)

    @staticmethod
    def _done_since(
        connection: Connection, flow: str, account: str, since: str
    ) -> list[tuple[str, dict[str, Any]]]:
        rows = connection.execute(
            sa.select(items.c.item_key, items.c.result)
            .join(runs, runs.c.run_id == items.c.run_id)
            .where(
                items.c.flow == flow,
                items.c.account == account,
                items.c.status == ItemStatus.DONE.value,
                runs.c.dry_run == 0,
                items.c.finished_at >= since,
            )
        )
        return [(row.item_key, json.loads(row.result or "{}")) for row in rows]

    # --- the operator policy's admissions ----------------------------------------------

    @contextmanager
    def admission(self, flow: str, account: str, day: date) -> Iterator[Day]:
        """`day`'s done items and admissions of `flow` for `account`, under a lock that any
        other process admitting for the same flow, account and day waits for: what is
        admitted inside counts for every later reader. An exception admits nothing."""
        text = day.isoformat()
        with _db.writing(self._engine) as connection:
            _db.lock(connection, f"portalpilot.admission/{flow}/{account}/{text}")
            mine = admissions.c.flow == flow, admissions.c.account == account
            # Earlier days' admissions count no more. Two days kept: machines in other time
            # zones may still be on the day before.
            stale = (day - timedelta(days=2)).isoformat()
            connection.execute(sa.delete(admissions).where(*mine, admissions.c.day < stale))
            rows = connection.execute(
                sa.select(admissions.c.item_key, admissions.c.amount).where(
                    *mine, admissions.c.day == text
                )
            )
            admitted = {row.item_key: Decimal(row.amount) for row in rows}
            since = stamp(datetime.combine(day, datetime.min.time()))
            done = self._done_since(connection, flow, account, since)
            yield Day(connection, flow, account, text, done, admitted)

    def release(self, flow: str, account: str, item_key: str, day: date) -> None:
        """The admitted action did not happen (refused): it no longer counts."""
        self._write(
            sa.delete(admissions).where(
                admissions.c.flow == flow,
                admissions.c.account == account,
                admissions.c.day == day.isoformat(),
                admissions.c.item_key == item_key,
            )
        )

    # --- agent tools: confirmation tokens -----------------------------------------------

    def add_confirmation(self, row: dict[str, Any]) -> None:
        self._write(sa.insert(confirmations).values(**row))

    def confirmation(self, token: str) -> dict[str, Any] | None:
        found = self._read(sa.select(confirmations).where(confirmations.c.token == token))
        return dict(found[0]) if found else None

    def claim_confirmation(self, token: str) -> bool:
        """Take an open token for one apply; False if another apply took it first."""
        claimed = self._write(
            sa.update(confirmations)
            .where(confirmations.c.token == token, confirmations.c.state == "open")
            .values(state="applying")
        )
        return claimed == 1

    def close_confirmation(self, token: str, state: str, run_id: str | None = None) -> None:
        self._write(
            sa.update(confirmations)
            .where(confirmations.c.token == token)
            .values(state=state, run_id=run_id, used_at=_now())
        )

    def reopen_confirmation(self, token: str) -> None:
        """An apply that changed nothing (the portal failed): the token may be used again."""
        self._write(
            sa.update(confirmations)
            .where(confirmations.c.token == token, confirmations.c.state == "applying")
            .values(state="open")
        )

    def waiting_approval(self) -> list[dict[str, Any]]:
        """Open tokens a person has yet to approve or reject, oldest first."""
        rows = self._read(
            sa.select(confirmations)
            .where(
                confirmations.c.approval == "waiting",
                confirmations.c.state == "open",
                confirmations.c.expires_at > _now(),
            )
            .order_by(confirmations.c.created_at)
        )
        return [dict(row) for row in rows]

    def decide(self, token: str, approval: str, by: str) -> bool:
        """Approve or reject a waiting token; False if it is not waiting (any more)."""
        now = _now()
        decided = self._write(
            sa.update(confirmations)
            .where(
                confirmations.c.token == token,
                confirmations.c.approval == "waiting",
                confirmations.c.state == "open",
                confirmations.c.expires_at > now,
            )
            .values(approval=approval, decided_by=by, decided_at=now)
        )
        return decided == 1

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
        self._write(
            sa.insert(agent_calls).values(
                at=_now(),
                client=client,
                tool=tool,
                input=json.dumps(arguments, default=str),
                token=token,
                plan=json.dumps(plan, default=str) if plan is not None else None,
                outcome=outcome,
                answer=json.dumps(answer, default=str),
                run_id=run_id,
                duration_s=round(duration_s, 3),
            )
        )

    def calls(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest agent tool calls, newest first."""
        rows = self._read(
            sa.select(agent_calls).order_by(agent_calls.c.call_id.desc()).limit(limit)
        )
        return [dict(row) for row in rows]

    @staticmethod
    def _item(row: RowMapping, dry_run: bool = False) -> Item:
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
