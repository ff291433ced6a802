"""A throw-away PostgreSQL server for the tests of the shared ledger.

`postgres_url` (session): Debian's PostgreSQL server binaries (`apt-get install
postgresql`; `make setup` does it) start a cluster of their own in a temporary folder, on
a free port on 127.0.0.1, and it is stopped and removed at the end. The server refuses to
run as root, and CI runs as root: then it runs as `nobody`. Each pytest-xdist worker
starts its own (under a second each). No binaries: the tests that need it are skipped,
saying so.

`pg_database` (per test): a fresh, empty database on that server; its URL.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from portalpilot import _db

USER = "portalpilot"  # the cluster's superuser (trust authentication, local only)
RUN_AS = "nobody"  # who runs the server when the tests run as root


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _as_server_user() -> list[str]:
    """The prefix that runs a command as the server's user: none unless we are root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", RUN_AS, "--"]
    if shutil.which("setpriv"):
        entry = pwd.getpwnam(RUN_AS)
        ids = ["--reuid", str(entry.pw_uid), "--regid", str(entry.pw_gid), "--clear-groups"]
        return ["setpriv", *ids]
    pytest.skip("running as root with neither runuser nor setpriv: cannot start PostgreSQL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], where: Path) -> None:
    done = subprocess.run(command, cwd=where, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server of this session's own: the URL of its `postgres` database."""
    bin_dir = _binaries()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
            "apt-get install postgresql (make setup does it)"
        )
    prefix = _as_server_user()
    # In /tmp, not pytest's tmp_path: the server's user must reach it (pytest's is 0700).
    home = Path(tempfile.mkdtemp(prefix="portalpilot-pg-"))
    data = home / "data"
    if prefix:
        entry = pwd.getpwnam(RUN_AS)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER]
        _run([*prefix, *initdb, "--no-sync", "-E", "UTF8"], home)
        _run([*pg_ctl, "-l", str(home / "server.log"), "-o", options, "-w", "start"], home)
    except Exception:
        shutil.rmtree(home, ignore_errors=True)
        raise
    try:
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], cwd=home, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[str]:
    """A fresh database for one test; its URL (`postgresql://…`)."""
    name = f"t_{secrets.token_hex(6)}"
    server = postgres_url.removesuffix("/postgres")
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = f"{server}/{name}"
    yield url
    _db.engine(url).dispose()  # this process's pooled connections to it
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
