"""The shared database under the ledger: the same code on SQLite and on PostgreSQL.

Every test of the ledger, the change log and the policy's admissions runs on both: the
state dir's SQLite file, and a fresh database on a throw-away PostgreSQL server
(`tests/postgres.py`; skipped, saying why, where its binaries are missing).
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from flows.kogan_refund import FLOW, KoganRefund
from portalpilot import Settings, _db
from portalpilot._agent import policy
from portalpilot._agent.policy import Gate, PolicyBreach
from portalpilot._guard import ChangeLog
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._results import Outcome, Result

# The policy's "today" in these tests, whatever the hour or the day they run: in the past,
# so that what the ledger records now (by the real clock) is "done today" for the policy.
DAY = date(2000, 1, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database under test: the state dir's SQLite file, or a fresh PostgreSQL one."""
    if request.param == "sqlite":
        return _db.sqlite_url(tmp_path / "state")
    return str(request.getfixturevalue("pg_database"))


def result(reference: str, status: str = "refunded", amount: str = "10.00") -> Result:
    outcome = Outcome.DONE if status in ("refunded", "already_refunded") else Outcome.REFUSED
    return Result(
        flow=FLOW.name, status=status, outcome=outcome, reference=reference,
        message=f"{status} {reference}", account="acct", attempts=2, amount=amount,
        currency="AUD",
    )  # fmt: skip


# --- settings ---------------------------------------------------------------------------


def test_the_database_url_setting(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    assert settings.database_url is None
    assert _db.database_url(settings) == f"sqlite:///{tmp_path.absolute()}/ledger.sqlite3"
    shared = Settings(state_dir=tmp_path, database_url="postgresql://me:pw@db:5432/robots")
    assert shared.database_url == "postgresql+psycopg://me:pw@db:5432/robots"
    assert _db.shown(_db.database_url(shared)) == "postgresql+psycopg://me:***@db:5432/robots"
    for good in ("postgresql+psycopg://db/robots", "sqlite:////var/lib/ledger.sqlite3"):
        assert Settings(database_url=good).database_url == good
    for bad in ("mysql://db/robots", "postgres://db/robots", "sqlite://", "postgresql://db"):
        with pytest.raises(ValueError, match="postgresql://…, postgresql\\+psycopg://…"):
            Settings(database_url=bad)


# --- the ledger -------------------------------------------------------------------------


def test_the_ledger_round_trip(url: str) -> None:
    ledger = Ledger(url=url)
    ledger.start_run("r1", FLOW.name, source="batch", origin="refunds.csv", workers=2)
    ledger.add_item("r1", 2, FLOW.name, "acct", "ESG-10012/", {"reference": "ESG-10012"})
    ledger.add_item("r1", 3, FLOW.name, "acct", "ESG-20020/", {}, "esg-20020")
    ledger.add_item("r1", 4, FLOW.name, "acct", "ESG-30030/", {})
    ledger.mark_started("r1", 2)
    ledger.record("r1", 2, result("ESG-10012", amount="89.95"), ItemStatus.DONE)
    ledger.record("r1", 3, result("ESG-20020", "customer_mismatch"), ItemStatus.REFUSED)
    ledger.mark_started("r1", 4)
    ledger.set_report("r1", "/x/report.jsonl")
    ledger.finish_run("r1", "stopped", "interrupted")

    run = ledger.run("r1")
    assert run is not None
    assert (run["state"], run["note"], run["dry_run"], run["workers"]) == (
        "stopped", "interrupted", False, 2,
    )  # fmt: skip
    assert run["finished_at"] >= run["started_at"]
    [listed] = ledger.runs()
    assert {k: listed[k] for k in ("items", "changed", "amount", "done", "refused", "pending")} == {
        "items": 3, "changed": 1, "amount": "89.95", "done": 1, "refused": 1, "pending": 1,
    }  # fmt: skip
    assert (listed["currency"], listed["report"]) == ("AUD", "/x/report.jsonl")
    done, refused, unfinished = ledger.items("r1")
    assert (done.status, done.attempts, done.amount, done.changed) == ("done", 2, "89.95", True)
    assert done.input == {"reference": "ESG-10012"} and done.started_at and done.finished_at
    assert (refused.subject, refused.result_status) == ("ESG-20020", "customer_mismatch")
    assert unfinished.status is ItemStatus.IN_PROGRESS

    assert ledger.reset_unfinished("r1") == [4]
    assert ledger.items("r1")[2].status is ItemStatus.PENDING
    ledger.reopen_run("r1", 3)
    assert ledger.run("r1")["state"] == "running"  # type: ignore[index]
    assert ledger.done_before(FLOW.name, "acct", "ESG-10012/", "r2") == "r1"
    assert ledger.done_before(FLOW.name, "acct", "ESG-10012/", "r1") is None  # not its own
    assert ledger.done_before(FLOW.name, "acct", "ESG-20020/", "r2") is None  # refused
    since = ledger.done_since(FLOW.name, "acct", "2000-01-01T00:00:00.000")
    assert [(key, found["amount"]) for key, found in since] == [("ESG-10012/", "89.95")]
    assert ledger.done_since(FLOW.name, "acct", "9999-01-01T00:00:00.000") == []

    # A dry run's done items are never "already done", nor counted for the day.
    ledger.start_run("r2", FLOW.name, source="cli", dry_run=True)
    ledger.add_item("r2", 1, FLOW.name, "acct", "ESG-40040/", {})
    ledger.record("r2", 1, result("ESG-40040"), ItemStatus.DONE)
    assert ledger.done_before(FLOW.name, "acct", "ESG-40040/", "r3") is None
    assert [run["run_id"] for run in ledger.runs()] == ["r2", "r1"]  # newest first
    assert ledger.run("missing") is None and ledger.items("missing") == []
    # A second Ledger on the same database (another process, another machine) sees it all.
    assert Ledger(url=url).runs() == ledger.runs()


def test_a_confirmation_is_claimed_once(url: str) -> None:
    ledger = Ledger(url=url)
    token = {
        "token": "t1", "flow": FLOW.name, "account": "acct", "subject": "ESG-10012",
        "input_hash": "h", "input": "{}", "plan_hash": "p", "plan": "{}", "client": "claude",
        "approval": "waiting", "state": "open", "created_at": "2026-01-01T00:00:00.000",
        "expires_at": "9999-01-01T00:00:00.000",
    }  # fmt: skip
    ledger.add_confirmation(token)
    assert [row["token"] for row in ledger.waiting_approval()] == ["t1"]
    assert ledger.decide("t1", "approved", "ops@example.com")
    assert not ledger.decide("t1", "rejected", "ops@example.com")  # decided already
    assert ledger.waiting_approval() == []

    # Eight applies race for it: exactly one takes it.
    start = threading.Barrier(8)
    claimed: list[bool] = []

    def claim() -> None:
        start.wait()
        claimed.append(Ledger(url=url).claim_confirmation("t1"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [False] * 7 + [True]
    ledger.reopen_confirmation("t1")  # the portal failed: it may be used again
    assert ledger.claim_confirmation("t1") and not ledger.claim_confirmation("t1")
    ledger.close_confirmation("t1", "used", "r9")
    row = ledger.confirmation("t1")
    assert row is not None
    assert (row["state"], row["run_id"], row["decided_by"]) == ("used", "r9", "ops@example.com")
    assert ledger.confirmation("nope") is None

    ledger.record_call(
        client="claude", tool="kogan_refund", arguments={"a": 1}, outcome="planned",
        answer={"ok": True}, token="t1", duration_s=0.12345,
    )  # fmt: skip
    ledger.record_call(client=None, tool="runs_list", arguments={}, outcome="done", answer={})
    calls = ledger.calls()
    assert [c["tool"] for c in calls] == ["runs_list", "kogan_refund"]  # newest first
    assert (calls[1]["duration_s"], calls[1]["plan"], calls[1]["input"]) == (
        0.123,
        None,
        '{"a": 1}',
    )


# --- the commit guard's intents -----------------------------------------------------------


def test_the_change_log(url: str) -> None:
    log = ChangeLog(url=url)
    first = log.intend("acct", "ESG-10012/KG-1/refund", "kogan.refund", "r1")
    second = log.intend("acct", "ESG-10012/KG-2/refund", "kogan.refund", "r1")
    other = log.intend("acct", "ESG-100123/KG-1/refund", "kogan.refund", "r1")
    odd = log.intend("acct", "esg-1%_/x", "kogan.refund", "r2")
    assert first < second < other < odd
    assert log.open_click("acct", "ESG-10012/KG-1/refund") == first
    assert log.open_click("other", "ESG-10012/KG-1/refund") is None
    assert log.open_keys("acct", "ESG-10012/") == [
        "ESG-10012/KG-1/refund", "ESG-10012/KG-2/refund",
    ]  # fmt: skip
    assert log.open_keys("acct", "ESG-1%_/") == []  # no LIKE: neither wildcards nor case
    assert log.open_keys("acct", "esg-1%_/") == ["esg-1%_/x"]

    log.settle(first, "done", "seen refunded")
    log.settle_key("acct", "ESG-10012/KG-2/refund", "absent", "still dispatched")
    assert log.open_click("acct", "ESG-10012/KG-1/refund") is None
    assert log.open_keys("acct", "ESG-10012/") == []
    again = log.intend("acct", "ESG-10012/KG-2/refund", "kogan.refund", "r3")
    log.settle(again, "unknown", "unreadable")
    assert log.open_keys("acct", "ESG-10012/") == ["ESG-10012/KG-2/refund"]  # the latest counts

    rows = ChangeLog(url=url).rows("r1")
    assert [(r["change_id"], r["state"], r["note"]) for r in rows] == [
        (first, "done", "seen refunded"),
        (second, "absent", "still dispatched"),
        (other, "clicking", None),
    ]
    assert all(r["clicked_at"] and r["flow"] == "kogan.refund" for r in rows)
    assert len(log.rows()) == 5


# --- the schema -------------------------------------------------------------------------


def differences(connection: sa.Connection) -> list[Any]:
    """What autogenerate would change to make the database match the code's tables."""
    options = {"compare_type": True, "version_table": _db.VERSION_TABLE}
    return list(
        compare_metadata(MigrationContext.configure(connection, opts=options), _db.metadata)
    )


def test_the_migrations_make_the_schema_the_code_uses(url: str) -> None:
    engine = Ledger(url=url)._engine
    with engine.connect() as connection:
        assert _db.revision(connection) == _db.head() == "0001"
        assert differences(connection) == []
    assert _db.upgrade(url) == "0001"  # already there: nothing to do


def test_several_processes_opening_a_new_database_upgrade_it_once(url: str) -> None:
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            Ledger(url=url) if threading.get_ident() % 2 else ChangeLog(url=url)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with _db.engine(url).connect() as connection:
        assert _db.revision(connection) == "0001"


# The schema the code made before Alembic (CREATE TABLE IF NOT EXISTS, as it was).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, flow TEXT NOT NULL, source TEXT NOT NULL, origin TEXT,
    dry_run INTEGER NOT NULL DEFAULT 0, workers INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL, note TEXT, started_at TEXT NOT NULL, finished_at TEXT, report TEXT);
CREATE TABLE IF NOT EXISTS items (
    run_id TEXT NOT NULL REFERENCES runs(run_id), row INTEGER NOT NULL, flow TEXT NOT NULL,
    account TEXT NOT NULL, item_key TEXT NOT NULL, input TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, result TEXT, started_at TEXT, finished_at TEXT,
    subject TEXT, PRIMARY KEY (run_id, row));
CREATE INDEX IF NOT EXISTS items_by_key ON items (flow, account, item_key, status);
CREATE TABLE IF NOT EXISTS confirmations (
    token TEXT PRIMARY KEY, flow TEXT NOT NULL, account TEXT NOT NULL, subject TEXT NOT NULL,
    input_hash TEXT NOT NULL, input TEXT NOT NULL, plan_hash TEXT NOT NULL, plan TEXT NOT NULL,
    client TEXT, approval TEXT NOT NULL, decided_by TEXT, decided_at TEXT, state TEXT NOT NULL,
    run_id TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT);
CREATE TABLE IF NOT EXISTS agent_calls (
    call_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, client TEXT,
    tool TEXT NOT NULL, input TEXT NOT NULL, token TEXT, plan TEXT, outcome TEXT NOT NULL,
    answer TEXT NOT NULL, run_id TEXT, duration_s REAL);
CREATE TABLE IF NOT EXISTS changes (
    change_id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, key TEXT NOT NULL,
    flow TEXT NOT NULL, run_id TEXT NOT NULL, state TEXT NOT NULL, note TEXT,
    clicked_at TEXT NOT NULL, settled_at TEXT);
CREATE INDEX IF NOT EXISTS changes_by_key ON changes (account, key);
INSERT INTO runs VALUES ('r0', 'kogan.refund', 'batch', 'old.csv', 0, 1, 'finished', NULL,
    '2026-01-01T00:00:00.000', '2026-01-01T00:01:00.000', '/old/report.jsonl');
INSERT INTO items VALUES ('r0', 2, 'kogan.refund', 'acct', 'ESG-10012/', '{}', 'done', 1,
    '{"outcome": "done", "status": "refunded", "amount": "5.00", "reference": "ESG-10012"}',
    '2026-01-01T00:00:10.000', '2026-01-01T00:00:20.000', 'ESG-10012');
INSERT INTO confirmations VALUES ('t0', 'kogan.refund', 'acct', 'ESG-10012', 'h', '{}', 'p',
    '{}', NULL, 'not_required', NULL, NULL, 'used', 'r0', '2026-01-01T00:00:00.000',
    '2026-01-01T00:15:00.000', '2026-01-01T00:00:05.000');
INSERT INTO agent_calls (at, tool, input, outcome, answer) VALUES
    ('2026-01-01T00:00:00.000', 'kogan_refund', '{}', 'done', '{}');
INSERT INTO changes (account, key, flow, run_id, state, clicked_at) VALUES
    ('acct', 'ESG-10012/KG-1/refund', 'kogan.refund', 'r0', 'clicking', '2026-01-01T00:00:15.000');
"""


def old_ledger(state: Path, *, oldest: bool = False) -> Path:
    """A ledger as the code before Alembic left it; `oldest`: from before `runs.report`,
    `items.subject`, the agent tables and the change log."""
    state.mkdir(parents=True, exist_ok=True)
    path = state / "ledger.sqlite3"
    with sqlite3.connect(path) as old:
        if oldest:
            old.executescript(
                "CREATE TABLE runs (run_id TEXT PRIMARY KEY, flow TEXT NOT NULL, source TEXT"
                " NOT NULL, origin TEXT, dry_run INTEGER NOT NULL DEFAULT 0, workers INTEGER"
                " NOT NULL DEFAULT 1, state TEXT NOT NULL, note TEXT, started_at TEXT NOT NULL,"
                " finished_at TEXT);"
                "CREATE TABLE items (run_id TEXT NOT NULL, row INTEGER NOT NULL, flow TEXT NOT"
                " NULL, account TEXT NOT NULL, item_key TEXT NOT NULL, input TEXT NOT NULL,"
                " status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, result TEXT,"
                " started_at TEXT, finished_at TEXT, PRIMARY KEY (run_id, row));"
                "INSERT INTO runs VALUES ('r0', 'kogan.refund', 'batch', NULL, 0, 1, 'finished',"
                " NULL, '2026-01-01T00:00:00.000', NULL);"
                "INSERT INTO items VALUES ('r0', 2, 'kogan.refund', 'acct', 'ESG-10012/', '{}',"
                " 'pending', 0, NULL, NULL, NULL);"
            )
        else:
            old.executescript(OLD_SCHEMA)
    old.close()
    return path


def test_an_old_ledger_is_adopted_without_loss(tmp_path: Path) -> None:
    state = tmp_path / "state"
    old_ledger(state)
    ledger = Ledger(state)
    [run] = ledger.runs()
    assert (run["run_id"], run["report"], run["done"], run["amount"]) == (
        "r0", "/old/report.jsonl", 1, "5.00",
    )  # fmt: skip
    [item] = ledger.items("r0")
    assert (item.subject, item.status, item.finished_at) == (
        "ESG-10012", ItemStatus.DONE, "2026-01-01T00:00:20.000",
    )  # fmt: skip
    assert ledger.confirmation("t0") is not None and len(ledger.calls()) == 1
    log = ChangeLog(state)
    assert log.open_keys("acct", "ESG-10012/") == ["ESG-10012/KG-1/refund"]  # still blocks
    assert log.intend("acct", "ESG-10012/KG-1/refund", "kogan.refund", "r1") == 2
    with ledger._engine.connect() as connection:
        assert _db.revision(connection) == "0001"
        assert {"admissions", "portalpilot_version"} <= set(
            sa.inspect(connection).get_table_names()
        )


def test_the_oldest_ledger_gains_what_it_lacks(tmp_path: Path) -> None:
    state = tmp_path / "state"
    old_ledger(state, oldest=True)
    ledger = Ledger(state)
    ledger.set_report("r0", "/x/report.csv")
    [run] = ledger.runs()
    assert (run["report"], run["pending"]) == ("/x/report.csv", 1)
    assert ledger.items("r0")[0].subject == ""
    assert ChangeLog(state).open_keys("acct", "") == []
    with ledger._engine.connect() as connection:
        found = differences(connection)
    # Only what SQLite cannot change in place, and no query relies on: the foreign key of
    # the oldest items table, and primary keys SQLite let be NULL.
    kinds = {d[0][0] if isinstance(d, list) else d[0] for d in found}
    assert kinds <= {"add_fk", "modify_nullable"}, found


# --- one machine's ledger into PostgreSQL -----------------------------------------------------


def test_migrate_sqlite_copies_every_row_once(tmp_path: Path, pg_database: str) -> None:
    path = old_ledger(tmp_path / "state")
    ledger = Ledger(tmp_path / "state")
    ledger.start_run("r1", FLOW.name, source="cli")
    ledger.add_item("r1", 1, FLOW.name, "acct", "ESG-20020/", {"reference": "ESG-20020"})
    ledger.record("r1", 1, result("ESG-20020", amount="7.50"), ItemStatus.DONE)
    ChangeLog(tmp_path / "state").intend("acct", "ESG-20020/KG-9/refund", FLOW.name, "r1")
    # The shared database already has a click of its own (another machine's): ids collide.
    ChangeLog(url=pg_database).intend("other", "ESG-1/KG-1/refund", FLOW.name, "r-other")

    copied = _db.migrate_sqlite(path, pg_database)
    assert copied == {
        "runs": 2, "items": 2, "confirmations": 1, "agent_calls": 1, "changes": 2,
        "admissions": 0,
    }  # fmt: skip
    assert _db.migrate_sqlite(path, pg_database) == dict.fromkeys(copied, 0)  # idempotent

    shared = Ledger(url=pg_database)
    assert shared.runs() == ledger.runs()
    assert shared.items("r0") == ledger.items("r0") and shared.items("r1") == ledger.items("r1")
    assert shared.done_before(FLOW.name, "acct", "ESG-10012/", "r9") == "r0"
    assert shared.confirmation("t0") == ledger.confirmation("t0")
    assert len(shared.calls()) == 1
    clicks = [(r["account"], r["key"], r["state"]) for r in ChangeLog(url=pg_database).rows()]
    assert clicks == [
        ("other", "ESG-1/KG-1/refund", "clicking"),
        ("acct", "ESG-10012/KG-1/refund", "clicking"),
        ("acct", "ESG-20020/KG-9/refund", "clicking"),
    ]
    assert ChangeLog(url=pg_database).open_keys("acct", "ESG-") == [
        "ESG-10012/KG-1/refund", "ESG-20020/KG-9/refund",
    ]  # fmt: skip
    # New clicks get new ids: the sequence was not left behind by the copy.
    later = ChangeLog(url=pg_database).intend("acct", "ESG-3/KG-1/refund", FLOW.name, "r2")
    assert later > max(int(str(r["change_id"])) for r in ChangeLog(url=pg_database).rows()[:-1])
    with pytest.raises(FileNotFoundError):
        _db.migrate_sqlite(tmp_path / "nothing.sqlite3", pg_database)


# --- the policy's day limits, exact under concurrency -----------------------------------------


class _Today(date):
    @classmethod
    def today(cls) -> _Today:
        return cls(DAY.year, DAY.month, DAY.day)


def refund(number: int) -> KoganRefund:
    return KoganRefund(reference=f"ESG-{number:05d}", reason="Faulty Item")


def write_policy(path: Path, rules: str) -> Path:
    path.write_text(f'[flows."kogan.refund"]\n{rules}\n')
    return path


def admit_actions(
    policy_file: Path, state_dir: Path, url: str, first: int, count: int, start: Any, out: Any
) -> None:
    """In a process of its own: try to admit `count` actions; put how many were let through."""
    policy.date = _Today  # type: ignore[misc]  # the same day in every process
    gate = Gate(policy_file, state_dir, url)
    gate.ledger()  # opened (and upgraded) before the race starts
    start.wait()
    admitted = 0
    for number in range(first, first + count):
        try:
            gate.check(FLOW, refund(number), "acct", admit=True)
            admitted += 1
        except PolicyBreach:
            pass
    out.put(admitted)


@pytest.mark.slow  # four processes started from scratch (spawn)
def test_the_day_limit_holds_across_processes(url: str, tmp_path: Path) -> None:
    rules = write_policy(tmp_path / "policy.toml", "max_actions_per_day = 12")
    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Barrier(4), spawn.Queue()
    workers = [
        spawn.Process(
            target=admit_actions,
            args=(rules, tmp_path / "state", url, 10_000 + 100 * n, 10, start, out),
        )
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    counts = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sum(counts) == 12, counts
    with Ledger(tmp_path / "state", url=url)._engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(_db.admissions)).scalar()
            == 12
        )


def test_admissions_count_amounts_retries_and_releases(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "date", _Today)
    rules = 'max_actions_per_day = 3\nmax_total_per_day = "100.00"'
    gate = Gate(write_policy(tmp_path / "policy.toml", rules), tmp_path / "state", url)
    gate.check(FLOW, refund(1), "acct", amount=Decimal("60.00"), admit=True)
    gate.check(FLOW, refund(1), "acct", amount=Decimal("60.00"), admit=True)  # a retry
    with pytest.raises(PolicyBreach, match="max_total_per_day"):
        gate.check(FLOW, refund(2), "acct", amount=Decimal("50.00"), admit=True)
    gate.check(FLOW, refund(2), "acct", amount=Decimal("40.00"), admit=True)
    Gate(gate.path, tmp_path / "state", url).release(FLOW, refund(1), "acct")  # refused
    gate.check(FLOW, refund(3), "acct", amount=Decimal("50.00"), admit=True)
    gate.check(FLOW, refund(4), "acct", amount=Decimal("1.00"), admit=True)
    with pytest.raises(PolicyBreach, match="max_actions_per_day"):
        gate.check(FLOW, refund(5), "acct", amount=Decimal("1.00"))
    gate.check(FLOW, refund(5), "other-account", amount=Decimal("1.00"), admit=True)

    # An action done today counts once, whether read from the ledger or the admissions.
    ledger = Ledger(tmp_path / "state", url=url)
    ledger.start_run("r1", FLOW.name, source="cli")
    ledger.add_item("r1", 1, FLOW.name, "acct", refund(3).key, {})
    ledger.record("r1", 1, result("ESG-00003", amount="50.00"), ItemStatus.DONE)
    ledger.start_run("r2", FLOW.name, source="cli")  # and one done by hand, never admitted
    ledger.add_item("r2", 1, FLOW.name, "other-account", refund(6).key, {})
    ledger.record("r2", 1, result("ESG-00006", amount="99.50"), ItemStatus.DONE)
    with pytest.raises(PolicyBreach, match="max_total_per_day"):  # 1.00 + 99.50 + 1.00
        gate.check(FLOW, refund(7), "other-account", amount=Decimal("1.00"))
    with pytest.raises(PolicyBreach, match="max_actions_per_day"):  # 2, 3 (done) and 4
        gate.check(FLOW, refund(8), "acct")
    gate.check(FLOW, refund(3), "acct", amount=Decimal("50.00"))  # itself: not another
    with ledger.admission(FLOW.name, "acct", DAY) as day:
        assert sorted(day.admitted) == [refund(n).key for n in (2, 3, 4)]
        assert day.admitted[refund(2).key] == Decimal("40.00")
        assert [key for key, _ in day.done] == [refund(3).key]
    with ledger.admission(FLOW.name, "acct", DAY + timedelta(days=1)) as day:
        assert day.admitted == {}  # another day's count
    with ledger.admission(FLOW.name, "acct", DAY + timedelta(days=3)):
        pass  # days before the day before count no more: their admissions go
    with ledger.admission(FLOW.name, "acct", DAY) as day:
        assert day.admitted == {}


def test_the_ledger_commands_upgrade_and_migrate_to_postgresql(
    tmp_path: Path, pg_database: str
) -> None:
    from typer.testing import CliRunner

    import cli

    state = tmp_path / "state"
    Ledger(state).start_run("r1", FLOW.name, source="cli")  # a machine's own ledger
    env = {"PORTALPILOT_STATE_DIR": str(state)}

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli.app, [*args, "--json"], env=env)

    upgraded = run("ledger", "upgrade")
    moved = run("ledger", "migrate", "--to", pg_database)
    again = run("ledger", "migrate", "--to", pg_database)
    bad = run("ledger", "migrate", "--to", "mysql://x/y")

    assert upgraded.exit_code == 0 and json.loads(upgraded.stdout)["revision"]
    assert moved.exit_code == 0 and json.loads(moved.stdout)["copied"]["runs"] == 1
    assert again.exit_code == 0 and json.loads(again.stdout)["copied"]["runs"] == 0
    assert bad.exit_code == 2 and "--to" in json.loads(bad.stdout)["message"]
    assert [r["run_id"] for r in Ledger(url=pg_database).runs()] == ["r1"]
