"""Schedules: `portalpilot schedule add/list/remove`, and a firing run by the workers.

Bad input is refused before anything is stored; the round trip goes through the command
line in this process (typer's runner, on SQLite); a firing is real: DBOS fires a cron
with seconds (`*/2 * * * * *`: every two seconds, whatever the time of day) in a
`portalpilot worker` on PostgreSQL, and the mock portal says what was refunded.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, cli_env, make_settings
from test_engine import FLOW, bulk_refs, refund_counts, workers, write_csv
from typer.testing import CliRunner

import cli
from portalpilot._engine import ITEM_WORKFLOW, SCHEDULED_WORKFLOW, client
from portalpilot._enqueue import enqueue_scheduled, scheduled_run_id
from portalpilot._ledger import Ledger

EVERY_TWO_SECONDS = "*/2 * * * * *"  # DBOS's crons take seconds first (6 fields)


def schedule(*args: str, env: dict[str, str]) -> Any:
    """`portalpilot schedule ...` in this process."""
    return CliRunner().invoke(cli.app, ["schedule", *args], env=env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A machine of its own (state dir, no shared database); the portal is never reached."""
    return cli_env("http://127.0.0.1:9/kogan/", tmp_path / "state")


@pytest.fixture
def refunds_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "refunds.csv", bulk_refs(2))


def listed(env: dict[str, str]) -> list[dict[str, Any]]:
    shown = schedule("list", "--json", env=env)
    assert shown.exit_code == 0, shown.output
    return list(json.loads(shown.stdout)["schedules"])


@pytest.mark.parametrize(
    ("cron", "named"),
    [
        ("every night", "'every night' is not a cron expression"),
        ("61 2 * * *", "'61 2 * * *' is not a cron expression"),
        ("0 2 * *", "'0 2 * *' is not a cron expression"),
    ],
)
def test_a_bad_cron_is_refused_before_anything_is_stored(
    env: dict[str, str], refunds_csv: Path, cron: str, named: str
) -> None:
    added = schedule("add", cron, str(refunds_csv), "--flow", FLOW, "--json", env=env)

    assert added.exit_code == 2
    answer = json.loads(added.stdout)
    assert answer["outcome"] == "invalid" and named in answer["message"]
    assert "minute hour day month weekday" in answer["message"]  # what is accepted
    assert not (Path(env["PORTALPILOT_STATE_DIR"]) / "engine.sqlite3").exists()  # untouched
    assert listed(env) == []


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (None, "No such file"),
        ("reference,colour\nESG-1,red\n", "unknown column 'colour'; missing column 'reason'"),
        ("", "empty"),
        (b"reference,reason\nESG-1,\xff\n", "UTF-8"),
    ],
    ids=["missing", "bad column", "empty", "not UTF-8"],
)
def test_a_bad_file_is_refused_before_anything_is_stored(
    env: dict[str, str], tmp_path: Path, content: str | bytes | None, named: str
) -> None:
    batch = tmp_path / "nightly.csv"
    if isinstance(content, bytes):
        batch.write_bytes(content)
    elif content is not None:
        batch.write_text(content)

    added = schedule("add", "0 2 * * *", str(batch), "--flow", FLOW, "--json", env=env)

    assert added.exit_code == 2
    message = json.loads(added.stdout)["message"]
    assert str(batch) in message and named in message, message
    assert not (Path(env["PORTALPILOT_STATE_DIR"]) / "engine.sqlite3").exists()
    assert listed(env) == []


def test_a_bad_flow_or_time_zone_is_refused_and_nothing_stored(
    env: dict[str, str], refunds_csv: Path
) -> None:
    no_flow = schedule("add", "0 2 * * *", str(refunds_csv), "--flow", "kogan.nope", "--json",
                       env=env)  # fmt: skip
    no_zone = schedule("add", "0 2 * * *", str(refunds_csv), "--flow", FLOW, "--tz",
                       "Mars/Olympus", "--json", env=env)  # fmt: skip

    assert no_flow.exit_code == 2 and "no flow kogan.nope" in json.loads(no_flow.stdout)["message"]
    assert no_zone.exit_code == 2 and "Mars/Olympus" in json.loads(no_zone.stdout)["message"]
    assert listed(env) == []


def test_add_list_remove_round_trip(env: dict[str, str], refunds_csv: Path) -> None:
    nightly = schedule("add", "0 2 * * *", str(refunds_csv), "--flow", FLOW, "--name", "nightly",
                       "--tz", "Australia/Sydney", "--json", env=env)  # fmt: skip
    weekdays = schedule("add", "30 1 * * 1-5", str(refunds_csv), "--flow", FLOW, "--dry-run",
                        "--tz", "UTC", env=env)  # fmt: skip
    assert nightly.exit_code == 0, nightly.output
    assert weekdays.exit_code == 0, weekdays.output
    assert json.loads(nightly.stdout)["name"] == "nightly"
    assert "schedule refunds: 30 1 * * 1-5 (UTC)" in weekdays.stdout  # named after the file

    assert [(s["name"], s["cron"], s["tz"], s["flow"], s["file"], s["dry_run"]) for s in
            listed(env)] == [
        ("nightly", "0 2 * * *", "Australia/Sydney", FLOW, str(refunds_csv), False),
        ("refunds", "30 1 * * 1-5", "UTC", FLOW, str(refunds_csv), True),
    ]  # fmt: skip
    assert all(s["last_fired_at"] is None for s in listed(env))  # no worker: never fired

    again = schedule("add", "0 3 * * *", str(refunds_csv), "--flow", FLOW, "--name", "nightly",
                     "--json", env=env)  # fmt: skip
    assert again.exit_code == 2 and "nightly" in json.loads(again.stdout)["message"]
    assert [s["cron"] for s in listed(env) if s["name"] == "nightly"] == ["0 2 * * *"]  # kept

    removed = schedule("remove", "nightly", env=env)
    assert removed.exit_code == 0 and "schedule nightly removed" in removed.stdout
    assert [s["name"] for s in listed(env)] == ["refunds"]
    gone = schedule("remove", "nightly", env=env)
    assert gone.exit_code == 2 and "no schedule 'nightly'" in gone.stderr
    assert schedule("remove", "refunds", env=env).exit_code == 0
    assert listed(env) == []


def test_a_firing_has_the_same_run_id_on_any_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replayed firing (a crash, another worker) finds its run by this id: it must not
    depend on the time zone of the machine that replays it."""
    fired = "2026-12-02T02:00:00+11:00"
    ids = set()
    for zone in ("UTC", "Australia/Sydney", "America/New_York"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        ids.add(scheduled_run_id("nightly", fired))
    monkeypatch.undo()
    time.tzset()
    assert len(ids) == 1, ids
    assert scheduled_run_id("nightly", fired) != scheduled_run_id("weekly", fired)
    assert scheduled_run_id("nightly", fired) != scheduled_run_id(
        "nightly", "2026-12-03T02:00:00+11:00"
    )


def scheduled_runs(ledger: Ledger) -> list[dict[str, Any]]:
    """The runs the schedule started, first firing first."""
    return sorted(
        (run for run in ledger.runs() if run["source"] == "schedule"),
        key=lambda run: run["started_at"],
    )


@pytest.mark.slow  # a worker started from scratch, a schedule firing, three refunds
def test_a_firing_refunds_the_file_once_and_its_replay_queues_nothing(
    tmp_path: Path, kogan: MockPortal, pg_database: str
) -> None:
    kogan.reset(bulk=3)
    refs = bulk_refs(3)
    env = cli_env(kogan.url, tmp_path / "state", PORTALPILOT_DATABASE_URL=pg_database)
    batch = write_csv(tmp_path / "nightly.csv", refs)
    added = schedule("add", EVERY_TWO_SECONDS, str(batch), "--flow", FLOW, "--name", "nightly",
                     env=env)  # fmt: skip
    assert added.exit_code == 0, added.output
    ledger = Ledger(url=pg_database)
    time.sleep(2.5)  # a firing is due, but no worker runs: nothing fires
    assert scheduled_runs(ledger) == [] and kogan.events("refund") == []

    with workers(env, tmp_path, "w1"):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            runs = scheduled_runs(ledger)
            if runs and runs[0]["state"] == "finished":
                break
            time.sleep(0.2)
        removed = schedule("remove", "nightly", env=env)
        assert removed.exit_code == 0, removed.output
    # (The worker stopped on SIGTERM once what it had begun was done: nothing moves now.)

    assert refund_counts(kogan) == Counter(refs)  # every line once, whatever fired after
    first, *later = scheduled_runs(ledger)
    assert first["state"] == "finished", first
    items = ledger.items(first["run_id"])
    assert sorted(i.subject for i in items) == refs
    assert {i.result_status for i in items} == {"refunded"}
    for run in later:  # fired again before the removal: nothing done twice
        assert {i.result_status for i in ledger.items(run["run_id"])} <= {
            "duplicate",
            "already_done",
        }

    # The first firing, replayed (same schedule, same scheduled_at): its own run, not a
    # new one, and no item queued again.
    settings = make_settings(tmp_path / "state", kogan.url).model_copy(
        update={"database_url": pg_database}
    )
    with client(settings) as dbos:
        firings = dbos.list_workflows(name=SCHEDULED_WORKFLOW, sort_desc=False)
        item_workflows = len(dbos.list_workflows(name=ITEM_WORKFLOW, load_input=False))
    fired = next(f for f in firings if f.output == first["run_id"])
    assert fired.input is not None
    scheduled_at, context = fired.input["args"]
    assert item_workflows == 3  # a later firing found every item done: none queued

    again = enqueue_scheduled(settings, cli.FLOWS, context, scheduled_at.isoformat())

    assert again == first["run_id"]
    with client(settings) as dbos:
        assert len(dbos.list_workflows(name=ITEM_WORKFLOW, load_input=False)) == item_workflows
    assert [r["run_id"] for r in scheduled_runs(ledger)] == [first["run_id"]] + [
        r["run_id"] for r in later
    ]
    assert {i.result_status for i in ledger.items(first["run_id"])} == {"refunded"}
    assert refund_counts(kogan) == Counter(refs)


def test_a_worker_s_first_items_at_once_each_get_a_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A firing (or any queued run) hands a fresh worker several items at once, each in a
    DBOS thread of its own: the first two start the worker's browsers together."""
    from portalpilot._engine import RunRobot
    from portalpilot._results import Outcome, Result
    from portalpilot._workers import WorkerPool

    robot = RunRobot(make_settings(tmp_path / "state", "http://127.0.0.1:9/kogan/"), workers=2)
    monkeypatch.setattr(robot, "check", lambda flow: None)

    def refunded(slot: Any, flow: Any, item: str) -> Result:  # no portal: the item's own run
        return Result(flow=FLOW, status="refunded", outcome=Outcome.DONE, reference=item,
                      message="", run_id=robot.run_id)  # fmt: skip

    monkeypatch.setattr(robot, "_execute", refunded)
    together = threading.Barrier(2)
    pool_submit, thread_start = WorkerPool.submit, threading.Thread.start

    def submit_together(pool: WorkerPool, job: Any) -> Any:  # both items at the same moment
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=1)  # (alone in submit: the other never comes)
        return pool_submit(pool, job)

    def slow_start(thread: threading.Thread) -> None:  # a busy machine: starting takes a while
        if thread.name.startswith("browser-"):
            time.sleep(0.2)
        thread_start(thread)

    monkeypatch.setattr(WorkerPool, "submit", submit_together)
    monkeypatch.setattr(threading.Thread, "start", slow_start)
    no_flow: Any = None  # (check and _execute above need none)
    try:
        with ThreadPoolExecutor(2) as items:
            done = list(items.map(lambda n: robot.run_in(f"run-{n}", no_flow, f"ESG-{n}"), [1, 2]))
    finally:
        robot.close()
    assert [(r.reference, r.run_id) for r in done] == [("ESG-1", "run-1"), ("ESG-2", "run-2")]
