"""Progress of a batch: a Rich bar on a terminal, plain log lines for cron.

While the bar is live, log lines are printed by the bar's console, above it
(`portalpilot._logging.live_console`), so they never cut through the bar.
"""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import ExitStack
from typing import Protocol

from loguru import logger
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from portalpilot._logging import live_console
from portalpilot._results import Outcome, Result


class ProgressSink(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, result: Result) -> None: ...
    def stop(self) -> None: ...


class _Counts:
    def __init__(self) -> None:
        self.counts: Counter[Outcome] = Counter()

    def text(self) -> str:
        c = self.counts
        return (
            f"[green]{c[Outcome.DONE]} done[/] · [yellow]{c[Outcome.REFUSED]} refused[/] · "
            f"[red]{c[Outcome.FAILED] + c[Outcome.INVALID]} failed[/] · "
            f"[magenta]{c[Outcome.UNKNOWN]} unknown[/]"
        )


class BarProgress(_Counts):
    """A progress bar on stderr (done, refused, failed, rate, ETA)."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task = self._progress.add_task("batch", total=0, counts="", rate="")
        self._logs = ExitStack()

    def start(self, total: int) -> None:
        self._progress.update(self._task, total=total, counts=self.text())
        self._progress.start()
        self._logs.enter_context(live_console(self._progress.console))

    def advance(self, result: Result) -> None:
        self.counts[result.outcome] += 1
        task = self._progress.tasks[self._task]
        elapsed = task.elapsed or 0
        done = sum(self.counts.values())
        rate = f"{done / elapsed:.2f}/s" if elapsed else ""
        self._progress.update(self._task, advance=1, counts=self.text(), rate=rate)

    def stop(self) -> None:
        self._logs.close()
        self._progress.stop()


class LineProgress(_Counts):
    """One log line per item: what cron mails and log files keep."""

    def __init__(self) -> None:
        super().__init__()
        self._total = 0

    def start(self, total: int) -> None:
        self._total = total
        logger.info("batch: {} items to run", total)

    def advance(self, result: Result) -> None:
        self.counts[result.outcome] += 1
        done = sum(self.counts.values())
        logger.info(
            "[{}/{}] {} {}: {}", done, self._total, result.reference, result.status, result.message
        )

    def stop(self) -> None:
        pass


def progress_for(console: Console) -> ProgressSink:
    """A bar on a terminal; off a terminal (cron, CI, a pipe) plain log lines."""
    return BarProgress(console) if sys.stderr.isatty() else LineProgress()
