"""The command line as people and programs use it: exit codes, --json, bad input, secrets."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import KOGAN_PASSWORD, MockPortal, cli_env, run_cli


@pytest.fixture
def spy_browser(tmp_path: Path) -> tuple[Path, Path]:
    """A "browser" that only records that someone tried to start it."""
    marker = tmp_path / "browser-started"
    spy = tmp_path / "chromium-spy"
    spy.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    spy.chmod(0o755)
    return spy, marker


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["ESG12", "--reason", "Faulty Item"], "REFERENCE"),
        (["ESG-10012", "--reason", "broken"], "--reason"),
        (["ESG-10012", "--reason", "Faulty Item", "--comment", "x" * 501], "--comment"),
        (["ESG-10012", "--reason", "Faulty Item", "--sku", "A", "--all-items"], "--all-items"),
    ],
)
def test_bad_input_exits_2_naming_the_field_without_a_browser(
    tmp_path: Path, kogan: MockPortal, spy_browser: tuple[Path, Path], args: list[str], field: str
) -> None:
    spy, marker = spy_browser
    env = cli_env(kogan.url, tmp_path, PORTALPILOT_BROWSER__EXECUTABLE_PATH=str(spy))
    done = run_cli("kogan", "refund", *args, "--json", env=env, cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    answer = json.loads(done.stdout)
    assert answer["outcome"] == "invalid"
    assert [e["field"] for e in answer["errors"]] == [field]
    assert not marker.exists()
    assert kogan.events() == []


def test_human_message_for_bad_input_says_what_is_accepted(
    tmp_path: Path, kogan: MockPortal
) -> None:
    done = run_cli(
        "kogan", "refund", "ESG12", "--reason", "x", env=cli_env(kogan.url, tmp_path), cwd=tmp_path
    )
    assert done.returncode == 2
    assert "REFERENCE" in done.stderr and "ESG- followed by 5 to 10 digits" in done.stderr
    assert "Faulty Item" in done.stderr
    assert done.stdout == ""


def test_missing_credentials_exit_2(tmp_path: Path, kogan: MockPortal) -> None:
    env = cli_env(kogan.url, tmp_path)
    del env["PORTALPILOT_KOGAN__PASSWORD"]
    done = run_cli("kogan", "refund", "ESG-10012", "--reason", "Faulty Item", env=env, cwd=tmp_path)

    assert done.returncode == 2
    assert "PORTALPILOT_KOGAN__PASSWORD" in done.stderr
    assert kogan.events() == []


def test_refund_json_then_again_already_refunded(tmp_path: Path, kogan: MockPortal) -> None:
    env = cli_env(kogan.url, tmp_path)
    args = ("kogan", "refund", "esg-10012 ", "--reason", "FAULTY ITEM", "--json")
    first = run_cli(*args, env=env, cwd=tmp_path)
    second = run_cli(*args, env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    answer = json.loads(first.stdout)  # exactly one JSON object: json.loads refuses more
    assert {
        "flow",
        "status",
        "outcome",
        "reference",
        "message",
        "evidence",
        "attempts",
        "duration_s",
        "customer",
        "lines",
        "amount",
        "currency",
    } <= answer.keys()
    assert (answer["flow"], answer["status"], answer["reference"]) == (
        "kogan.refund",
        "refunded",
        "ESG-10012",
    )
    assert answer["amount"] == "89.95"
    assert [line["sku"] for line in answer["lines"]] == ["KG-BT-SPK"]
    assert second.returncode == 0
    assert json.loads(second.stdout)["status"] == "already_refunded"
    assert len(kogan.events("refund")) == 1
    # The second run reused the saved session: one login for both.
    assert len(kogan.events("login")) == 1


def test_an_unreadable_outcome_exits_4_and_the_same_command_never_refunds_twice(
    tmp_path: Path, kogan: MockPortal
) -> None:
    # The refund goes through; then the line's status reads in words the robot does not
    # know (knob `drift`): no proof either way, so unknown, exit 4, evidence named.
    kogan.faults(drift={"Refunded": "Money back"})
    env = cli_env(kogan.url, tmp_path / "state")
    args = ("kogan", "refund", "ESG-10012", "--reason", "Faulty Item", "--json")
    first = run_cli(*args, env=env, cwd=tmp_path)
    again = run_cli(*args, env=env, cwd=tmp_path)

    assert first.returncode == 4, first.stderr[-2000:]
    answer = json.loads(first.stdout)
    assert (answer["outcome"], answer["status"], answer["attempts"]) == ("unknown", "unknown", 1)
    assert answer["evidence"]
    assert again.returncode == 4, again.stderr[-2000:]
    assert [(e["reference"], e["sku"]) for e in kogan.events("refund")] == [
        ("ESG-10012", "KG-BT-SPK")
    ]
    # `runs show` tells a person which click to check in the portal.
    shown = run_cli("runs", "show", answer["run_id"], "--json", env=env, cwd=tmp_path)
    clicks = json.loads(shown.stdout)["clicks"]
    assert [(c["key"], c["state"]) for c in clicks] == [("ESG-10012/KG-BT-SPK/refund", "unknown")]
    text = run_cli("runs", "show", answer["run_id"], env=env, cwd=tmp_path).stdout
    assert "ESG-10012/KG-BT-SPK/refund" in text and "unknown" in text


def test_refusal_exits_1(tmp_path: Path, kogan: MockPortal) -> None:
    done = run_cli(
        "kogan",
        "refund",
        "ESG-20040",
        "--reason",
        "Change of Mind",
        env=cli_env(kogan.url, tmp_path),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "not_dispatched" in done.stdout
    assert kogan.events("refund") == []


def test_maintenance_exits_3_with_a_clear_message(tmp_path: Path, kogan: MockPortal) -> None:
    kogan.faults(maintenance=True)
    done = run_cli(
        "kogan",
        "refund",
        "ESG-10012",
        "--reason",
        "Faulty Item",
        "--json",
        env=cli_env(kogan.url, tmp_path),
        cwd=tmp_path,
    )

    assert done.returncode == 3
    answer = json.loads(done.stdout)
    assert answer["status"] == "maintenance"
    assert "maintenance" in answer["message"]
    assert answer["evidence"] and all(Path(p).exists() for p in answer["evidence"])


def test_dry_run_exits_0_and_changes_nothing(tmp_path: Path, kogan: MockPortal) -> None:
    done = run_cli(
        "kogan",
        "refund",
        "ESG-20410",
        "--reason",
        "Damage In Transit",
        "--dry-run",
        env=cli_env(kogan.url, tmp_path),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "would refund $1,234.50" in done.stdout
    assert kogan.events("refund") == []


def test_password_is_in_no_output_log_result_or_trace(tmp_path: Path, kogan: MockPortal) -> None:
    """A failed attempt with tracing on, JSON logs at debug level: then search everything."""
    kogan.faults(commit_then_error=1)
    state = tmp_path / "state"
    env = cli_env(kogan.url, state, PORTALPILOT_BROWSER__TRACE="true")
    refunded = run_cli(
        "--log-json",
        "-v",
        "kogan",
        "refund",
        "ESG-10012",
        "--reason",
        "Faulty Item",
        "--json",
        env=env,
        cwd=tmp_path,
    )
    kogan.faults(maintenance=True)
    failed = run_cli(
        "--log-json",
        "-v",
        "kogan",
        "refund",
        "ESG-100123",
        "--reason",
        "Faulty Item",
        "--json",
        env=env,
        cwd=tmp_path,
    )

    assert refunded.returncode == 0 and failed.returncode == 3
    traces = list(state.rglob("*.trace.zip"))
    assert traces, "tracing was on and an attempt failed: a trace is expected"
    texts = [refunded.stdout, refunded.stderr, failed.stdout, failed.stderr]
    for path in state.rglob("*"):
        if path.is_file() and path.suffix != ".zip":
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    for trace in traces:
        with zipfile.ZipFile(trace) as archive:
            texts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    assert all(KOGAN_PASSWORD not in text for text in texts)
    for line in refunded.stderr.splitlines():
        record = json.loads(line)["record"]  # --log-json: every line is JSON
        assert record["extra"]["flow"] in ("kogan.refund", "-")


def test_session_file_is_readable_by_its_owner_only(tmp_path: Path, kogan: MockPortal) -> None:
    state = tmp_path / "state"
    done = run_cli(
        "kogan",
        "refund",
        "ESG-20410",
        "--reason",
        "Faulty Item",
        "--dry-run",
        env=cli_env(kogan.url, state),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    [session] = (state / "sessions").glob("*.json")
    assert session.stat().st_mode & 0o077 == 0


def test_doctor_reports_browser_settings_and_portal(tmp_path: Path, kogan: MockPortal) -> None:
    done = run_cli("doctor", "--json", env=cli_env(kogan.url, tmp_path), cwd=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["browser"]["ok"] and report["browser"]["version"]
    assert report["portals"]["kogan"]["ok"] is True
    assert report["settings"]["kogan"]["password"] == "**********"
    assert report["policy"] == "no policy file: no limits"
    assert KOGAN_PASSWORD not in done.stdout
