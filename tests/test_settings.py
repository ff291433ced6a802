"""Settings as a new user meets them: checked before a browser starts, one state dir
wherever you stand, a wrong base URL named as such, a dry run that tells the whole truth."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import MockPortal, cli_env, run_cli

from portalpilot._settings import Settings, default_state_dir


@pytest.fixture
def spy_browser(tmp_path: Path) -> tuple[Path, Path]:
    """A "browser" that only records that someone tried to start it."""
    marker = tmp_path / "browser-started"
    spy = tmp_path / "chromium-spy"
    spy.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    spy.chmod(0o755)
    return spy, marker


@pytest.fixture
def another_site() -> Iterator[str]:
    """A web site that is up but is no portal: every page is a welcome page."""

    class Welcome(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><h1>Welcome to our shop</h1></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Welcome)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def refund(env: dict[str, str], cwd: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    done = run_cli(
        "kogan", "refund", "ESG-10012", "--reason", "Faulty Item", "--json", *extra,
        env=env, cwd=cwd,
    )  # fmt: skip
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("PORTALPILOT_KOGAN__BASE_URL", "not-a-url", "is not a web address"),
        ("PORTALPILOT_KOGAN__SEARCH_DAY", "90", "did you mean PORTALPILOT_KOGAN__SEARCH_DAYS"),
        ("PORTALPILOT_RETRIES__ATEMPTS", "3", "did you mean PORTALPILOT_RETRIES__ATTEMPTS"),
    ],
)
def test_a_bad_setting_is_exit_2_naming_it_before_any_browser(
    tmp_path: Path,
    kogan: MockPortal,
    spy_browser: tuple[Path, Path],
    variable: str,
    value: str,
    words: str,
) -> None:
    spy, marker = spy_browser
    env = cli_env(kogan.url, tmp_path, PORTALPILOT_BROWSER__EXECUTABLE_PATH=str(spy))
    env[variable] = value
    code, answer, _ = refund(env, tmp_path)

    assert code == 2
    assert variable in str(answer["message"]) and words in str(answer["message"])
    assert not marker.exists()
    assert kogan.events() == []


def test_an_unknown_variable_in_dot_env_is_named_too(tmp_path: Path, kogan: MockPortal) -> None:
    (tmp_path / ".env").write_text("PORTALPILOT_KOGAN__PASWORD=x\n")
    code, answer, _ = refund(cli_env(kogan.url, tmp_path), tmp_path)

    assert code == 2
    assert "did you mean PORTALPILOT_KOGAN__PASSWORD" in str(answer["message"])


def test_a_base_url_that_answers_404_is_exit_2_at_once(
    tmp_path: Path, kogan: MockPortal, spy_browser: tuple[Path, Path]
) -> None:
    spy, marker = spy_browser
    env = cli_env(kogan.url + "no-such-app/", tmp_path)
    env["PORTALPILOT_BROWSER__EXECUTABLE_PATH"] = str(spy)
    code, answer, _ = refund(env, tmp_path)

    assert code == 2
    assert "PORTALPILOT_KOGAN__BASE_URL" in str(answer["message"])
    assert "HTTP 404" in str(answer["message"])
    assert not marker.exists()


def test_a_base_url_of_another_site_is_exit_2(
    tmp_path: Path, kogan: MockPortal, another_site: str
) -> None:
    code, answer, _ = refund(cli_env(another_site, tmp_path), tmp_path)

    assert code == 2
    assert "is not the Kogan dispatch portal's sign-in page" in str(answer["message"])
    assert kogan.events() == []


def test_one_state_dir_wherever_you_stand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTALPILOT_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        found = Settings(_env_file=None).state_dir  # type: ignore[call-arg]
        assert found == default_state_dir() == tmp_path / "xdg" / "portalpilot"
        assert found.is_absolute()


def test_the_state_dir_setting_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTALPILOT_STATE_DIR", str(tmp_path / "mine"))
    assert Settings(_env_file=None).state_dir == tmp_path / "mine"  # type: ignore[call-arg]


def test_not_found_names_the_period_and_how_to_widen_it(tmp_path: Path, kogan: MockPortal) -> None:
    done = run_cli(
        "kogan", "refund", "ESG-20110", "--reason", "Faulty Item", "--json",
        env=cli_env(kogan.url, tmp_path), cwd=tmp_path,
    )  # fmt: skip
    answer = json.loads(done.stdout)

    assert (done.returncode, answer["status"]) == (1, "not_found")
    assert "last 30 days" in answer["message"]
    assert "PORTALPILOT_KOGAN__SEARCH_DAYS=90" in answer["message"]


def test_search_days_90_from_the_environment(tmp_path: Path, kogan: MockPortal) -> None:
    env = cli_env(kogan.url, tmp_path, PORTALPILOT_KOGAN__SEARCH_DAYS="90")
    done = run_cli(
        "kogan", "refund", "ESG-20110", "--reason", "Faulty Item", "--json", env=env, cwd=tmp_path
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "refunded"
    assert [e["reference"] for e in kogan.events("refund")] == ["ESG-20110"]


def test_a_dry_run_answers_the_policy_refusal_the_real_run_would_get(
    tmp_path: Path, kogan: MockPortal
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[flows."kogan.refund"]\nmax_amount = "100.00"\n')
    env = cli_env(kogan.url, tmp_path, PORTALPILOT_POLICY_FILE=str(policy))
    # ESG-20410's one line is $1,234.50: over the limit.
    dry = run_cli(
        "kogan", "refund", "ESG-20410", "--reason", "Faulty Item", "--dry-run", "--json",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    real = run_cli(
        "kogan", "refund", "ESG-20410", "--reason", "Faulty Item", "--json", env=env, cwd=tmp_path
    )

    for done in (dry, real):
        answer = json.loads(done.stdout)
        assert (done.returncode, answer["status"]) == (1, "policy_refused"), done.stdout
        assert "max_amount" in answer["message"]
    assert json.loads(dry.stdout)["dry_run"] is True
    assert kogan.events("refund") == []
