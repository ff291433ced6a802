"""The command line keeps people's habits: -h, --version, help with examples and without
type labels, -v after the command, --json even for usage errors, plain-word errors, a
busy port in one line, and log lines that stay above a progress bar.

In-process (Typer's CliRunner) and without a browser: every case here stops before one.
"""

from __future__ import annotations

import io
import json
import re
import socket
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from loguru import logger
from pydantic import ValidationError
from rich.console import Console
from typer.testing import CliRunner

import cli
from flows import FLOWS
from portalpilot._cli_inputs import describe_errors, examples
from portalpilot._logging import configure_logging
from portalpilot._progress import BarProgress
from portalpilot._results import Outcome, Result

TYPE_LABELS = re.compile(r"<(str|bool|int|path|float|list)[^>]*>|\b(TEXT|INTEGER|BOOLEAN)\b")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No `.env`, no settings of the machine; logs back to normal afterwards."""
    for name in [n for n in __import__("os").environ if n.startswith("PORTALPILOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PORTALPILOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    yield
    configure_logging()


def run(*args: str) -> Any:
    return CliRunner().invoke(cli.app, list(args), prog_name="portalpilot")


def one_json(text: str) -> dict[str, Any]:
    answer = json.loads(text)  # exactly one JSON object: json.loads refuses more
    assert isinstance(answer, dict)
    return answer


def test_version() -> None:
    done = run("--version")
    assert done.exit_code == 0
    assert done.stdout.strip() == f"portalpilot {version('portalpilot')}"


@pytest.mark.parametrize("flag", ["-h", "--help"])
@pytest.mark.parametrize("words", [[], ["kogan", "refund"], ["batch"], ["mock", "serve"]])
def test_h_is_help(flag: str, words: list[str]) -> None:
    done = run(*words, flag)
    assert done.exit_code == 0, done.output
    assert "Usage: portalpilot" in done.stdout


def test_shell_completion_is_offered() -> None:
    text = run("-h").stdout
    assert "--install-completion" in text and "--show-completion" in text
    assert "--state-dir" in text and "--version" in text


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["batch"],
        ["doctor"],
        ["runs", "list"],
        ["runs", "show"],
        ["mock", "serve"],
        ["kogan", "refund"],
        ["kogan", "find-order"],
        ["chopni", "ship"],
        ["mirakl", "refund"],
    ],
)
def test_help_has_examples_and_no_type_labels(words: list[str]) -> None:
    text = run(*words, "-h").stdout
    assert not TYPE_LABELS.search(text), text
    assert "Examples:" in text
    assert "$ portalpilot " + " ".join(words) in text


def test_help_shows_defaults() -> None:
    assert "[default: 8765]" in run("mock", "serve", "-h").stdout
    assert "[default: 20]" in run("runs", "list", "-h").stdout
    assert "default: False" not in run("kogan", "refund", "-h").stdout


def test_flow_examples_are_accepted_by_the_flow() -> None:
    """The example of each flow command is one its input model accepts."""
    refund = run("kogan", "refund", "-h").stdout
    assert "$ portalpilot kogan refund ESG-10012 --reason 'Change of Mind'" in refund
    ship = run("chopni", "ship", "-h").stdout
    assert "$ portalpilot chopni ship 418002 --tracking 1051234567890" in ship
    flow = FLOWS["chopni.set_status"]
    first = examples(flow, "portalpilot chopni ship", {"status": "SHIPPED"})[0]
    assert first.endswith("--tracking 1051234567890")
    flow.input_model.model_validate(
        {"order": "418002", "status": "SHIPPED", "tracking": "1051234567890"}
    )


def test_options_that_do_not_apply_are_not_offered() -> None:
    assert "--dry-run" in run("kogan", "refund", "-h").stdout
    assert "--dry-run" not in run("kogan", "find-order", "-h").stdout  # read-only
    assert "--dry-run" not in run("mirakl", "overdue", "-h").stdout
    assert "--note" in run("chopni", "refund", "-h").stdout
    assert "--note" not in run("chopni", "complete", "-h").stdout
    assert "--status" not in run("chopni", "complete", "-h").stdout  # fixed by the face


def test_verbose_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("runs", "list", "--json").exit_code == 0
    capsys.readouterr()
    logger.debug("probe-quiet")
    assert "probe-quiet" not in capsys.readouterr().err

    done = run("runs", "list", "--json", "-v")
    assert done.exit_code == 0, done.output
    assert one_json(done.stdout) == {"runs": []}
    capsys.readouterr()
    logger.debug("probe-verbose")
    assert "probe-verbose" in capsys.readouterr().err


def test_log_json_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("runs", "list", "--log-json").exit_code == 0
    capsys.readouterr()
    logger.info("probe-json")
    line = capsys.readouterr().err.strip()
    assert json.loads(line)["record"]["message"] == "probe-json"


def test_a_value_that_looks_like_a_flag_stays_a_value() -> None:
    """`-v` as the value of an option is that value, not the verbose flag."""
    done = run("kogan", "refund", "ESG12", "--reason", "-v", "--json")
    assert done.exit_code == 2
    errors = one_json(done.stdout)["errors"]
    assert {"field": "--reason", "value": "-v"} in [
        {k: e[k] for k in ("field", "value")} for e in errors
    ]


def test_state_dir_option(tmp_path: Path) -> None:
    where = tmp_path / "elsewhere"
    done = run("--state-dir", str(where), "runs", "list", "--json")
    assert done.exit_code == 0, done.output
    assert (where / "ledger.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "flow", "field", "words"),
    [
        (["kogan", "refund", "ESG-10012", "--json"], "kogan.refund", "--reason", "required"),
        (
            ["kogan", "refund", "ESG-10012", "--reason", "Faulty Item", "--bogus", "--json"],
            "kogan.refund",
            "--bogus",
            "no such option",
        ),
        (["kogan", "refund", "--json"], "kogan.refund", "REFERENCE", "required"),
        (["kogan", "refund", "ESG-10012", "--json", "--reason"], "kogan.refund", "--reason", ""),
        (["runs", "list", "--limit", "many", "--json"], "runs list", "--limit", "integer"),
        (["batch", "x.csv", "--workers", "99", "--json"], "batch", "--workers", ""),
    ],
)
def test_usage_errors_with_json_are_one_json_object(
    args: list[str], flow: str, field: str, words: str
) -> None:
    done = run(*args)
    assert done.exit_code == 2, done.output
    answer = one_json(done.stdout)
    assert (answer["flow"], answer["status"], answer["outcome"]) == (flow, "invalid", "invalid")
    [error] = answer["errors"]
    assert error["field"] == field and words in error["problem"]
    assert answer["message"]


def test_usage_errors_without_json_stay_for_people() -> None:
    done = run("kogan", "refund", "ESG-10012")
    assert done.exit_code == 2
    assert done.stdout == ""
    assert "Missing option '--reason'" in done.stderr


def test_invalid_values_are_named_as_typed() -> None:
    done = run("kogan", "refund", "ESG12", "--reason", "broken", "--comment", "x" * 501, "--json")
    assert done.exit_code == 2
    errors = one_json(done.stdout)["errors"]
    assert [e["field"] for e in errors] == ["REFERENCE", "--reason", "--comment"]
    assert errors[1]["value"] == "broken" and "Faulty Item" in errors[1]["problem"]

    shown = run("kogan", "refund", "ESG-10012", "--reason", "broken", "--sku", "A", "--all-items")
    assert shown.exit_code == 2
    assert "--reason: expected one of: Change of Mind" in shown.stderr
    assert "(got broken)" in shown.stderr and "'broken'" not in shown.stderr
    assert "--all-items:" in shown.stderr


def test_describe_errors_in_plain_words() -> None:
    flow = FLOWS["mirakl.refund"]
    with pytest.raises(ValidationError) as raised:
        flow.input_model.model_validate({"order_id": "8817455903-A", "lines": "A:1; B:0"})
    problems = describe_errors(raised.value)
    fields = [p["field"] for p in problems]
    assert "reason" in fields
    reason = next(p for p in problems if p["field"] == "reason")
    assert reason == {"field": "reason", "value": None, "problem": "required"}
    assert any(re.fullmatch(r"lines\[2\](\.units)?", f) for f in fields), fields
    for problem in problems:
        assert "{" not in str(problem["value"]) and "'" not in str(problem["value"])

    typed = describe_errors(raised.value, {"reason": "--reason", "lines": "--line"})
    assert "--reason" in [p["field"] for p in typed]
    assert any(f.startswith("--line[2]") for f in [p["field"] for p in typed])


def test_batch_strict_json_lists_the_bad_rows(tmp_path: Path) -> None:
    rows = tmp_path / "refunds.csv"
    rows.write_text("reference,reason\nESG-10012,Faulty Item\nESG12,Faulty Item\nESG-10013,x\n")
    done = run("batch", str(rows), "--flow", "kogan.refund", "--strict", "--json")
    assert done.exit_code == 2, done.output
    answer = one_json(done.stdout)
    assert answer["status"] == "invalid" and "--strict" in answer["message"]
    assert [(e["line"], e["value"]) for e in answer["errors"]] == [(3, "ESG12"), (4, "x")]
    assert all(e["problem"] for e in answer["errors"])


def test_busy_port_is_one_line_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run("mock", "serve", "--port", str(port))
    assert done.exit_code == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"port {port} is in use: ")
    assert line.endswith("; choose another with --port")


def test_doctor_login_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def diagnose(settings: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return {"ok": True}

    monkeypatch.setattr("portalpilot._doctor.diagnose", diagnose)
    assert run("doctor", "--json").exit_code == 0
    assert run("doctor", "--login", "--json").exit_code == 0
    assert calls == [{"login": False}, {"login": True}]


def _result(reference: str) -> Result:
    return Result(
        flow="kogan.refund",
        status="refunded",
        outcome=Outcome.DONE,
        reference=reference,
        message="",
    )


def test_logs_print_above_a_live_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    screen = io.StringIO()
    console = Console(file=screen, record=True, force_terminal=True, width=120)
    configure_logging()
    bar = BarProgress(console)
    bar.start(2)
    logger.info("first line of the log")
    bar.advance(_result("ESG-10012"))
    logger.warning("second line of the log")
    bar.advance(_result("ESG-10013"))
    bar.stop()
    logger.info("after the bar")

    raw = screen.getvalue()
    for words in ("first line of the log", "second line of the log"):
        # Printed by the bar's own console: the bar's line is erased (CR, erase-line),
        # the log line is written whole, and the bar is drawn again under it.
        found = re.search(r"\r\x1b\[2K([^\r\n\x1b]*)" + words + r"\n\x1b\[1mbatch", raw)
        assert found, raw
        assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} (INFO|WARNING) +- - ", found.group(1))
    assert "2/2" in console.export_text()  # the bar itself, at the end
    err = capsys.readouterr().err
    assert "first line of the log" not in err  # nothing written around the bar
    assert "after the bar" in err and "\x1b[" not in err  # plain lines off a terminal
