"""Shared test fixtures: the mock portals on a free port, their control endpoints, settings.

Browser fixtures come from pytest-playwright (`page`, `browser`, `--headed`,
`--tracing`); here only the launch options are extended so it finds this machine's
Chromium. Tests that change a portal's state assert on `__mock__/state`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from postgres import pg_database, postgres_url  # noqa: F401  (the throw-away PostgreSQL)
from pydantic import SecretStr

from fixtures import MockServer
from pages.kogan.portal import KoganSettings
from portalpilot import BrowserSettings, Login, PortalSettings, Settings
from portalpilot._browser import launch_options
from portalpilot._settings import RetrySettings


def login(base_url: str, email: str, password: str, **extra: Any) -> Login:
    """What a portal's `sign_in` is given, for page tests that sign in by hand."""
    settings = PortalSettings(base_url=base_url, email=email, password=password, **extra)
    return Login(base_url, email, SecretStr(password), settings)


KOGAN_EMAIL = "seller@example.com"
KOGAN_PASSWORD = "dispatch-demo"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> Iterator[str]:
    """The mock server: `--base-url` if given (another markup of the specs), else ours."""
    given = pytestconfig.getoption("--base-url")
    if given:
        FOREIGN["markup"] = True
        yield given.rstrip("/")
        return
    with MockServer() as server:
        yield server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], playwright: Any
) -> dict[str, Any]:
    found = launch_options(BrowserSettings(), playwright)
    found.pop("headless")  # --headed stays pytest-playwright's to decide
    return {**found, **browser_type_launch_args}


# Reset options of our own mocks, beyond the shared `seed` and `today`: another markup of
# the specs (`--base-url`) need not have them.
OUR_OPTIONS = frozenset({"markup", "bulk", "unreadable_after_change", "blind_after_change"})
FOREIGN = {"markup": False}  # set once: are the tests run against another markup?


class MockPortal:
    """One mock portal's control endpoints: reset, faults, and what really happened."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def reset(self, **body: Any) -> None:
        if FOREIGN["markup"]:
            # Another markup of the specs is under test: it is the one markup; a case that
            # needs an option of our own mock (its markup b, a broken page) is not its to run.
            ours = sorted(set(body) & OUR_OPTIONS - {"markup"})
            if ours or body.get("markup") not in (None, "a"):
                pytest.skip(f"needs our mock's own reset options ({ours or 'markup b'})")
            body.pop("markup", None)
        self.http.post("__mock__/reset", json=body).raise_for_status()

    def faults(self, **knobs: Any) -> None:
        self.http.post("__mock__/faults", json=knobs).raise_for_status()

    def state(self) -> dict[str, Any]:
        answer = self.http.get("__mock__/state")
        answer.raise_for_status()
        return answer.json()

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.state()["events"] if kind is None or e["type"] == kind]

    def line(self, reference: str, sku: str) -> dict[str, Any]:
        order = next(o for o in self.state()["orders"] if o["reference"] == reference)
        return next(line for line in order["lines"] if line["sku"] == sku)

    def lines(self, reference: str) -> list[dict[str, Any]]:
        return next(o for o in self.state()["orders"] if o["reference"] == reference)["lines"]


@pytest.fixture
def kogan(base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/kogan/")
    portal.reset()
    yield portal
    portal.http.close()


def make_settings(state_dir: Path, kogan_url: str, **kogan: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        kogan=KoganSettings(
            base_url=kogan_url,
            **{"email": KOGAN_EMAIL, "password": KOGAN_PASSWORD, **kogan},
        ),
    )


@pytest.fixture
def settings(tmp_path: Path, kogan: MockPortal) -> Settings:
    return make_settings(tmp_path / "state", kogan.url)


def cli_env(kogan_url: str, state_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALPILOT_")}
    env.update(
        PORTALPILOT_KOGAN__BASE_URL=kogan_url,
        PORTALPILOT_KOGAN__EMAIL=KOGAN_EMAIL,
        PORTALPILOT_KOGAN__PASSWORD=KOGAN_PASSWORD,
        PORTALPILOT_STATE_DIR=str(state_dir),
        # The retries of make_settings; a test may ask for others in `extra`.
        PORTALPILOT_RETRIES__ATTEMPTS="3",
        PORTALPILOT_RETRIES__BACKOFF_S="0.05",
        PORTALPILOT_RETRIES__BACKOFF_MAX_S="0.2",
    )
    env.update(extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """The installed command, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )
