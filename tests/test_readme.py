"""README.md's examples run as written, in order, against the mock portals.

Which lines are examples: every line of a ```sh block that starts with `portalpilot `,
optionally after `NAME=value` settings (`PORTALPILOT_POLICY_FILE=… portalpilot …`). A
trailing `# exit N` is the exit code the line must give; without one, 0. `RUN_ID` is
replaced by the newest batch run's id (from `runs list --json`). Not run, each for a
reason: `mock serve` and `mcp` (servers that wait for Ctrl-C), `demo` (its own mock),
shell completion (writes to the shell's files), and `TOKEN` lines (an agent's plan first).

The commands run in-process (Typer's CliRunner, as tests/test_cli_habits.py does), one
after another as a person would in one shell: one state dir for the whole README (the
batch sees the earlier refund as `already_done`, `runs show` sees the batch), freshly
reset portals, the demo logins, a working folder of its own holding `docs/` (the example
files), so no `.env` of the machine is read.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FOREIGN
from typer.testing import CliRunner

import cli
from fixtures import demo_logins
from fixtures.server import demo_settings
from portalpilot import _registry as registry
from portalpilot._logging import configure_logging
from portalpilot._settings import Settings, _names

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED_EXIT = re.compile(r"#\s*exit\s+(\d+)\b")
SETTING = re.compile(r"^[A-Z_][A-Z0-9_]*=")


@dataclass
class Example:
    line: int  # in README.md
    text: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    expected: int = 0
    skip: str | None = None  # why it is not run

    def __str__(self) -> str:
        return f"README.md:{self.line}: {self.text}"


def _skip_reason(args: list[str]) -> str | None:
    if args[:2] == ["mock", "serve"]:
        return "a server that runs until Ctrl-C (the test starts its own mock)"
    if args[:1] == ["mcp"]:
        return "the MCP server waits for a client"
    if args[:1] == ["demo"]:
        return "the demo starts its own mock portal"
    if {"--install-completion", "--show-completion"} & set(args):
        return "shell completion writes to the shell's files"
    if "TOKEN" in args:
        return "needs an agent's planned action first"
    if args[:1] == ["worker"]:
        return "a worker runs until Ctrl-C (tests/test_engine.py runs real ones)"
    if "--follow" in args or "--enqueue" in args or args[:1] == ["schedule"]:
        return "queued runs need a worker (tests/test_engine.py)"
    if "postgresql://" in " ".join(args):
        return "needs a PostgreSQL server (tests/test_database.py starts one)"
    return None


def readme_examples(text: str | None = None) -> list[Example]:
    """Every `portalpilot …` line of the README's ```sh blocks, in order."""
    text = README.read_text(encoding="utf-8") if text is None else text
    found = []
    for block in SH_BLOCK.finditer(text):
        first = text.count("\n", 0, block.start(1)) + 1
        lines = block.group(1).splitlines()
        joined: list[tuple[int, str]] = []
        for number, line in enumerate(lines, start=first):
            if joined and joined[-1][1].endswith("\\"):
                joined[-1] = (joined[-1][0], joined[-1][1][:-1] + " " + line.strip())
            else:
                joined.append((number, line.strip()))
        for number, line in joined:
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line, comments=True)
            env = {}
            while words and SETTING.match(words[0]):
                name, value = words.pop(0).split("=", 1)
                env[name] = value
            if not words or words[0] != "portalpilot":
                continue
            args = words[1:]
            code = EXPECTED_EXIT.search(line)
            found.append(
                Example(
                    line=number,
                    text=line,
                    args=args,
                    env=env,
                    expected=int(code.group(1)) if code else 0,
                    skip=_skip_reason(args),
                )
            )
    return found


# --- the parser and the README's coverage, without a browser ---------------------------


def test_the_convention() -> None:
    sample = "\n".join(
        [
            "```sh",
            "cat file.csv",
            "portalpilot kogan refund ESG-10012 --reason 'Faulty Item'    # exit 1",
            "X_Y=a/b portalpilot runs show RUN_ID",
            "portalpilot batch f.csv \\",
            "    --flow kogan.refund",
            "portalpilot mock serve",
            "```",
            "```text",
            "portalpilot not run",
            "```",
        ]
    )
    found = readme_examples(sample)
    assert [(e.args, e.env, e.expected, e.skip is None) for e in found] == [
        (["kogan", "refund", "ESG-10012", "--reason", "Faulty Item"], {}, 1, True),
        (["runs", "show", "RUN_ID"], {"X_Y": "a/b"}, 0, True),
        (["batch", "f.csv", "--flow", "kogan.refund"], {}, 0, True),
        (["mock", "serve"], {}, 0, False),
    ]
    assert found[0].line == 3


def test_every_portal_command_has_an_example() -> None:
    examples = readme_examples()
    commands = {tuple(e.args[:2]) for e in examples}
    group = cli.app  # the Typer app; its portal groups are the registered portals
    wanted = set()
    for info in group.registered_groups:
        if info.name and info.name.replace("-", "_") in registry.portals():
            for command in info.typer_instance.registered_commands:
                wanted.add((info.name, command.name))
    assert wanted, "no portal commands found"
    assert sorted(wanted - commands) == []


def test_every_setting_is_in_the_table() -> None:
    text = README.read_text(encoding="utf-8")
    names = set(_names("PORTALPILOT_", Settings))
    for name, portal in registry.portals().items():
        names |= set(_names(f"PORTALPILOT_{name.upper()}__", portal.settings))
    assert sorted(n for n in names if f"`{n}`" not in text) == []


def test_example_files_exist() -> None:
    for example in readme_examples():
        for word in example.args + list(example.env.values()):
            if word.startswith("docs/"):
                assert (ROOT / word).is_file(), f"{example}: {word} is missing"


# --- the examples, against the mock portals ------------------------------------------------


@pytest.fixture
def shell(tmp_path: Path, base_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A person's shell after `mock serve` and its exports, in a folder of its own."""
    if FOREIGN["markup"]:
        pytest.skip("the README's examples use our mock portals' seed data")
    for name in [n for n in os.environ if n.startswith("PORTALPILOT_")]:
        monkeypatch.delenv(name)
    logins = demo_logins()
    # The portals the CLI knows and the mock serves (a portal being added may lack one).
    # (The mock's address has `-` where the portal's name has `_`: /kogan-inbox/.)
    for portal in sorted(set(registry.portals()) & {m.replace("-", "_") for m in logins}):
        mock = portal.replace("_", "-")
        email, password = logins[mock]
        prefix = f"PORTALPILOT_{portal.upper()}__"
        monkeypatch.setenv(f"{prefix}BASE_URL", f"{base_url}/{mock}/")
        monkeypatch.setenv(f"{prefix}EMAIL", email)
        monkeypatch.setenv(f"{prefix}PASSWORD", password)
        for setting, value in demo_settings()[mock].items():
            monkeypatch.setenv(f"{prefix}{setting}", value)
        httpx.post(f"{base_url}/{mock}/__mock__/reset", json={}, timeout=30).raise_for_status()
    monkeypatch.setenv("PORTALPILOT_STATE_DIR", str(tmp_path / "state"))
    # The test suite's quick retries (tests/conftest.py `cli_env`).
    monkeypatch.setenv("PORTALPILOT_RETRIES__ATTEMPTS", "3")
    monkeypatch.setenv("PORTALPILOT_RETRIES__BACKOFF_S", "0.05")
    monkeypatch.setenv("PORTALPILOT_RETRIES__BACKOFF_MAX_S", "0.2")
    monkeypatch.setenv("COLUMNS", "120")
    work = tmp_path / "work"
    work.mkdir()
    (work / "docs").symlink_to(ROOT / "docs")
    monkeypatch.chdir(work)
    yield work
    configure_logging()


def invoke(args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli.app, args, prog_name="portalpilot", env=env)


def newest_batch_run() -> str:
    done = invoke(["runs", "list", "--json"])
    assert done.exit_code == 0, done.output
    runs = [r for r in json.loads(done.stdout)["runs"] if r["source"] == "batch"]
    assert runs, "RUN_ID: no batch run before this line"
    return str(runs[0]["run_id"])


@pytest.mark.slow
def test_every_example_runs_as_written(shell: Path) -> None:
    examples = readme_examples()
    run = [e for e in examples if e.skip is None]
    assert len(run) >= 20, "the README lost its examples"
    timings = []
    for example in run:
        assert example.expected in (0, 1, 2), f"{example}: exit {example.expected} documented"
        args = list(example.args)
        if "RUN_ID" in args:
            args = [newest_batch_run() if a == "RUN_ID" else a for a in args]
        started = time.perf_counter()
        done = invoke(args, env=example.env or None)
        timings.append((time.perf_counter() - started, example.text))
        assert done.exception is None or isinstance(done.exception, SystemExit), (
            f"{example}: raised {done.exception!r}\n{done.output}"
        )
        assert done.exit_code == example.expected, (
            f"{example}\nexit {done.exit_code}, the README says {example.expected}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
        if "--json" in args:
            json.loads(done.stdout)  # one JSON object, nothing else
    slowest = sorted(timings, reverse=True)
    print("slowest examples:", "; ".join(f"{s:.1f} s {t}" for s, t in slowest))
