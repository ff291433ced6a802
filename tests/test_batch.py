"""Batch runs from files: exactly once under faults, resumable after SIGKILL, stoppable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, MockPortal, cli_env, run_cli

from flows.kogan_refund import FLOW
from portalpilot._batchfile import BatchFileError, read_batch

BULK = 3_000_000


def bulk_refs(count: int) -> list[str]:
    return [f"ESG-{BULK + i}" for i in range(count)]


def write_csv(path: Path, rows: list[str], header: str = "reference,reason") -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def refund_counts(kogan: MockPortal) -> Counter[str]:
    return Counter(event["reference"] for event in kogan.events("refund"))


def report_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_fifty_rows_under_faults_refund_each_line_exactly_once(
    tmp_path: Path, kogan: MockPortal
) -> None:
    kogan.reset(bulk=50)
    kogan.faults(error_rate=0.2, commit_then_error=3, session_ttl_s=3, seed=11)
    refs = bulk_refs(50)
    rows = [f"{ref},Faulty Item" for ref in refs]
    rows += ["ESG-20040,Change of Mind", "ESG-20110,Faulty Item", f"{refs[0]},faulty item"]
    batch = write_csv(tmp_path / "refunds.csv", rows)
    report = tmp_path / "report.jsonl"
    env = cli_env(
        kogan.url,
        tmp_path / "state",
        PORTALPILOT_RETRIES__ATTEMPTS="20",
        PORTALPILOT_BATCH__STOP_AFTER_FAILURES="50",
    )
    done = run_cli(
        "batch", str(batch), "--flow", "kogan.refund", "--workers", "2", "--report", str(report),
        "--json", env=env, cwd=tmp_path, timeout=600,
    )  # fmt: skip

    assert done.returncode == 1, done.stderr[-3000:]  # some rows refused, none failed
    counts = refund_counts(kogan)
    assert counts == Counter(refs)  # every line once: none twice, none missed
    summary = json.loads(done.stdout)
    assert summary["counts"]["duplicate"] == 1
    assert summary["counts"]["not_dispatched"] == summary["counts"]["not_found"] == 1
    statuses = Counter(row["status"] for row in report_rows(report))
    assert statuses["refunded"] == 50
    assert len(report_rows(report)) == 53


def test_sigkill_halfway_then_resume_finishes_exactly_once(
    tmp_path: Path, kogan: MockPortal
) -> None:
    kogan.reset(bulk=24)
    refs = bulk_refs(24)
    batch = write_csv(tmp_path / "refunds.csv", [f"{ref},Faulty Item" for ref in refs])
    env = cli_env(kogan.url, tmp_path / "state")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "batch", str(batch), "--flow", "kogan.refund",
         "--workers", "2"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(kogan.events("refund")) < 8 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the machine "reboots": browsers and all
        process.wait()
    halfway = len(kogan.events("refund"))
    assert 8 <= halfway < 24

    runs = json.loads(run_cli("runs", "list", "--json", env=env, cwd=tmp_path).stdout)["runs"]
    [run] = runs
    assert run["state"] == "running" and run["pending"] > 0
    resumed = run_cli("batch", "--resume", run["run_id"], "--json", env=env, cwd=tmp_path)

    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert refund_counts(kogan) == Counter(refs)
    shown = json.loads(
        run_cli("runs", "show", run["run_id"], "--json", env=env, cwd=tmp_path).stdout
    )
    assert {item["status"] for item in shown["items"]} == {"done"}
    assert shown["run"]["state"] == "finished"


def test_maintenance_stops_the_batch_and_resume_finishes_it(
    tmp_path: Path, kogan: MockPortal
) -> None:
    kogan.reset(bulk=8)
    refs = bulk_refs(8)
    batch = write_csv(tmp_path / "refunds.csv", [f"{ref},Faulty Item" for ref in refs])
    env = cli_env(
        kogan.url,
        tmp_path / "state",
        PORTALPILOT_RETRIES__ATTEMPTS="1",
        PORTALPILOT_BATCH__STOP_AFTER_FAILURES="3",
    )
    kogan.faults(maintenance=True)
    stopped = run_cli(
        "batch", str(batch), "--flow", "kogan.refund", "--workers", "1", "--json",
        env=env, cwd=tmp_path,
    )  # fmt: skip

    assert stopped.returncode == 3
    summary = json.loads(stopped.stdout)
    assert "3 system failures in a row" in summary["stopped"]
    assert summary["pending"] == 5
    assert kogan.events("refund") == []

    kogan.faults()  # maintenance is over
    resumed = run_cli("batch", "--resume", summary["run_id"], "--json", env=env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert refund_counts(kogan) == Counter(refs)


def test_rows_done_in_an_earlier_run_are_not_done_again(tmp_path: Path, kogan: MockPortal) -> None:
    batch = write_csv(
        tmp_path / "refunds.jsonl",
        ['{"reference": "ESG-10012", "reason": "Faulty Item"}',
         '{"reference": "ESG-20020", "reason": "Wrong Goods", "skus": ["KG-USB-HUB"]}'],
        header="",
    )  # fmt: skip
    env = cli_env(kogan.url, tmp_path / "state")
    first = run_cli("batch", str(batch), "--flow", "kogan.refund", "--json", env=env, cwd=tmp_path)
    second = run_cli("batch", str(batch), "--flow", "kogan.refund", "--json", env=env, cwd=tmp_path)

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout)["counts"] == {"refunded": 2}
    assert json.loads(second.stdout)["counts"] == {"already_done": 2}
    assert len(kogan.events("refund")) == 2
    assert len(kogan.events("login")) == 1  # the second run never opened the portal


@pytest.fixture
def spy_env(tmp_path: Path, kogan: MockPortal) -> tuple[dict[str, str], Path]:
    marker = tmp_path / "browser-started"
    spy = tmp_path / "chromium-spy"
    spy.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    spy.chmod(0o755)
    env = cli_env(kogan.url, tmp_path / "state", PORTALPILOT_BROWSER__EXECUTABLE_PATH=str(spy))
    return env, marker


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"reference\nESG-10012\n", "missing column 'reason'"),
        (b"reference,reason,amount\nESG-10012,Faulty Item,5\n", "unknown column 'amount'"),
        (b"reference,reason\nESG-10012,Faulty \xe9tem\n", "line 2 is not UTF-8"),
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"reference,reason\nESG12,Faulty Item\nESG-10012,Faulty Item\n", "reference"),
    ],
)
def test_bad_files_are_refused_before_any_browser(
    tmp_path: Path, spy_env: tuple[dict[str, str], Path], content: bytes, words: str,
    kogan: MockPortal,
) -> None:  # fmt: skip
    env, marker = spy_env
    batch = tmp_path / "refunds.csv"
    batch.write_bytes(content)
    done = run_cli("batch", str(batch), "--flow", "kogan.refund", "--strict", env=env,
                   cwd=tmp_path)  # fmt: skip

    assert done.returncode == 2
    assert words in done.stderr
    assert not marker.exists()
    assert kogan.events() == []


def test_bom_blank_lines_and_header_words_are_read(tmp_path: Path) -> None:
    batch = tmp_path / "refunds.csv"
    batch.write_bytes(
        "\ufeffReference, Reason ,SKU,All items\r\n\r\nesg-20020 ,wrong goods,kg-usb-hub,\r\n"
        ",,,\r\nESG-10012,Faulty Item,,\r\n".encode()
    )
    rows, bad = read_batch(batch, FLOW)

    assert bad == []
    assert [(row.line, row.item.reference, row.item.skus) for row in rows] == [
        (3, "ESG-20020", ["KG-USB-HUB"]),
        (5, "ESG-10012", []),
    ]


def test_bad_rows_name_line_field_value_and_what_is_accepted(tmp_path: Path) -> None:
    batch = tmp_path / "refunds.jsonl"
    batch.write_text(
        '{"reference": "ESG-10012", "reason": "Faulty Item"}\n'
        '{"reference": "ESG-10012", "reason": "broken"}\n'
        "not json\n"
        '{"reference": "ESG-10012", "reason": "Faulty Item", "amount": 5}\n'
    )
    rows, bad = read_batch(batch, FLOW)

    assert [row.line for row in rows] == [1]
    assert [(b.line, b.field) for b in bad] == [(2, "reason"), (3, "row"), (4, "amount")]
    assert "Faulty Item" in bad[0].problem


def test_unreadable_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(BatchFileError, match="No such file"):
        read_batch(tmp_path / "missing.csv", FLOW)


def test_flow_name_and_arguments_are_checked(tmp_path: Path, kogan: MockPortal) -> None:
    env = cli_env(kogan.url, tmp_path)
    unknown = run_cli("batch", "x.csv", "--flow", "kogan.nope", env=env, cwd=ROOT)
    assert unknown.returncode == 2 and "kogan.refund" in unknown.stderr
    neither = run_cli("batch", env=env, cwd=tmp_path)
    assert neither.returncode == 2
