"""Batch runs: many items of one flow on N workers, recorded in the ledger, resumable.

The main thread schedules and writes the ledger; workers only run flows. At most N items
are in flight, so a stop (the portal is down, Ctrl-C, SIGTERM) leaves every item either
finished or still pending for `--resume`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from portalpilot._flow import Flow, FlowInput
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._progress import ProgressSink
from portalpilot._results import Outcome, Result
from portalpilot._runner import Robot
from portalpilot._settings import Settings

# The worst outcome decides the exit code: unknown, then failed, bad input, refused, done.
SEVERITY = [Outcome.DONE, Outcome.REFUSED, Outcome.INVALID, Outcome.FAILED, Outcome.UNKNOWN]


@dataclass
class Job:
    row: int
    item: FlowInput


@dataclass
class BatchOutcome:
    run_id: str
    results: dict[int, Result] = field(default_factory=dict)  # by row
    pending: list[int] = field(default_factory=list)
    stopped: str | None = None  # why the batch stopped early
    duration_s: float = 0.0

    def counts(self) -> Counter[str]:
        return Counter(result.status for result in self.results.values())

    def outcomes(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results.values())

    @property
    def exit_code(self) -> int:
        outcomes = set(self.outcomes())
        if self.pending:
            outcomes.add(Outcome.FAILED)  # not finished: a person must resume it
        return max((SEVERITY.index(o), o.exit_code) for o in outcomes | {Outcome.DONE})[1]


class Batch:
    """One batch run. `stop()` may be called from a signal handler."""

    def __init__(
        self,
        robot: Robot,
        ledger: Ledger,
        flow: Flow[Any],
        account: str,
        progress: ProgressSink,
        *,
        stop_after_failures: int = 5,
    ) -> None:
        self.robot = robot
        self.ledger = ledger
        self.flow = flow
        self.account = account
        self.progress = progress
        self.stop_after_failures = stop_after_failures
        self._stop = threading.Event()
        self._why: str | None = None

    def stop(self, why: str) -> None:
        if not self._stop.is_set():
            self._why = why
            self._stop.set()

    def run(self, jobs: list[Job], outcome: BatchOutcome) -> BatchOutcome:
        run_id = outcome.run_id
        started = time.perf_counter()
        queue = list(jobs)
        in_flight: dict[Future[Result], Job] = {}
        failures_in_a_row = 0
        self.progress.start(len(jobs))
        try:
            while queue or in_flight:
                while queue and len(in_flight) < self.robot.workers and not self._stop.is_set():
                    job = queue.pop(0)
                    self.ledger.mark_started(run_id, job.row)
                    in_flight[self.robot.submit(self.flow, job.item)] = job
                if not in_flight:
                    break
                finished, _ = wait(list(in_flight), timeout=0.5, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = in_flight.pop(future)
                    result = future.result()
                    self.ledger.record(run_id, job.row, result, ItemStatus.of(result.outcome))
                    outcome.results[job.row] = result
                    self.progress.advance(result)
                    if result.outcome is Outcome.FAILED:
                        failures_in_a_row += 1
                        if failures_in_a_row >= self.stop_after_failures:
                            self.stop(
                                f"{failures_in_a_row} system failures in a row "
                                f"(last: {result.message})"
                            )
                    else:
                        failures_in_a_row = 0
        finally:
            self.progress.stop()
        outcome.pending = [job.row for job in queue]
        outcome.stopped = self._why if outcome.pending else None
        outcome.duration_s += time.perf_counter() - started
        if outcome.stopped:
            logger.warning("batch stopped: {}", outcome.stopped)
        return outcome


class ProcedureBatch:
    """A batch of a procedure (portalpilot/_procedure.py): its rows one after the other,
    each a durable run across several portals. One at a time, since a procedure's run
    holds the process's engine (DBOS is process-wide); `stop()` as for `Batch`."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        procedure: Any,  # portalpilot._procedure.Procedure (it imports DBOS: lazily)
        progress: ProgressSink,
        *,
        stop_after_failures: int = 5,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.procedure = procedure
        self.progress = progress
        self.stop_after_failures = stop_after_failures
        self._stop = threading.Event()
        self._why: str | None = None

    def stop(self, why: str) -> None:
        if not self._stop.is_set():
            self._why = why
            self._stop.set()

    def run(self, jobs: list[Job], outcome: BatchOutcome) -> BatchOutcome:
        from portalpilot._procedure import run_procedures, waiting

        started = time.perf_counter()
        ran: set[int] = set()
        failures_in_a_row = 0

        def begin(index: int) -> None:
            self.ledger.mark_started(outcome.run_id, jobs[index].row)

        def each(index: int, result: Result) -> None:
            nonlocal failures_in_a_row
            job = jobs[index]
            ran.add(job.row)
            # Done for now (`Waiting`): the row stays pending for a resume or a later batch.
            status = ItemStatus.PENDING if waiting(result) else ItemStatus.of(result.outcome)
            self.ledger.record(outcome.run_id, job.row, result, status)
            outcome.results[job.row] = result
            self.progress.advance(result)
            if result.outcome is Outcome.FAILED:
                failures_in_a_row += 1
                if failures_in_a_row >= self.stop_after_failures:
                    self.stop(f"{failures_in_a_row} failures in a row (last: {result.message})")
            else:
                failures_in_a_row = 0

        self.progress.start(len(jobs))
        try:
            items = [job.item for job in jobs]
            run_procedures(
                self.settings,
                self.procedure,
                items,
                each,
                source="batch",
                stop=self._stop,
                begin=begin,
            )
        finally:
            self.progress.stop()
        outcome.pending = [job.row for job in jobs if job.row not in ran]
        outcome.stopped = self._why if outcome.pending else None
        outcome.duration_s += time.perf_counter() - started
        if outcome.stopped:
            logger.warning("batch stopped: {}", outcome.stopped)
        return outcome
