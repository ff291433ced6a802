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
from portalpilot import Outcome, Settings
from portalpilot._logging import configure_logging
from portalpilot._runner import Robot
from portalpilot._settings import KoganSettings


def timed(label: str, url: str, count: int, run: Callable[[list[str]], None]) -> float:
    references = reset(url, count)
    started = time.perf_counter()
    run(references)
    elapsed = time.perf_counter() - started
    done = refund_events(url)
    if done != count:
        raise SystemExit(f"{label}: {done} refunds recorded for {count} asked")
    print(f"{label:<34} {count:>4} refunds  {elapsed:7.2f} s  {elapsed / count:6.3f} s/refund")
    return elapsed


def through_the_flow(url: str, references: list[str]) -> None:
    with tempfile.TemporaryDirectory() as state:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            state_dir=Path(state),
            kogan=KoganSettings(base_url=url, email=EMAIL, password=PASSWORD),
        )
        with Robot(settings) as robot:
            for reference in references:
                result = robot.run(FLOW, KoganRefund(reference=reference, reason="Faulty Item"))
                if result.outcome is not Outcome.DONE:
                    raise SystemExit(f"{reference}: {result.status} {result.message}")


def main(count: int = 30) -> None:
    configure_logging(level="WARNING")
    with mock_server() as url:
        print(f"mock portal {url}, {count} single-line refunds each\n")
        minimal_s = timed("minimal Playwright script", url, count, lambda r: minimal.run(url, r))
        flow_s = timed("portalpilot kogan.refund", url, count, lambda r: through_the_flow(url, r))
        naive_s = timed(
            "naive script (browser+login each)", url, count, lambda r: minimal.run_naive(url, r)
        )
    print()
    print(f"flow / minimal: {flow_s / minimal_s:.2f}×  (target ≤ 1.15×)")
    print(f"naive / flow:   {naive_s / flow_s:.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
