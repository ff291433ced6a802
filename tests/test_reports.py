"""Reports and runs a person can act on: checked report paths, resumes that keep every
row, amounts and duplicates in the ledger, a flat CSV and an HTML page with screenshots."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, cli_env, run_cli
from playwright.sync_api import Page, expect

from flows.kogan_refund import FLOW
from portalpilot import ConfigError, Settings
from portalpilot._batch_run import BatchReport, resume_batch, run_batch_file
from portalpilot._batchfile import read_batch
from portalpilot._ledger import Ledger
from portalpilot._report_html import write_html
from portalpilot._results import Outcome, Result
from portalpilot._settings import BatchSettings

HEADER = "reference,reason,customer"
# Two refunds ($89.95 and $1,234.50), a wrong customer, a duplicate and a bad reason.
ROWS = [
    "ESG-10012,Faulty Item,Olivia Bennett",
    "ESG-20200,Faulty Item,Someone Else",
    "esg-10012 ,faulty item,",
    "ESG-20410,Faulty Item,Oliver Brown",
    "ESG-20400,Faulty Itm,",
]


class Quiet:
    def start(self, total: int) -> None: ...
    def advance(self, result: Any) -> None: ...
    def stop(self) -> None: ...


def write_batch(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run_batch(settings: Settings, batch: Path, report: Path | None) -> BatchReport:
    return run_batch_file(
        settings, FLOW, batch, workers=1, dry_run=False, strict=False, report=report,
        progress=Quiet, on_bad_rows=lambda rows: None,
    )  # fmt: skip


def resume(settings: Settings, run_id: str, report: Path | None = None) -> BatchReport:
    return resume_batch(
        settings, {FLOW.name: FLOW}, run_id, workers=1, report=report, progress=Quiet
    )


def ledger_of(settings: Settings) -> Ledger:
    return Ledger(settings.state_dir)


@pytest.mark.parametrize("where", ["proc", "under_a_file", "a_folder"])
def test_a_bad_report_path_is_refused_before_any_browser(
    tmp_path: Path, settings: Settings, kogan: MockPortal, where: str
) -> None:
    (tmp_path / "a-file.txt").write_text("x")
    report = {
        "proc": Path("/proc/r.csv"),
        "under_a_file": tmp_path / "a-file.txt" / "r.csv",
        "a_folder": tmp_path,
    }[where]
    batch = write_batch(tmp_path / "refunds.csv", ROWS[:1])

    with pytest.raises(ConfigError, match="--report") as error:
        run_batch(settings, batch, report)

    assert str(report) in str(error.value)
    assert kogan.events() == []  # no login, no refund: no browser started
    assert all(line["status"] == "Dispatched" for line in kogan.lines("ESG-10012"))
    assert not (settings.state_dir / "ledger.sqlite3").exists() or ledger_of(settings).runs() == []


def test_the_cli_refuses_a_report_in_proc_with_exit_2(tmp_path: Path, kogan: MockPortal) -> None:
    batch = write_batch(tmp_path / "refunds.csv", ROWS[:1])
    env = cli_env(kogan.url, tmp_path / "state")
    done = run_cli(
        "batch", str(batch), "--flow", "kogan.refund", "--report", "/proc/r.csv",
        env=env, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 2, done.stderr[-2000:]
    assert "--report /proc/r.csv" in done.stderr
    assert "Traceback" not in done.stderr
    assert kogan.events() == []


def test_a_batch_tells_what_it_changed_in_ledger_csv_and_html(
    tmp_path: Path, settings: Settings, kogan: MockPortal, page: Page
) -> None:
    batch = write_batch(tmp_path / "refunds.csv", ROWS)
    report = tmp_path / "out" / "report.csv"
    done = run_batch(settings, batch, report)

    assert done.report_path == report
    assert sorted(e["reference"] for e in kogan.events("refund")) == ["ESG-10012", "ESG-20410"]
    # The CSV: flat columns a spreadsheet sums, the reference as typed on the bad row.
    with report.open(newline="", encoding="utf-8") as handle:
        rows = {int(r["row"]): r for r in csv.DictReader(handle)}
    assert sorted(rows) == [2, 3, 4, 5, 6]
    assert sum(Decimal(r["amount"]) for r in rows.values() if r["amount"]) == Decimal("1324.45")
    assert rows[2]["amount"] == "89.95" and rows[5]["amount"] == "1234.50"
    assert rows[2]["changes"].startswith("refund KG-BT-SPK")
    assert {r["dry_run"] for r in rows.values()} == {"false"}  # JSON's spelling
    assert (rows[4]["status"], rows[4]["reference"]) == ("duplicate", "ESG-10012")
    assert (rows[6]["status"], rows[6]["reference"]) == ("invalid", "ESG-20400")
    assert rows[6]["message"].startswith('reason: "Faulty Itm" — expected one of')
    assert "'" not in rows[6]["message"] and "{" not in rows[6]["message"]

    # The ledger: what changed and how much, duplicates included.
    ledger = ledger_of(settings)
    [run] = ledger.runs()
    counts = {k: run[k] for k in ("items", "changed", "done", "refused", "invalid", "duplicates")}
    assert counts == {
        "items": 5, "changed": 2, "done": 2, "refused": 1, "invalid": 1, "duplicates": 1,
    }  # fmt: skip
    assert (run["amount"], run["failed"], run["unknown"], run["pending"]) == ("1324.45", 0, 0, 0)
    assert (run["source"], run["origin"], run["dry_run"]) == ("batch", str(batch), False)
    assert run["report"] == str(report)
    items = {item.row: item for item in ledger.items(run["run_id"])}
    assert [items[r].subject for r in sorted(items)] == [
        "ESG-10012", "ESG-20200", "ESG-10012", "ESG-20410", "ESG-20400",
    ]  # fmt: skip
    assert items[3].result_status == "customer_mismatch" and items[3].outcome == "refused"
    assert items[4].status.value == items[4].result_status == "duplicate"
    assert (items[5].amount, items[5].changed) == ("1234.50", True)
    shots = [p for p in items[3].evidence if p.endswith(".png")]
    assert shots and all(Path(p).exists() for p in shots)
    json.dumps([item.__dict__ for item in items.values()], default=str)  # `runs show --json`
    # A duplicate is never "done": the policy's count and "done before" ignore it.
    assert len(ledger.done_since(FLOW.name, "seller@example.com", "2000-01-01")) == 2
    ledger.close()

    # The HTML page, opened from its file in a real browser.
    html = settings.state_dir / "runs" / run["run_id"] / "report.html"
    assert done.html_path == html and html.exists()
    page.goto(html.as_uri())
    expect(page.locator("h1")).to_contain_text(run["run_id"])
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("kogan.refund")
    expect(summary).to_contain_text("1324.45")
    expect(summary).to_contain_text("batch")
    problem = page.locator("section.problem", has_text="ESG-20200")
    expect(problem).to_contain_text("customer_mismatch")
    expect(problem).to_contain_text(items[3].message)
    image = problem.locator("img")
    expect(image).to_have_count(len(shots))
    assert (image.first.get_attribute("src") or "").startswith("data:image/png;base64,")
    assert image.first.evaluate("img => img.complete && img.naturalWidth > 0")
    invalid = page.locator("section.problem", has_text="ESG-20400")
    expect(invalid).to_contain_text('reason: "Faulty Itm"')
    expect(page.locator("table tbody tr")).to_have_count(5)
    assert page.locator("[src^='http'], [href^='http'], link, script").count() == 0


def test_resume_of_a_finished_run_does_nothing_and_keeps_its_report(
    tmp_path: Path, settings: Settings, kogan: MockPortal
) -> None:
    batch = write_batch(tmp_path / "refunds.csv", ROWS[:1])
    report = tmp_path / "report.jsonl"
    done = run_batch(settings, batch, report)
    before = report.read_bytes()
    logins = len(kogan.events("login"))
    report.touch()
    stamp = report.stat().st_mtime_ns

    again = resume(settings, done.outcome.run_id)

    assert again.already_finished and again.exit_code == 0
    assert "already finished" in (again.message or "")
    assert again.report_path == report
    assert [row for row, _ in again.rows] == [2]
    assert report.read_bytes() == before and report.stat().st_mtime_ns == stamp
    assert len(kogan.events("login")) == logins  # no browser
    assert len(kogan.events("refund")) == 1


def test_resume_keeps_every_row_in_the_remembered_report(
    tmp_path: Path, settings: Settings, kogan: MockPortal
) -> None:
    settings = settings.model_copy(update={"batch": BatchSettings(stop_after_failures=1)})
    batch = write_batch(tmp_path / "refunds.csv", ROWS)
    report = tmp_path / "report.csv"
    kogan.faults(maintenance=True)
    first = run_batch(settings, batch, report)  # the first item fails: the batch stops

    run_id = first.outcome.run_id
    assert first.outcome.pending and kogan.events("refund") == []
    with report.open(newline="", encoding="utf-8") as handle:
        written = {int(r["row"]): r["status"] for r in csv.DictReader(handle)}
    assert written[4] == "duplicate" and written[6] == "invalid"

    # Still down: a resume to another report stops again; that report is now the run's.
    elsewhere = tmp_path / "later" / "report.jsonl"
    second = resume(settings, run_id, elsewhere)
    assert second.outcome.pending and second.report_path == elsewhere
    ledger = ledger_of(settings)
    assert (ledger.run(run_id) or {})["report"] == str(elsewhere)
    ledger.close()

    kogan.faults()  # maintenance is over
    third = resume(settings, run_id)

    assert not third.outcome.pending and third.report_path == elsewhere
    rows = [json.loads(line) for line in elsewhere.read_text().splitlines()]
    assert [(r["row"], r["status"]) for r in rows] == [
        (2, "refunded"), (3, "customer_mismatch"), (4, "duplicate"), (5, "refunded"),
        (6, "invalid"),
    ]  # fmt: skip
    assert rows[4]["reference"] == "ESG-20400"
    assert sorted(e["reference"] for e in kogan.events("refund")) == ["ESG-10012", "ESG-20410"]
    assert third.html_path and "ESG-20200" in third.html_path.read_text()
    [run] = ledger_of(settings).runs()
    assert (run["state"], run["items"], run["pending"]) == ("finished", 5, 0)
    assert run["amount"] == "1324.45"


def test_bad_rows_read_as_words_not_python(tmp_path: Path) -> None:
    batch = tmp_path / "refunds.jsonl"
    batch.write_text(
        '{"reason": "Faulty Item"}\n'
        '{"reference": "esg-10012", "reason": "Faulty Itm"}\n'
        '{"reference": "ESG-10012", "reason": "Faulty Item", "skus": ["A"], "all_items": true}\n'
    )
    _, bad = read_batch(batch, FLOW)

    described = [b.describe() for b in bad]
    assert described[0] == "line 1: reference: required"
    assert described[1].startswith('line 2: reason: "Faulty Itm" — expected one of: ')
    assert described[2].startswith("line 3: all_items: true — give either SKUs")
    assert [b.subject for b in bad] == ["", "esg-10012", "ESG-10012"]


def test_the_html_report_escapes_what_pages_said(tmp_path: Path) -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    result = Result(
        flow=FLOW.name, status="portal_error", outcome=Outcome.FAILED, reference="ESG-10012",
        message=hostile, evidence=[str(tmp_path / "gone.png"), str(tmp_path / "page.html")],
    )  # fmt: skip
    run = {"run_id": "r1", "flow": FLOW.name, "source": "batch", "origin": hostile,
           "state": "finished", "started_at": "2026-01-01T00:00:00", "dry_run": False}  # fmt: skip
    text = write_html(tmp_path / "report.html", run, [], [(2, result)]).read_text()

    assert "<script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert "gone.png" in text and "page.html" in text  # listed, though not embedded


def test_an_older_ledger_gains_the_new_columns(tmp_path: Path) -> None:
    import sqlite3

    state = tmp_path / "state"
    state.mkdir()
    old = sqlite3.connect(state / "ledger.sqlite3")
    old.executescript(
        "CREATE TABLE runs (run_id TEXT PRIMARY KEY, flow TEXT NOT NULL, source TEXT NOT NULL,"
        " origin TEXT, dry_run INTEGER NOT NULL DEFAULT 0, workers INTEGER NOT NULL DEFAULT 1,"
        " state TEXT NOT NULL, note TEXT, started_at TEXT NOT NULL, finished_at TEXT);"
        "CREATE TABLE items (run_id TEXT NOT NULL, row INTEGER NOT NULL, flow TEXT NOT NULL,"
        " account TEXT NOT NULL, item_key TEXT NOT NULL, input TEXT NOT NULL,"
        " status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, result TEXT,"
        " started_at TEXT, finished_at TEXT, PRIMARY KEY (run_id, row));"
        "INSERT INTO runs VALUES ('r0', 'kogan.refund', 'batch', NULL, 0, 1, 'finished', NULL,"
        " '2026-01-01T00:00:00.000', NULL);"
        "INSERT INTO items VALUES ('r0', 2, 'kogan.refund', 'a', 'ESG-10012/', '{}', 'pending',"
        " 0, NULL, NULL, NULL);"
    )
    old.commit()
    old.close()

    ledger = Ledger(state)
    Ledger(state).close()  # a second opening finds the columns there
    ledger.set_report("r0", "/x/report.csv")
    [run] = ledger.runs()
    assert (run["report"], run["items"], run["pending"], run["amount"]) == (
        "/x/report.csv", 1, 1, "0",
    )  # fmt: skip
    [item] = ledger.items("r0")
    assert (item.subject, item.result_status) == ("", "pending")
    ledger.close()
