"""A batch from a file, or the rest of an earlier one: read, check, schedule, report.

Everything that can be refused (the file, its rows, the settings) is refused before a
browser starts.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loguru import logger

from portalpilot._agent.policy import Gate, PolicyBreach, guarded, refused
from portalpilot._batch import Batch, BatchOutcome, Job, ProcedureBatch
from portalpilot._batchfile import BadRow, read_batch
from portalpilot._errors import ConfigError
from portalpilot._flow import Flow, FlowInput
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._preflight import preflight
from portalpilot._progress import ProgressSink
from portalpilot._registry import is_procedure
from portalpilot._report import check_report_path, write_report
from portalpilot._report_html import write_html
from portalpilot._results import Outcome, Result
from portalpilot._runner import Robot, new_run_id
from portalpilot._settings import Settings


@dataclass
class BatchReport:
    """What a batch (or a resume) came to.

    `rows` are every row of the run, the earlier runs' of a resumed one included;
    `outcome` is what this call ran. `html_path` is the page a person opens
    (`<state_dir>/runs/<run_id>/report.html`). `already_finished`: a resume of a run with
    nothing left to do; nothing ran, no report was rewritten, `message` says so, and
    `exit_code` is 0.
    """

    outcome: BatchOutcome
    rows: list[tuple[int, Result]]
    report_path: Path
    evidence_dir: Path
    bad_rows: list[BadRow]
    html_path: Path | None = None
    already_finished: bool = False
    message: str | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.already_finished else self.outcome.exit_code


def _invalid(flow: str, line: int, problems: list[BadRow], account: str | None = None) -> Result:
    return Result(
        flow=flow,
        status="invalid",
        outcome=Outcome.INVALID,
        reference=next((p.subject for p in problems if p.subject), ""),
        message="; ".join(p.text() for p in problems),
        account=account,
    )


def _skipped(flow: Flow[Any], job: Job, account: str, status: str, message: str) -> Result:
    return Result(
        flow=flow.name,
        status=status,
        outcome=Outcome.DONE,
        reference=job.item.subject,
        message=message,
        account=account,
        dry_run=job.item.dry_run,
    )


@contextmanager
def stop_on_signals(batch: Batch | ProcedureBatch) -> Iterator[None]:
    """Ctrl-C or SIGTERM: no new item starts, the ones in flight finish. Twice: now."""

    def handler(signum: int, _frame: Any) -> None:
        if batch._stop.is_set():
            raise KeyboardInterrupt
        batch.stop(f"stopped by {signal.Signals(signum).name}")
        logger.warning("stopping: the items in flight finish, no new one starts (again: now)")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_single(settings: Settings, flow: Flow[Any], item: FlowInput, *, source: str) -> Result:
    """One item (a CLI command, an agent's call), recorded in the ledger like a batch of one.

    The operator's policy is checked before any browser starts, and again (amounts)
    after the flow's own reading, before anything changes.
    """
    account = preflight(settings, flow)
    gate = Gate.of(settings)
    try:
        gate.check(flow, item, account)  # ConfigError: a bad policy file stops everything
        breach = None
    except PolicyBreach as error:
        breach = error
    ledger = Ledger.of(settings)
    try:
        run_id = new_run_id()
        ledger.start_run(run_id, flow.name, source=source, dry_run=item.dry_run)
        key = flow.item_key(item)
        data = item.model_dump(mode="json")
        ledger.add_item(run_id, 1, flow.name, account, key, data, item.subject)
        if breach is not None:
            result = refused(flow, item, account, breach)
            result.run_id = run_id
        else:
            ledger.mark_started(run_id, 1)
            with Robot(settings, run_id=run_id) as robot:
                result = robot.run(guarded(flow, gate), item)
        ledger.record(run_id, 1, result, ItemStatus.of(result.outcome))
        ledger.finish_run(run_id, "finished")
        return result
    finally:
        ledger.close()


def run_batch_file(
    settings: Settings,
    flow: Flow[Any],
    path: Path,
    *,
    workers: int,
    dry_run: bool,
    strict: bool,
    report: Path | None,
    progress: Callable[[], ProgressSink],
    on_bad_rows: Callable[[list[BadRow]], None],
) -> BatchReport:
    ready = prepare_batch(
        settings,
        flow,
        path,
        workers=workers,
        dry_run=dry_run,
        strict=strict,
        report=report,
        on_bad_rows=on_bad_rows,
    )
    return _run(
        settings,
        ready.ledger,
        flow,
        ready.account,
        ready.jobs,
        ready.outcome,
        workers,
        ready.report,
        progress,
    )


@dataclass
class Prepared:
    """A batch checked and recorded, before anything runs: its run in the ledger (state
    "running"), every row as an item, the rows settled up front (bad, duplicate, done
    before, refused by the policy) already recorded in `outcome`, and the `jobs` left
    to run. The ledger stays open for the caller, who closes it."""

    ledger: Ledger
    account: str
    jobs: list[Job]
    outcome: BatchOutcome
    report: Path

    @property
    def run_id(self) -> str:
        return self.outcome.run_id


def prepare_batch(
    settings: Settings,
    flow: Flow[Any],
    path: Path,
    *,
    workers: int,
    dry_run: bool,
    strict: bool,
    report: Path | None,
    on_bad_rows: Callable[[list[BadRow]], None],
    source: str = "batch",
    run_id: str | None = None,
) -> Prepared:
    """Everything a batch does before a browser starts, shared by a foreground batch and
    one handed to the workers (`--enqueue`, a schedule): read and check the file, the
    report path, the settings and the policy; record the run and its rows."""
    rows, bad = read_batch(path, flow)  # BatchFileError: nothing runs
    if bad:
        on_bad_rows(bad)
        if strict:
            raise ConfigError(f"{len(bad)} bad row(s) in {path}; --strict runs none")
    target = check_report_path(report) if report else None  # before any browser starts
    account = preflight(settings, flow)
    gate = Gate.of(settings)
    gate.policy()  # ConfigError: a bad policy file stops the batch before it starts
    run_id = run_id or new_run_id()
    target = target or _default_report(settings, run_id)
    ledger = Ledger.of(settings)
    ledger.start_run(
        run_id,
        flow.name,
        source=source,
        origin=str(path),
        dry_run=dry_run,
        workers=workers,
        report=str(target),
    )
    outcome = BatchOutcome(run_id)
    by_line: dict[int, list[BadRow]] = {}
    for problem in bad:
        by_line.setdefault(problem.line, []).append(problem)
    for line, problems in sorted(by_line.items()):
        result = _invalid(flow.name, line, problems, account)
        result.run_id = run_id
        # In the ledger too (refused, never run): a resume's report keeps the row.
        ledger.add_item(run_id, line, flow.name, account, "", {}, result.reference)
        ledger.record(run_id, line, result, ItemStatus.REFUSED)
        outcome.results[line] = result

    jobs: list[Job] = []
    first_of: dict[str, int] = {}
    for row in rows:
        item = row.item.model_copy(update={"dry_run": True}) if dry_run else row.item
        job = Job(row.line, item)
        key = flow.item_key(item)
        data = item.model_dump(mode="json")
        if key in first_of:
            result = _skipped(
                flow, job, account, "duplicate", f"same as line {first_of[key]}; run once"
            )
            result.run_id = run_id
            ledger.add_item(run_id, row.line, flow.name, account, key, data, item.subject)
            ledger.record(run_id, row.line, result, ItemStatus.DUPLICATE)
            outcome.results[row.line] = result
            continue
        first_of[key] = row.line
        ledger.add_item(run_id, row.line, flow.name, account, key, data, item.subject)
        earlier = None if item.dry_run else ledger.done_before(flow.name, account, key, run_id)
        if earlier:
            result = _skipped(flow, job, account, "already_done", f"done in run {earlier}")
            result.run_id = run_id
            ledger.record(run_id, row.line, result, ItemStatus.DONE)
            outcome.results[row.line] = result
            continue
        try:  # what the policy forbids up front is refused before any browser starts
            gate.check(flow, item, account)
        except PolicyBreach as breach:
            result = refused(flow, item, account, breach)
            result.run_id = run_id
            ledger.record(run_id, row.line, result, ItemStatus.REFUSED)
            outcome.results[row.line] = result
            continue
        jobs.append(job)
    return Prepared(ledger, account, jobs, outcome, target)


def _default_report(settings: Settings, run_id: str) -> Path:
    return settings.state_dir / "runs" / run_id / "report.jsonl"


# Items a resume keeps as they are: settled. Every other one is run again.
SETTLED = (ItemStatus.DONE, ItemStatus.REFUSED, ItemStatus.DUPLICATE)


def resume_batch(
    settings: Settings,
    flows: dict[str, Flow[Any]],
    run_id: str,
    *,
    workers: int,
    report: Path | None,
    progress: Callable[[], ProgressSink],
) -> BatchReport:
    ledger = Ledger.of(settings)
    try:
        run = ledger.run(run_id)
        if run is None:
            raise ConfigError(f"no run {run_id!r} in {ledger.where} (see `portalpilot runs list`)")
        flow = flows.get(run["flow"])
        if flow is None:
            raise ConfigError(f"run {run_id} is of flow {run['flow']!r}, which this version lacks")
        items = ledger.items(run_id)
        settled = {
            item.row: Result.model_validate(item.result)
            for item in items
            if item.status in SETTLED and item.result
        }
        left = [item for item in items if item.row not in settled]
        remembered = Path(run["report"]) if run.get("report") else None
        run_dir = settings.state_dir / "runs" / run_id
        if not left and run["state"] == "finished":
            ledger.close()
            shown = remembered or _default_report(settings, run_id)
            html = run_dir / "report.html"
            return BatchReport(
                BatchOutcome(run_id),
                sorted(settled.items()),
                shown,
                run_dir,
                [],
                html_path=html if html.exists() else None,
                already_finished=True,
                message=(
                    f"run {run_id} already finished ({run['finished_at'] or '?'}): every row "
                    f"is settled, nothing to resume; its report: {shown}"
                    + (f" (--report {report} not written: nothing ran)" if report else "")
                ),
            )
        if report:
            target = check_report_path(report)
        elif remembered:
            target = check_report_path(remembered, option="the run's report (--report)")
        else:
            target = _default_report(settings, run_id)
        account = preflight(settings, flow)
    except BaseException:
        ledger.close()
        raise
    if str(target) != run.get("report"):
        ledger.set_report(run_id, str(target))
    ledger.reopen_run(run_id, workers)
    outcome = BatchOutcome(run_id)
    outcome.results.update(settled)
    # In progress when the run died, or unknown: the portal may have done it already.
    # The ledger holds every click that was not seen settled, and the commit guard
    # reads the portal before it lets such a change be clicked again.
    jobs = [Job(item.row, flow.input_model.model_validate(item.input)) for item in left]
    logger.info("resuming run {}: {} items left", run_id, len(jobs))
    return _run(settings, ledger, flow, account, jobs, outcome, workers, target, progress)


def _run(
    settings: Settings,
    ledger: Ledger,
    flow: Flow[Any],
    account: str,
    jobs: list[Job],
    outcome: BatchOutcome,
    workers: int,
    report: Path,
    progress: Callable[[], ProgressSink],
) -> BatchReport:
    run_id = outcome.run_id
    run_dir = settings.state_dir / "runs" / run_id
    try:
        if jobs and is_procedure(flow):  # a procedure: a run across several portals
            procedures = ProcedureBatch(
                settings,
                ledger,
                flow,
                progress(),
                stop_after_failures=settings.batch.stop_after_failures,
            )
            with stop_on_signals(procedures):
                procedures.run(jobs, outcome)
        elif jobs:  # a batch with nothing left to run opens no browser
            with Robot(settings, workers=workers, run_id=run_id) as robot:
                batch = Batch(
                    robot,
                    ledger,
                    guarded(flow, Gate.of(settings)),  # the operator's policy, before each change
                    account,
                    progress(),
                    stop_after_failures=settings.batch.stop_after_failures,
                )
                with stop_on_signals(batch):
                    batch.run(jobs, outcome)
        state = "stopped" if outcome.pending else "finished"
        ledger.finish_run(run_id, state, outcome.stopped)
        run = ledger.run(run_id) or {}
        items = ledger.items(run_id)
    finally:
        ledger.close()
    rows = sorted(outcome.results.items())
    path = _write_rows(report, _default_report(settings, run_id), rows)
    html = _write_page(run_dir / "report.html", run, items, rows)
    return BatchReport(outcome, rows, path, run_dir, [], html_path=html)


def _write_rows(path: Path, fallback: Path, rows: list[tuple[int, Result]]) -> Path:
    """The report, where it was asked for; the work is done, so a failure to write it
    there (a disk that filled up) writes it to the run's folder instead, never a crash."""
    try:
        return write_report(path, rows)
    except OSError as error:
        if path == fallback:
            raise
        logger.error("could not write the report to {} ({}); writing {}", path, error, fallback)
        return write_report(fallback, rows)


def _write_page(
    path: Path, run: dict[str, Any], items: list[Any], rows: list[tuple[int, Result]]
) -> Path | None:
    try:
        return write_html(path, run, items, rows)
    except OSError as error:
        logger.error("could not write the HTML report {}: {}", path, error)
        return None
