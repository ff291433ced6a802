"""Refunds per second: one plain `batch` on SQLite against 1, 2 and 4 `portalpilot worker`
processes sharing a queue in PostgreSQL.

Run with `make bench-workers` (or `.venv/bin/python -m bench.workers_speed [N [ROUNDS]]`:
N refunds per setup, 40 by default, every setup ROUNDS times in turn, 3 by default, the
fastest round of each shown with all rounds beside it). Everything is measured in this
one run, against the same mock portal (its own process), so only the ratios matter:

- **SQLite batch**: `portalpilot batch FILE --flow kogan.refund` (its default 2
  browsers, no database set), timed from the command's start to its exit: what a person
  waits for.
- **N workers on PostgreSQL**: a throw-away cluster of this run's own (Debian's server
  binaries, as the tests start it; `fsync` left on), a fresh database per setup. The
  workers (`--workers 2` each, the default: so one worker has the batch's browsers; the
  account's limit, `PORTALPILOT_BATCH__PER_ACCOUNT`, raised to all of them) are started
  and ready first, and their start-up is shown apart; then the timed part: from the
  start of `portalpilot batch FILE --enqueue` to the run finished in the ledger (every
  item done, the report written). Chromium's launch and the sign-in happen at the first
  item, in the timed part, for every setup.

"CPU s / refund" is what the setup's own processes used in the timed part — the mock
portal, PostgreSQL and its backends, the batch or the workers with their drivers and
browsers, the enqueue command (read in /proc while they run) — per refund; the cores
divided by it are the most refunds per second this machine could give that setup.
"Machine busy" is the share of all cores busy meanwhile, whoever used them (another
program too: a round slowed by one shows it; the fastest round of each setup is shown).

Each setup checks in the mock's `__mock__/state` that every order was refunded exactly
once (N refund events, one per order), and in the ledger or the batch's summary that
every row is `refunded`; anything else stops the bench with what was found.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import httpx
import psycopg
from dbos import DBOS, DBOSClient

from bench._common import EMAIL, PASSWORD, free_port, mock_server, reset
from portalpilot._engine import ITEM_WORKFLOW
from portalpilot._ledger import Ledger

FLOW = "kogan.refund"
WORKER_COUNTS = (1, 2, 4)
BROWSERS = 2  # of the plain batch and of each worker: the default (PORTALPILOT_BATCH__WORKERS)
READY_TIMEOUT_S = 120
RUN_TIMEOUT_S = 300

# --- a throw-away PostgreSQL (as tests/postgres.py starts one, without pytest) -------------

PG_USER = "portalpilot"  # the cluster's superuser (trust authentication, loopback only)
RUN_AS = "nobody"  # the server refuses to run as root: then it runs as this user


def _pg_binaries() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        raise SystemExit(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
            "apt-get install postgresql (make setup does it)"
        )
    return Path(found[-1]).parent


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("runuser"):
        raise SystemExit("running as root without runuser: cannot start PostgreSQL")
    return ["runuser", "-u", RUN_AS, "--"]


@dataclass(frozen=True)
class Server:
    url: str  # of its `postgres` database
    pid: int  # the postmaster's: its CPU and its backends' are counted in a setup's


@contextmanager
def postgres() -> Iterator[Server]:
    """A PostgreSQL server of this run's own on 127.0.0.1."""
    bin_dir = _pg_binaries()
    prefix = _as_server_user()
    home = Path(tempfile.mkdtemp(prefix="portalpilot-bench-pg-"))
    if prefix:
        entry = pwd.getpwnam(RUN_AS)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    port = free_port()
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c max_connections=300"
    pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(home / "data")]

    def run(command: list[str]) -> None:
        done = subprocess.run(command, cwd=home, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")

    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(home / "data"), "-A", "trust", "-U", PG_USER]
        run([*prefix, *initdb, "--no-sync", "-E", "UTF8"])
        run([*pg_ctl, "-l", str(home / "server.log"), "-o", options, "-w", "start"])
        pid = int((home / "data" / "postmaster.pid").read_text().split()[0])
        yield Server(f"postgresql://{PG_USER}@127.0.0.1:{port}/postgres", pid)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], cwd=home, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def new_database(server: Server) -> str:
    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(server.url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server.url.removesuffix('/postgres')}/{name}"


# --- the setups --------------------------------------------------------------------------------


@dataclass
class Row:
    setup: str
    browsers: int
    refunds: int
    seconds: float
    cpu_busy: float  # both cores' share busy (all processes) during the timed part
    cpu_s: float  # CPU seconds of the setup's own processes during the timed part
    startup_s: float | None = None  # the workers' (paid once, before any enqueue)
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.refunds / self.seconds

    @property
    def cpu_per_refund(self) -> float:
        return self.cpu_s / self.refunds


TICK = os.sysconf("SC_CLK_TCK")


def _machine() -> tuple[int, int]:
    """Clock ticks of all cores since boot: (busy, all)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def _processes() -> dict[int, tuple[int, int]]:
    """Every process now: its parent and the clock ticks it used itself (utime + stime)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()  # from field 3, the state
        found[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return found


class CpuMeter:
    """Between start() and stop(): how busy the machine's cores were (whoever used them),
    and the CPU seconds of the setup's own processes: every descendant of this one (the
    mock, the workers, the batch or enqueue command, their drivers and browsers; not this
    process itself) and of PostgreSQL's postmaster (its backends). A process's own CPU time
    is read from /proc every SAMPLE_S while it lives (a process that ends loses what it
    used since its last reading: at most SAMPLE_S of it)."""

    SAMPLE_S = 0.2

    def __init__(self, *roots: int) -> None:
        self.roots = {os.getpid(), *roots}
        self.used: dict[int, int] = {}  # pid: its own ticks at the last reading
        self.before: dict[int, int] = {}  # pid: its own ticks at start()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _read(self) -> None:
        found = _processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _) in found.items():
            children.setdefault(parent, []).append(pid)
        todo = [pid for pid in self.roots if pid in found]
        seen: set[int] = set()
        while todo:
            pid = todo.pop()
            if pid not in seen:
                seen.add(pid)
                todo.extend(children.get(pid, []))
        seen.discard(os.getpid())  # the bench's own polling is not the setup's
        for pid in seen:
            self.used[pid] = found[pid][1]

    def _sample(self) -> None:
        while not self._stop.wait(self.SAMPLE_S):
            self._read()

    def start(self) -> None:
        self._read()
        self.before = dict(self.used)
        self.machine = _machine()
        self._thread.start()

    def stop(self) -> tuple[float, float]:
        """(share of all cores busy, CPU seconds of the setup's processes)."""
        self._stop.set()
        self._thread.join()
        self._read()
        busy, every = _machine()
        ticks = sum(used - self.before.get(pid, 0) for pid, used in self.used.items())
        return (busy - self.machine[0]) / max(1, every - self.machine[1]), ticks / TICK


def cli_env(url: str, state: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALPILOT_")}
    env.update(
        PORTALPILOT_KOGAN__BASE_URL=url,
        PORTALPILOT_KOGAN__EMAIL=EMAIL,
        PORTALPILOT_KOGAN__PASSWORD=PASSWORD,
        PORTALPILOT_STATE_DIR=str(state),
        **extra,
    )
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def write_csv(folder: Path, references: list[str]) -> Path:
    path = folder / "refunds.csv"
    path.write_text("reference,reason\n" + "".join(f"{r},Faulty Item\n" for r in references))
    return path


def check_refunded_once(label: str, url: str, references: list[str]) -> None:
    """The portal's own record: every order refunded, none twice, nothing else."""
    events = httpx.get(url + "__mock__/state", timeout=30).json()["events"]
    refunds = Counter(e["reference"] for e in events if e["type"] == "refund")
    if refunds != Counter(references):
        twice = sorted(r for r, n in refunds.items() if n > 1)
        missed = sorted(set(references) - set(refunds))
        raise SystemExit(
            f"{label}: {sum(refunds.values())} refund events for {len(references)} orders "
            f"(twice: {twice[:5]}, missed: {missed[:5]})"
        )


def plain_batch(url: str, references: list[str], browsers: int = BROWSERS) -> Row:
    """`portalpilot batch FILE` on this machine's SQLite, as a person runs it."""
    label = f"batch, SQLite, 1 process × {browsers} browsers"
    with tempfile.TemporaryDirectory(prefix="portalpilot-bench-") as folder:
        batch = write_csv(Path(folder), references)
        env = cli_env(url, Path(folder) / "state", PORTALPILOT_BATCH__WORKERS=str(browsers))
        cpu = CpuMeter()
        cpu.start()
        started = time.perf_counter()
        done = subprocess.run(
            cli("batch", str(batch), "--flow", FLOW, "--json"),
            env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        busy, used = cpu.stop()
        if done.returncode != 0:
            raise SystemExit(f"{label}: exit {done.returncode}\n{done.stderr[-3000:]}")
        counts = json.loads(done.stdout)["counts"]
    if counts != {"refunded": len(references)}:
        raise SystemExit(f"{label}: {counts}")
    check_refunded_once(label, url, references)
    return Row(label, browsers, len(references), elapsed, busy, used)


@dataclass
class Workers:
    processes: list[subprocess.Popen[bytes]]
    logs: list[Path]
    startup_s: float = 0.0

    def check(self, label: str) -> None:
        """Stop the bench, showing their logs, if a worker has stopped."""
        if any(p.poll() is not None for p in self.processes):
            self.fail(f"{label}: a worker stopped")

    def fail(self, message: str) -> NoReturn:
        """Stop the bench with what each worker said: its warnings and errors, its last lines."""
        shown = []
        for log in self.logs:
            lines = log.read_text().splitlines()
            bad = [line for line in lines if " WARNING " in line or " ERROR " in line]
            shown.append("\n".join([f"--- {log.name}", *bad[-20:], "...", *lines[-8:]]))
        raise SystemExit(message + "\n" + "\n".join(shown))

    def items(self) -> list[int]:
        return [log.read_text().count(" row ") for log in self.logs]


@contextmanager
def workers(count: int, env: dict[str, str], folder: Path) -> Iterator[Workers]:
    """`count` workers of BROWSERS browsers each, started and ready (start-up measured)."""
    started = time.perf_counter()
    logs = [folder / f"w{n}.log" for n in range(count)]
    processes = []
    for n, log in enumerate(logs):
        command = cli("worker", "--name", f"bench-w{n}", "--workers", str(BROWSERS))
        with log.open("w") as stderr:
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
            )
        processes.append(process)
    running = Workers(processes, logs)
    try:
        while not all(" ready: " in log.read_text() for log in logs):
            running.check("starting")
            if time.perf_counter() - started > READY_TIMEOUT_S:
                running.fail(f"workers not ready after {READY_TIMEOUT_S} s")
            time.sleep(0.05)
        running.startup_s = time.perf_counter() - started
        yield running
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the items in flight finish
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def stuck(ledger: Ledger, run_id: str, database: str) -> str:
    """Why a run has not finished: its items not done, the item workflows not succeeded."""
    left = [(i.row, i.subject, i.status) for i in ledger.items(run_id) if i.status != "done"]
    engine = DBOSClient(system_database_url=database, application_name="portalpilot")
    try:
        flows = [
            (w.workflow_id, w.status, w.executor_id, w.error)
            for w in engine.list_workflows(name=ITEM_WORKFLOW, load_input=False)
            if w.status != "SUCCESS"
        ]
    finally:
        engine.destroy()
    return f"run {run_id} not finished; items not done: {left}; their workflows: {flows}"


def queued(url: str, references: list[str], count: int, server: Server) -> Row:
    """`batch FILE --enqueue` handed to `count` workers sharing a fresh PostgreSQL."""
    label = f"{count} worker{'s' if count > 1 else ''} × {BROWSERS} browsers, PostgreSQL"
    database = new_database(server)
    DBOS.migrate(database)  # the engine's and the ledger's schemas made now, not timed
    ledger = Ledger(url=database)
    with tempfile.TemporaryDirectory(prefix="portalpilot-bench-") as name:
        folder = Path(name)
        batch = write_csv(folder, references)
        env = cli_env(
            url,
            folder / "state",
            PORTALPILOT_DATABASE_URL=database,
            PORTALPILOT_BATCH__PER_ACCOUNT=str(count * BROWSERS),
        )
        with workers(count, env, folder) as running:
            cpu = CpuMeter(server.pid)
            cpu.start()
            began_at, started = datetime.now(), time.perf_counter()
            handed = subprocess.run(
                cli("batch", str(batch), "--flow", FLOW, "--enqueue", "--json"),
                env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
            )  # fmt: skip
            if handed.returncode != 0:
                running.fail(f"{label}: enqueue exit {handed.returncode}\n{handed.stderr}")
            run_id = json.loads(handed.stdout)["run_id"]
            while (run := ledger.run(run_id) or {}).get("state") != "finished":
                running.check(label)
                if time.perf_counter() - started > RUN_TIMEOUT_S:
                    running.fail(f"{label}: {stuck(ledger, run_id, database)}")
                time.sleep(0.1)
            busy, used = cpu.stop()
            # The worker that finished the run stamped it (same machine, same clock).
            elapsed = (datetime.fromisoformat(run["finished_at"]) - began_at).total_seconds()
            statuses = Counter(i.result_status for i in ledger.items(run_id))
            startup = running.startup_s
        note = f"items per worker {running.items()}"  # (their logs complete once they stopped)
    if statuses != {"refunded": len(references)}:
        raise SystemExit(f"{label}: {dict(statuses)}")
    check_refunded_once(label, url, references)
    return Row(label, count * BROWSERS, len(references), elapsed, busy, used, startup, note)


def main(count: int = 40, rounds: int = 3) -> None:
    """Every setup `rounds` times, the setups in turn; each setup's fastest round shown
    (another process on the machine slows a round down, never speeds one up)."""
    runs: dict[str, list[Row]] = {}
    with mock_server() as url, postgres() as server:
        print(f"mock portal {url} (own process), {count} single-line refunds per setup\n")
        plain_batch(url, reset(url, 2))  # a warm-up (Chromium's files in the cache): not shown
        for round_ in range(1, rounds + 1):
            setups = [lambda: plain_batch(url, reset(url, count))] + [
                lambda n=n: queued(url, reset(url, count), n, server) for n in WORKER_COUNTS
            ]
            for setup in setups:
                row = setup()
                runs.setdefault(row.setup, []).append(row)
                print(
                    f"  round {round_}: {row.setup}: {row.seconds:.1f} s, "
                    f"{row.cpu_per_refund:.2f} CPU s/refund, machine {row.cpu_busy:.0%} busy "
                    f"{row.note}",
                    flush=True,
                )
    rows = [min(tried, key=lambda r: r.seconds) for tried in runs.values()]
    base = rows[0].per_second
    cores = os.cpu_count() or 1
    print()
    print(
        "| setup | browsers | refunds | seconds | refunds/s | vs SQLite batch | CPU s / refund "
        f"| {cores} cores' ceiling (refunds/s) | machine busy | workers' start-up (s) "
        "| every round (s) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        startup = f"{row.startup_s:.1f}" if row.startup_s is not None else "(in the seconds)"
        every = ", ".join(f"{r.seconds:.1f}" for r in runs[row.setup])
        print(
            f"| {row.setup} | {row.browsers} | {row.refunds} | {row.seconds:.1f} | "
            f"{row.per_second:.2f} | {row.per_second / base:.2f}× | {row.cpu_per_refund:.2f} | "
            f"{cores / row.cpu_per_refund:.2f} | {row.cpu_busy:.0%} | {startup} | {every} |"
        )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
