"""Durable runs on DBOS: batches handed to `portalpilot worker` processes, exactly once.

Real mock portals, real headless Chromium, real DBOS (SQLite beside the ledger): the
workers are subprocesses, as on a server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import MockPortal, cli_env, run_cli

BULK = 3_000_000
FLOW = "kogan.refund"


def bulk_refs(count: int) -> list[str]:
    return [f"ESG-{BULK + i}" for i in range(count)]


def write_csv(path: Path, refs: list[str]) -> Path:
    path.write_text("reference,reason\n" + "".join(f"{r},Faulty Item\n" for r in refs))
    return path


def refund_counts(kogan: MockPortal) -> Counter[str]:
    return Counter(event["reference"] for event in kogan.events("refund"))


def enqueue(batch: Path, env: dict[str, str], cwd: Path) -> str:
    queued = run_cli("batch", str(batch), "--flow", FLOW, "--enqueue", "--json", env=env, cwd=cwd)
    assert queued.returncode == 0, queued.stderr[-3000:]
    summary = json.loads(queued.stdout)
    assert summary["queued"] == summary["rows"]
    return str(summary["run_id"])


def start_worker(name: str, env: dict[str, str], cwd: Path, *extra: str) -> subprocess.Popen[str]:
    log = (cwd / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "worker", "--name", name, "--workers", "1", *extra],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log, text=True,
        start_new_session=True,
    )  # fmt: skip


@contextmanager
def workers(
    env: dict[str, str], cwd: Path, *names: str, extra: tuple[str, ...] = ()
) -> Iterator[dict[str, subprocess.Popen[str]]]:
    started = {name: start_worker(name, env, cwd, *extra) for name in names}
    try:
        yield started
    finally:
        for process in started.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the items in flight finish
        for process in started.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def follow(run_id: str, env: dict[str, str], cwd: Path) -> dict:
    followed = run_cli("runs", "show", run_id, "--follow", "--json", env=env, cwd=cwd, timeout=150)
    assert followed.returncode == 0, followed.stderr[-3000:]
    assert f"run {run_id}: " in followed.stderr  # progress lines while it ran
    return json.loads(followed.stdout)


def items_by_worker(cwd: Path, names: tuple[str, ...]) -> dict[str, int]:
    return {name: (cwd / f"{name}.log").read_text().count(" row ") for name in names}


def test_two_workers_share_a_queued_batch_under_faults_exactly_once(
    tmp_path: Path, kogan: MockPortal
) -> None:
    kogan.reset(bulk=12)
    kogan.faults(error_rate=0.15, commit_then_error=2, session_ttl_s=3, seed=5)
    refs = bulk_refs(12)
    env = cli_env(kogan.url, tmp_path / "state", PORTALPILOT_RETRIES__ATTEMPTS="20")
    run_id = enqueue(write_csv(tmp_path / "refunds.csv", refs), env, tmp_path)
    assert kogan.events("refund") == []  # queued, not run

    with workers(env, tmp_path, "w1", "w2") as started:
        shown = follow(run_id, env, tmp_path)
    assert all(process.returncode == 0 for process in started.values())  # SIGTERM: clean

    assert refund_counts(kogan) == Counter(refs)  # every line once: none twice, none missed
    assert shown["run"]["state"] == "finished"
    assert {item["status"] for item in shown["items"]} == {"done"}
    assert Counter(item["result_status"] for item in shown["items"])["refunded"] == 12
    assert all(count > 0 for count in items_by_worker(tmp_path, ("w1", "w2")).values())
    report = Path(shown["run"]["report"])
    assert len(report.read_text().splitlines()) == 12


def test_a_killed_worker_s_items_are_finished_by_another_exactly_once(
    tmp_path: Path, kogan: MockPortal
) -> None:
    kogan.reset(bulk=12)
    kogan.faults(error_rate=0.1, commit_then_error=1, seed=3)
    refs = bulk_refs(12)
    env = cli_env(kogan.url, tmp_path / "state", PORTALPILOT_RETRIES__ATTEMPTS="20")
    run_id = enqueue(write_csv(tmp_path / "refunds.csv", refs), env, tmp_path)

    with workers(env, tmp_path, "w1", "w2", extra=("--takeover-after", "3")) as started:
        deadline = time.monotonic() + 60
        while len(kogan.events("refund")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(started["w1"].pid, signal.SIGKILL)  # the machine dies: browser and all
        started["w1"].wait()
        assert len(kogan.events("refund")) < 12
        shown = follow(run_id, env, tmp_path)

    assert refund_counts(kogan) == Counter(refs)
    assert {item["status"] for item in shown["items"]} == {"done"}
    assert "taken over" in (tmp_path / "w2.log").read_text()


def test_the_same_file_enqueued_twice_at_once_is_refunded_once(
    tmp_path: Path, kogan: MockPortal
) -> None:
    kogan.reset(bulk=6)
    refs = bulk_refs(6)
    env = cli_env(kogan.url, tmp_path / "state")
    batch = write_csv(tmp_path / "refunds.csv", refs)
    command = [sys.executable, "-m", "cli", "batch", str(batch), "--flow", FLOW, "--enqueue",
               "--json"]  # fmt: skip
    both = [
        subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    runs = []
    for process in both:
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        runs.append(json.loads(output))
    # Every row is queued by exactly one of the two; the other run has it as a duplicate.
    assert sorted(run["queued"] for run in runs) == sorted(
        [runs[0]["queued"], 6 - runs[0]["queued"]]
    )
    assert sum(run["counts"].get("duplicate", 0) for run in runs) == 6

    with workers(env, tmp_path, "w1"):
        shown = [follow(run["run_id"], env, tmp_path) for run in runs]

    assert refund_counts(kogan) == Counter(refs)
    by_row: dict[int, list[str]] = {}
    for run in shown:
        for item in run["items"]:
            by_row.setdefault(item["row"], []).append(item["result_status"])
    assert all(sorted(statuses) == ["duplicate", "refunded"] for statuses in by_row.values())


def test_follow_ends_when_the_run_finishes(tmp_path: Path, kogan: MockPortal) -> None:
    refs = ["ESG-10012"]
    env = cli_env(kogan.url, tmp_path / "state")
    batch = tmp_path / "one.csv"
    batch.write_text("reference,reason\nESG-10012,Faulty Item\nESG-99999,Faulty Item\n")
    run_id = enqueue_any(batch, env, tmp_path)
    follower = subprocess.Popen(
        [sys.executable, "-m", "cli", "runs", "show", run_id, "--follow"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1.5)
    assert follower.poll() is None  # nothing works the queue yet: it waits
    with workers(env, tmp_path, "w1"):
        output, _ = follower.communicate(timeout=90)

    assert follower.returncode == 1  # the worst item: ESG-99999 not found (refused)
    assert "0/2" in output and "2/2" in output
    assert refund_counts(kogan) == Counter(refs)


def enqueue_any(batch: Path, env: dict[str, str], cwd: Path) -> str:
    queued = run_cli("batch", str(batch), "--flow", FLOW, "--enqueue", "--json", env=env, cwd=cwd)
    assert queued.returncode == 0, queued.stderr[-3000:]
    return str(json.loads(queued.stdout)["run_id"])


def test_two_machines_on_postgresql_one_dies_every_line_refunded_once(
    tmp_path: Path, kogan: MockPortal, pg_database: str
) -> None:
    """Two "machines" (state dirs of their own) share the engine, the ledger and the
    commit guard's intents in PostgreSQL; one is killed mid-run, the other finishes."""
    kogan.reset(bulk=12)
    kogan.faults(error_rate=0.1, commit_then_error=2, session_ttl_s=3, seed=9)
    refs = bulk_refs(12)
    shared = {"PORTALPILOT_DATABASE_URL": pg_database, "PORTALPILOT_RETRIES__ATTEMPTS": "20"}
    env_a = cli_env(kogan.url, tmp_path / "machine-a", **shared)
    env_b = cli_env(kogan.url, tmp_path / "machine-b", **shared)
    run_id = enqueue(write_csv(tmp_path / "refunds.csv", refs), env_a, tmp_path)

    with (
        workers(env_a, tmp_path, "a1", extra=("--takeover-after", "3")) as a,
        workers(env_b, tmp_path, "b1", extra=("--takeover-after", "3")),
    ):
        deadline = time.monotonic() + 60
        while len(kogan.events("refund")) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(a["a1"].pid, signal.SIGKILL)
        a["a1"].wait()
        shown = follow(run_id, env_b, tmp_path)  # read on the other machine

    assert refund_counts(kogan) == Counter(refs)
    assert {item["status"] for item in shown["items"]} == {"done"}
    assert shown["run"]["state"] == "finished"
    assert not (tmp_path / "machine-b" / "engine.sqlite3").exists()  # the engine is shared
