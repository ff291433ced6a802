"""How much a refund through portalpilot costs against a bare Playwright script.

Run with `make bench` (or `.venv/bin/python bench/refund_speed.py [N]`). Everything is
measured in this one run, on this machine, against the same mock portal (its own
process), so only the ratios matter.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import minimal
from bench._common import EMAIL, PASSWORD, mock_server, refund_events, reset
from flows.kogan_refund import FLOW, KoganRefund
from pages.kogan.portal import KoganSettings
from portalpilot import Outcome, Settings
from portalpilot._batch_run import run_batch_file
from portalpilot._logging import configure_logging
from portalpilot._progress import LineProgress
from portalpilot._runner import Robot


def timed(label: str, url: str, count: int, run: Callable[[list[str]], None]) -> float:
    references = reset(url, count)
    started = time.perf_counter()
    run(references)
    elapsed = time.perf_counter() - started
    done = refund_events(url)
    if done != count:
        raise SystemExit(f"{label}: {done} refunds recorded for {count} asked")
    print(f"{label:<38} {count:>4} refunds  {elapsed:7.2f} s  {elapsed / count:6.3f} s/refund")
    return elapsed


def _settings(url: str, state: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=Path(state),
        kogan=KoganSettings(base_url=url, email=EMAIL, password=PASSWORD),
    )


def through_the_flow(url: str, references: list[str]) -> None:
    """One refund after the other through the runner, as the CLI does them."""
    with tempfile.TemporaryDirectory() as state, Robot(_settings(url, state)) as robot:
        for reference in references:
            result = robot.run(FLOW, KoganRefund(reference=reference, reason="Faulty Item"))
            if result.outcome is not Outcome.DONE:
                raise SystemExit(f"{reference}: {result.status} {result.message}")


def through_a_batch(url: str, references: list[str], workers: int) -> None:
    """`portalpilot batch` itself: file, ledger, workers, report."""
    with tempfile.TemporaryDirectory() as state:
        batch = Path(state) / "refunds.csv"
        batch.write_text("reference,reason\n" + "".join(f"{r},Faulty Item\n" for r in references))
        done = run_batch_file(
            _settings(url, state), FLOW, batch, workers=workers, dry_run=False, strict=True,
            report=None, progress=LineProgress, on_bad_rows=print,
        )  # fmt: skip
        if done.outcome.exit_code:
            raise SystemExit(f"batch with {workers} workers: {done.outcome.counts()}")


def main(count: int = 40) -> None:
    configure_logging(level="WARNING")
    rows: dict[str, float] = {}
    with mock_server() as url:
        print(f"mock portal {url} (own process), {count} single-line refunds each\n")

        def measure(label: str, run: Callable[[list[str]], None], n: int = count) -> None:
            rows[label] = timed(label, url, n, run) / n

        measure("minimal script, sequential", lambda r: minimal.run(url, r))
        measure("kogan.refund, one after another", lambda r: through_the_flow(url, r))
        for workers in (1, 2, 4):
            measure(f"batch, {workers} worker(s)", lambda r, w=workers: through_a_batch(url, r, w))
        for workers in (2, 4):
            measure(
                f"minimal, {workers} threads × Playwright",
                lambda r, w=workers: minimal.run_threads(url, r, w),
            )
            measure(
                f"minimal, asyncio, {workers} contexts",
                lambda r, w=workers: minimal.run_async(url, r, w),
            )
        measure(
            "naive: browser + login each", lambda r: minimal.run_naive(url, r), max(8, count // 4)
        )
    best = min((v, k) for k, v in rows.items() if k.startswith("batch"))
    base = rows["minimal script, sequential"]
    one = rows["kogan.refund, one after another"] / base
    naive = rows["naive: browser + login each"]
    print()
    print(f"one refund, flow / minimal script: {one:.2f}×  (target ≤ 1.15×)")
    print(f"best batch ({best[1]}) vs minimal: {base / best[0]:.2f}× faster  (target ≥ 1.5×)")
    print(f"best batch vs naive script: {naive / best[0]:.2f}× faster  (target ≥ 5×)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
