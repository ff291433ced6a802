"""Handing a batch to the workers: checked and recorded exactly as a foreground batch,
then one durable workflow per item on the engine's queue (see `_engine.py`).

Nothing runs here and no browser starts: the command returns with the run id, and
`portalpilot runs show RUN_ID --follow` shows the workers' progress from any machine.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any

from dbos import DBOSClient, EnqueueOptions
from dbos import error as dbos_error
from loguru import logger

from portalpilot._batch import Job
from portalpilot._batch_run import SETTLED, _skipped, prepare_batch
from portalpilot._batchfile import BadRow, BatchFileError
from portalpilot._engine import (
    APP,
    ENGINE_VERSION,
    ITEM_WORKFLOW,
    QUEUE,
    SCHEDULED_WORKFLOW,
    client,
    dry_workflow_id,
    finish_if_done,
    item_workflow_id,
    open_ledger,
    partition,
)
from portalpilot._errors import ConfigError
from portalpilot._flow import Flow
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._preflight import preflight
from portalpilot._results import Outcome, Result
from portalpilot._settings import Settings

IN_FLIGHT = ("ENQUEUED", "PENDING", "DELAYED")


@dataclass
class Enqueued:
    """What `batch --enqueue` (or a schedule, or the resume of a queued run) came to.

    `queued`: items handed to the workers now; `already_queued`: items of this run that
    were on the queue already (a resume); `settled`: rows settled up front, by row (bad,
    duplicate, done before, refused by the policy, or the same item as another run's).
    """

    run_id: str
    rows: int
    queued: int = 0
    already_queued: int = 0
    settled: dict[int, Result] = field(default_factory=dict)
    finished: bool = False
    report: Path | None = None

    def counts(self) -> Counter[str]:
        return Counter(result.status for result in self.settled.values())

    @property
    def exit_code(self) -> int:
        """The worst row settled up front (bad rows: 2, refused: 1); queued rows: 0."""
        worst = [Outcome.INVALID, Outcome.REFUSED]
        for outcome in worst:
            if any(result.outcome is outcome for result in self.settled.values()):
                return outcome.exit_code
        return 0

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "exit_code": self.exit_code,
            "rows": self.rows,
            "queued": self.queued,
            "already_queued": self.already_queued,
            "counts": dict(self.counts()),
            "finished": self.finished,
            "report": str(self.report) if self.report else None,
            "follow": f"portalpilot runs show {self.run_id} --follow",
        }


@dataclass(frozen=True)
class Claim:
    """What enqueuing one item found: `queued` (a new workflow), `ours` (this run's, on
    the queue already or done), `duplicate` (another run's workflow is doing it now),
    `done` (another run's workflow did it)."""

    kind: str
    workflow_id: str
    holder: tuple[str, int] | None = None


def claim(
    dbos: DBOSClient,
    ledger: Ledger,
    flow: Flow[Any],
    account: str,
    run_id: str,
    job: Job,
) -> Claim:
    """Put one item on the queue under its identity, unless a workflow has it already."""
    options: EnqueueOptions = {
        "workflow_name": ITEM_WORKFLOW,
        "queue_name": QUEUE,
        "queue_partition_key": partition(flow, account),
        "app_version": ENGINE_VERSION,
        "workflow_id_reuse_policy": "reject",
    }
    key = flow.item_key(job.item)
    if job.item.dry_run:  # changes nothing: a workflow of this run's own
        ids: Any = [dry_workflow_id(flow.name, account, key, run_id)]
    else:
        ids = (item_workflow_id(flow.name, account, key, n) for n in count(1))
    for workflow_id in ids:
        try:
            dbos.enqueue({**options, "workflow_id": workflow_id}, run_id, job.row)
            return Claim("queued", workflow_id)
        except dbos_error.DBOSWorkflowIDInUseError:
            pass
        status = dbos.retrieve_workflow(workflow_id).get_status()
        inputs: dict[str, Any] = dict(status.input or {})
        args = tuple(inputs.get("args") or ())
        holder = (str(args[0]), int(args[1])) if len(args) >= 2 else None
        ours = holder == (run_id, job.row)
        if status.status in IN_FLIGHT:
            return Claim("ours" if ours else "duplicate", workflow_id, holder)
        if holder is not None and _item_status(ledger, *holder) is ItemStatus.DONE:
            return Claim("ours" if ours else "done", workflow_id, holder)
        if job.item.dry_run:
            return Claim("ours", workflow_id, holder)
        # Finished without doing it (failed, unknown, refused, or stopped): the next id.
        # A click it left open is read in the portal by the guard before any other.
    raise AssertionError("unreachable")


def _item_status(ledger: Ledger, run_id: str, row: int) -> ItemStatus | None:
    return next((i.status for i in ledger.items(run_id) if i.row == row), None)


def _hand_over(
    settings: Settings,
    ledger: Ledger,
    flow: Flow[Any],
    account: str,
    run_id: str,
    jobs: list[Job],
    done: Enqueued,
) -> Enqueued:
    with client(settings) as dbos:
        for job in jobs:
            found = claim(dbos, ledger, flow, account, run_id, job)
            if found.kind == "queued":
                done.queued += 1
                continue
            if found.kind == "ours":
                done.already_queued += 1
                continue
            assert found.holder is not None
            other, line = found.holder
            if found.kind == "duplicate":
                status, word = ItemStatus.DUPLICATE, "duplicate"
                message = f"same item as run {other} (row {line}), which is running it; run once"
            else:
                status, word = ItemStatus.DONE, "already_done"
                message = f"done in run {other}"
            result = _skipped(flow, job, account, word, message)
            result.run_id = run_id
            ledger.record(run_id, job.row, result, status)
            done.settled[job.row] = result
    done.finished = finish_if_done(settings, ledger, run_id)
    run = ledger.run(run_id) or {}
    done.report = Path(run["report"]) if run.get("report") else None
    return done


def enqueue_file(
    settings: Settings,
    flow: Flow[Any],
    path: Path,
    *,
    dry_run: bool,
    strict: bool,
    report: Path | None,
    on_bad_rows: Callable[[list[BadRow]], None],
    source: str = "queue",
    run_id: str | None = None,
) -> Enqueued:
    """`batch FILE --enqueue`: every check of a batch, the run and its rows in the
    ledger, then one workflow per row left to run. Returns at once."""
    ready = prepare_batch(
        settings,
        flow,
        path,
        workers=0,  # the queue's workers, wherever they are
        dry_run=dry_run,
        strict=strict,
        report=report,
        on_bad_rows=on_bad_rows,
        source=source,
        run_id=run_id,
    )
    ledger = ready.ledger
    try:
        done = Enqueued(
            ready.run_id,
            rows=len(ready.outcome.results) + len(ready.jobs),
            settled=dict(ready.outcome.results),
        )
        _hand_over(settings, ledger, flow, ready.account, ready.run_id, ready.jobs, done)
    finally:
        ledger.close()
    logger.info(
        "run {}: {} item(s) queued for the workers, {} settled up front",
        done.run_id,
        done.queued,
        len(done.settled),
    )
    return done


def requeue(settings: Settings, flows: dict[str, Flow[Any]], run_id: str) -> Enqueued:
    """`batch --resume` of a run the workers do: its items still on the queue stay there;
    failed and unknown ones are queued again under their next id (the guard reads the
    portal before clicking anything a lost answer left open)."""
    ledger = open_ledger(settings)
    try:
        run = ledger.run(run_id)
        if run is None:
            raise ConfigError(f"no run {run_id!r} in the ledger (see `portalpilot runs list`)")
        flow = flows.get(run["flow"])
        if flow is None:
            raise ConfigError(f"run {run_id} is of flow {run['flow']!r}, which this version lacks")
        account = preflight(settings, flow)
        items = ledger.items(run_id)
        settled = {
            i.row: Result.model_validate(i.result)
            for i in items
            if i.status in SETTLED and i.result
        }
        left = [i for i in items if i.row not in settled]
        done = Enqueued(run_id, rows=len(items), settled=settled)
        if not left:
            done.finished = finish_if_done(settings, ledger, run_id)
            return done
        ledger.reopen_run(run_id, run.get("workers") or 0)
        jobs = []
        for item in left:
            if item.status in (ItemStatus.FAILED, ItemStatus.UNKNOWN):
                ledger.mark_started(run_id, item.row)  # not finished: the run waits for it
            jobs.append(Job(item.row, flow.input_model.model_validate(item.input)))
        return _hand_over(settings, ledger, flow, account, run_id, jobs, done)
    finally:
        ledger.close()


def scheduled_run_id(schedule: str, scheduled_at: str) -> str:
    """One run per firing of a schedule, the same if the firing is replayed — on any
    machine: the firing's time in the schedule's own zone, not the machine's."""
    moment = datetime.fromisoformat(scheduled_at)
    digest = hashlib.sha1(f"{schedule}@{scheduled_at}".encode()).hexdigest()[:4]
    return f"{moment:%Y%m%d-%H%M%S}-{digest}"


def _log_bad_rows(schedule: str, rows: list[BadRow]) -> None:
    for row in rows:
        logger.warning("schedule {}: {}", schedule, row.describe())


def enqueue_scheduled(
    settings: Settings, flows: dict[str, Flow[Any]], context: dict[str, Any], scheduled_at: str
) -> str:
    """A schedule fired (inside a worker): its file's rows, like `batch --enqueue`."""
    name = str(context.get("schedule", "?"))
    run_id = scheduled_run_id(name, scheduled_at)
    try:
        ledger = open_ledger(settings)
        try:
            known = ledger.run(run_id) is not None
        finally:
            ledger.close()
        if known:  # this firing was begun before a crash: finish handing it over
            done = requeue(settings, flows, run_id)
        else:
            flow = flows.get(str(context["flow"]))
            if flow is None:
                raise ConfigError(f"no flow {context['flow']!r} in this version")
            done = enqueue_file(
                settings,
                flow,
                Path(str(context["file"])),
                dry_run=bool(context.get("dry_run")),
                strict=bool(context.get("strict")),
                report=None,
                on_bad_rows=lambda rows: _log_bad_rows(name, rows),
                source="schedule",
                run_id=run_id,
            )
    except (BatchFileError, ConfigError) as error:
        logger.error("schedule {}: nothing queued: {}", name, error)
        return f"refused: {error}"
    logger.info("schedule {} fired: run {}, {} item(s) queued", name, run_id, done.queued)
    return run_id


# --- schedules: a batch file the workers run at set times ------------------------------------


def local_zone() -> str | None:
    """This machine's IANA time zone name (TZ, else /etc/localtime), None if unknown."""
    import os
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            continue
        return name
    return None


def add_schedule(
    settings: Settings,
    name: str,
    cron: str,
    path: Path,
    flow: str,
    *,
    zone: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
) -> dict[str, Any]:
    """A DBOS schedule that starts `scheduled_batch` (in a worker) at every `cron` time."""
    from croniter import croniter

    if not croniter.is_valid(cron, second_at_beginning=True):
        raise ConfigError(
            f"{cron!r} is not a cron expression: give minute hour day month weekday, "
            "e.g. '0 2 * * *' for 02:00 every day"
        )
    zone = zone or local_zone()
    context = {
        "schedule": name,
        "file": str(path),
        "flow": flow,
        "dry_run": dry_run,
        "strict": strict,
    }
    with client(settings) as dbos:
        if dbos.get_schedule(name) is not None:
            raise ConfigError(f"a schedule named {name!r} exists; remove it first, or use --name")
        try:
            dbos.create_schedule(
                schedule_name=name,
                workflow_name=SCHEDULED_WORKFLOW,
                schedule=cron,
                context=context,
                cron_timezone=zone,
                application_name=APP,
            )
        except dbos_error.DBOSException as error:
            raise ConfigError(f"schedule {name}: {error}") from None
    return {"name": name, "cron": cron, "tz": zone or "UTC", **context}


def list_schedules(settings: Settings) -> list[dict[str, Any]]:
    with client(settings) as dbos:
        found = dbos.list_schedules(workflow_name=SCHEDULED_WORKFLOW, application_name=APP)
    shown = []
    for schedule in found:
        context = schedule.get("context") or {}
        shown.append(
            {
                "name": schedule["schedule_name"],
                "cron": schedule["schedule"],
                "tz": schedule.get("cron_timezone") or "UTC",
                "flow": context.get("flow"),
                "file": context.get("file"),
                "dry_run": bool(context.get("dry_run")),
                "status": schedule.get("status"),
                "last_fired_at": schedule.get("last_fired_at"),
            }
        )
    return sorted(shown, key=lambda s: s["name"])


def remove_schedule(settings: Settings, name: str) -> None:
    with client(settings) as dbos:
        if dbos.get_schedule(name) is None:
            raise ConfigError(f"no schedule {name!r} (see `portalpilot schedule list`)")
        dbos.delete_schedule(name)
