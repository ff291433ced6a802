"""Durable runs on DBOS Transact: a queue of items that any number of workers share.

One machine: the engine's state is `<state_dir>/engine.sqlite3` beside the ledger. Many
machines: `PORTALPILOT_DATABASE_URL` (PostgreSQL) holds it, and the ledger too.

- **One workflow per item**, `item_workflow(run_id, row)`: its input is in the ledger.
  It runs the item through this process's `Robot` as ONE step (a browser flow cannot be
  replayed click by click: the commit guard makes each click exactly once and reads the
  portal before clicking again after a click nobody saw settled), records the result in
  the ledger as a second step, and finishes the run when its last item is done.
- **Workflow id = the item's identity**, `<flow>:<account>:<item key>` (the key
  the ledger's "done before" uses). Two processes given the same file, or the same
  refund twice, make one workflow: the second enqueue finds the id taken and records
  its item as a `duplicate` of the run that holds it. An item whose workflow finished
  without doing it (failed, unknown, refused) may be enqueued again under the next id,
  `…#2`, `…#3` (a resume, a later batch): the guard still verifies any click left open.
  Dry runs change nothing and get an id of their own run (`…#dry-<run id>`).
- **One queue**, partitioned by portal account: at most `per_account` browsers work one
  account at once across every worker (a portal that sees ten sessions of one seller at
  once may lock it); each worker takes at most as many items as it has browsers.
- **Workers** (`portalpilot worker`) have a stable executor id (`--name`). DBOS
  recovers the unfinished workflows of its own id when a worker starts again; a worker
  that never comes back is noticed by the others through the heartbeats they all write
  (`portalpilot_workers`, in the engine's database) and its unfinished items are
  re-enqueued (`DBOS._recover_pending_workflows`) for any live worker to take.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, DBOSConfig
from loguru import logger

from portalpilot._errors import ConfigError
from portalpilot._flow import Flow
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._results import Outcome, Result
from portalpilot._runner import Robot
from portalpilot._settings import Settings

if TYPE_CHECKING:
    from portalpilot._agent.policy import Gate
    from portalpilot._workers import BrowserSlot

APP = "portalpilot"
# The shape of the workflows below (names, inputs, steps). Every worker and every
# enqueuer uses it as DBOS's application version, so that any worker takes any item;
# change it only with a change of that shape.
ENGINE_VERSION = "portalpilot-engine-1"
QUEUE = "portalpilot-items"
ITEM_WORKFLOW = "portalpilot.item"
SCHEDULED_WORKFLOW = "portalpilot.scheduled"
PER_ACCOUNT = 2  # browsers on one portal account at once, all workers together
POLL_S = 0.5  # how often a worker looks at the queue
BEAT_S = 2.0  # how often a worker says it is alive
TAKEOVER_AFTER_S = 60.0  # a worker silent this long is gone: its items are taken over
SHUTDOWN_WAIT_S = 600  # SIGTERM: how long the items in flight may take to finish

# --- where the engine lives --------------------------------------------------------------


def database_url(settings: Settings) -> str | None:
    """The shared database (PostgreSQL) if one is set, else None (one machine)."""
    value = getattr(settings, "database_url", None)
    if value is None:
        return None
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value) or None


def system_database_url(settings: Settings) -> str:
    shared = database_url(settings)
    if shared:
        return shared
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.state_dir / 'engine.sqlite3'}"


def per_account(settings: Settings) -> int:
    return int(getattr(settings.batch, "per_account", PER_ACCOUNT))


def open_ledger(settings: Settings) -> Ledger:
    """The ledger: the shared database's if one is set, else the state dir's."""
    return Ledger.of(settings)


class _ToLoguru(logging.Handler):
    """DBOS's log records, through loguru like every other line (and its scrubbing)."""

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname if record.levelname in ("WARNING", "ERROR", "CRITICAL") else "INFO"
        logger.bind(flow="dbos").log(level, "{}", record.getMessage())


def _quiet_dbos() -> None:
    # DBOS logs through the standard library at INFO. Left to itself it adds a handler
    # bound to the sys.stderr of the moment, which a test runner (or an agent's server)
    # may close later: its records go through loguru instead, at WARNING and above.
    dbos_log = logging.getLogger("dbos")
    if not any(isinstance(h, _ToLoguru) for h in dbos_log.handlers):
        dbos_log.handlers.clear()
        dbos_log.addHandler(_ToLoguru())
        dbos_log.propagate = False
    dbos_log.setLevel(logging.WARNING)


@contextlib.contextmanager
def client(settings: Settings) -> Iterator[DBOSClient]:
    """A DBOS client on the engine's database (created or migrated first): it enqueues,
    reads workflows and manages schedules without running any."""
    _quiet_dbos()
    url = system_database_url(settings)
    try:
        DBOS.migrate(url)
        made = DBOSClient(system_database_url=url, application_name=APP)
    except Exception as error:  # an unreachable database, a bad URL
        raise ConfigError(f"the engine's database {_shown(url)} cannot be used: {error}") from None
    try:
        yield made
    finally:
        made.destroy()


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


# --- identities ----------------------------------------------------------------------------


def partition(flow: Flow[Any], account: str) -> str:
    """The queue partition of an item: its portal account."""
    return f"{flow.portal.name}:{account}"


def item_workflow_id(flow: str, account: str, key: str, attempt: int = 1) -> str:
    base = f"{flow}:{account}:{key}"
    return base if attempt == 1 else f"{base}#{attempt}"


def dry_workflow_id(flow: str, account: str, key: str, run_id: str) -> str:
    return f"{flow}:{account}:{key}#dry-{run_id}"


# --- the worker process ---------------------------------------------------------------------


class RunRobot(Robot):
    """A Robot that serves items of many runs: each item's evidence, guard records and
    result name the item's own run (the base Robot names one run for its lifetime)."""

    def __init__(self, settings: Settings, *, workers: int) -> None:
        self._local = threading.local()
        self._default_run = "worker"
        super().__init__(settings, workers=workers, run_id="worker")

    @property  # type: ignore[override]
    def run_id(self) -> str:
        return getattr(self._local, "run_id", self._default_run)  # type: ignore[no-any-return]

    @run_id.setter
    def run_id(self, value: str) -> None:
        self._default_run = value

    @property  # type: ignore[override]
    def run_dir(self) -> Path:
        return self.settings.state_dir / "runs" / self.run_id

    @run_dir.setter
    def run_dir(self, value: Path) -> None:
        pass  # derived from run_id

    def run_in(self, run_id: str, flow: Flow[Any], item: Any) -> Result:
        self.check(flow)

        def job(slot: BrowserSlot) -> Result:
            self._local.run_id = run_id
            try:
                return self._execute(slot, flow, item)
            finally:
                del self._local.run_id

        return self._pool.submit(job).result()  # from DBOS's threads, several at once


@dataclass
class Worker:
    """What the workflows of this process run with: one Robot, one policy gate."""

    settings: Settings
    flows: dict[str, Flow[Any]]
    robot: RunRobot
    gate: Gate
    on_item: Callable[[str, int, Result], None] | None = None

    def run_item(self, run_id: str, row: int) -> dict[str, Any]:
        from portalpilot._agent.policy import guarded

        ledger = open_ledger(self.settings)
        try:
            item = next((i for i in ledger.items(run_id) if i.row == row), None)
            if item is None:
                raise ConfigError(f"run {run_id} has no row {row} in the ledger")
            if item.status in (ItemStatus.DONE, ItemStatus.REFUSED, ItemStatus.DUPLICATE):
                return dict(item.result or {})  # recorded before a crash: not run again
            flow = self.flows.get(item.flow)
            if flow is None:
                return self._failed(item, run_id, f"this worker lacks the flow {item.flow}")
            try:
                account = self.settings.portal(flow.portal.name).require(flow.portal.name)[1]
            except ConfigError as error:
                return self._failed(item, run_id, str(error))
            if account != item.account:
                return self._failed(
                    item,
                    run_id,
                    f"this worker signs in to {flow.portal.title} as {account}, the item is "
                    f"for {item.account}: run it on a worker of that account",
                )
            data = flow.input_model.model_validate(item.input)
            ledger.mark_started(run_id, row)
        finally:
            ledger.close()
        result = self.robot.run_in(run_id, guarded(flow, self.gate), data)
        result.run_id = run_id
        return result.model_dump(mode="json")

    @staticmethod
    def _failed(item: Any, run_id: str, message: str) -> dict[str, Any]:
        return Result(
            flow=item.flow,
            status="portal_error",
            outcome=Outcome.FAILED,
            reference=item.subject,
            message=message,
            account=item.account,
            run_id=run_id,
        ).model_dump(mode="json")

    def record(self, run_id: str, row: int, data: dict[str, Any]) -> str:
        result = Result.model_validate(data)
        ledger = open_ledger(self.settings)
        try:
            ledger.record(run_id, row, result, ItemStatus.of(result.outcome))
            finish_if_done(self.settings, ledger, run_id)
        finally:
            ledger.close()
        logger.bind(flow=result.flow, reference=result.reference).info(
            "run {} row {}: {} {} ({})",
            run_id,
            row,
            result.status,
            result.reference,
            result.message,
        )
        if self.on_item is not None:
            self.on_item(run_id, row, result)
        return result.status


def finish_if_done(settings: Settings, ledger: Ledger, run_id: str) -> bool:
    """Finish the run (state, report, HTML page) if none of its items is left to run."""
    from portalpilot._batch_run import _default_report, _write_page, _write_rows

    items = ledger.items(run_id)
    if any(i.status in (ItemStatus.PENDING, ItemStatus.IN_PROGRESS) for i in items):
        return False
    run = ledger.run(run_id) or {}
    if run.get("state") == "finished":
        return True
    ledger.finish_run(run_id, "finished")
    run = ledger.run(run_id) or run
    rows = sorted((i.row, Result.model_validate(i.result)) for i in items if i.result)
    fallback = _default_report(settings, run_id)
    target = Path(run["report"]) if run.get("report") else fallback
    _write_rows(target, fallback, rows)
    _write_page(settings.state_dir / "runs" / run_id / "report.html", run, items, rows)
    logger.info("run {} finished: {} items", run_id, len(items))
    return True


_worker: Worker | None = None


def _current() -> Worker:
    if _worker is None:
        raise ConfigError("no portalpilot worker in this process (see `portalpilot worker`)")
    return _worker


# --- the workflows ----------------------------------------------------------------------------


@DBOS.step(name="portalpilot.run_item")
def run_item_step(run_id: str, row: int) -> dict[str, Any]:
    return _current().run_item(run_id, row)


@DBOS.step(name="portalpilot.record_item")
def record_item_step(run_id: str, row: int, result: dict[str, Any]) -> str:
    return _current().record(run_id, row, result)


@DBOS.workflow(name=ITEM_WORKFLOW)
def item_workflow(run_id: str, row: int) -> str:
    """One item of a run, exactly once: run it (one step), then record it (one step)."""
    result = run_item_step(run_id, row)
    return record_item_step(run_id, row, result)


@DBOS.step(name="portalpilot.enqueue_file")
def enqueue_file_step(context: dict[str, Any], scheduled_at: str) -> str:
    from portalpilot._enqueue import enqueue_scheduled

    worker = _current()
    return enqueue_scheduled(worker.settings, worker.flows, context, scheduled_at)


@DBOS.workflow(name=SCHEDULED_WORKFLOW)
def scheduled_batch(scheduled_at: datetime, context: dict[str, Any]) -> str:
    """A schedule's run: the file's rows, checked and enqueued like `batch --enqueue`."""
    return enqueue_file_step(context, scheduled_at.isoformat())


# --- heartbeats: workers that are gone -------------------------------------------------------

_meta = sa.MetaData()
WORKERS = sa.Table(
    "portalpilot_workers",
    _meta,
    sa.Column("executor_id", sa.String(200), primary_key=True),
    sa.Column("host", sa.String(200)),
    sa.Column("pid", sa.Integer),
    sa.Column("started_at", sa.Float),
    sa.Column("beat_at", sa.Float, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),  # working, stopped, gone
)


def _engine_for(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        return sa.create_engine(parsed, connect_args={"timeout": 30})
    return sa.create_engine(parsed, pool_size=2, pool_pre_ping=True)


class Heartbeats:
    """Each worker's last sign of life, in the engine's database (clocks are assumed to
    agree within seconds, as NTP keeps them)."""

    def __init__(self, url: str) -> None:
        self.engine = _engine_for(url)
        try:
            _meta.create_all(self.engine)
        except sa.exc.DBAPIError:  # another worker created it at the same moment
            _meta.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def beat(self, executor_id: str, state: str = "working") -> None:
        now = time.time()
        with self.engine.begin() as db:
            done = db.execute(
                sa.update(WORKERS)
                .where(WORKERS.c.executor_id == executor_id)
                .values(beat_at=now, state=state)
            )
            if done.rowcount == 0:
                db.execute(
                    sa.insert(WORKERS).values(
                        executor_id=executor_id,
                        host=socket.gethostname(),
                        pid=os.getpid(),
                        started_at=now,
                        beat_at=now,
                        state=state,
                    )
                )

    def silent(self, older_than_s: float, but: str) -> list[str]:
        """Workers that were working and have said nothing for `older_than_s`."""
        limit = time.time() - older_than_s
        with self.engine.begin() as db:
            rows = db.execute(
                sa.select(WORKERS.c.executor_id).where(
                    WORKERS.c.state == "working",
                    WORKERS.c.beat_at < limit,
                    WORKERS.c.executor_id != but,
                )
            ).fetchall()
        return [row[0] for row in rows]

    def mark(self, executor_id: str, state: str, only_if_before: float | None = None) -> bool:
        with self.engine.begin() as db:
            query = sa.update(WORKERS).where(WORKERS.c.executor_id == executor_id)
            if only_if_before is not None:
                query = query.where(WORKERS.c.beat_at < only_if_before)
            return db.execute(query.values(state=state)).rowcount > 0

    def workers(self) -> list[dict[str, Any]]:
        with self.engine.begin() as db:
            rows = db.execute(sa.select(WORKERS).order_by(WORKERS.c.started_at)).fetchall()
        return [dict(row._mapping) for row in rows]


def take_over(beats: Heartbeats, me: str, silent_s: float) -> int:
    """Re-enqueue the unfinished items of every worker silent for `silent_s`; how many."""
    taken = 0
    for gone in beats.silent(silent_s, but=me):
        # Only one live worker takes a dead one over; the others find it marked.
        if not beats.mark(gone, "gone", only_if_before=time.time() - silent_s):
            continue
        handles = DBOS._recover_pending_workflows([gone])
        taken += len(handles)
        logger.warning(
            "worker {} silent for {:.0f}s or more: {} unfinished item(s) taken over",
            gone,
            silent_s,
            len(handles),
        )
    return taken


# --- running a worker ------------------------------------------------------------------------


def default_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def config(settings: Settings, executor_id: str) -> DBOSConfig:
    return {
        "name": APP,
        "system_database_url": system_database_url(settings),
        "executor_id": executor_id,
        "application_version": ENGINE_VERSION,
        "log_level": "WARNING",
        "run_migrations": True,
    }


def serve(
    settings: Settings,
    flows: dict[str, Flow[Any]],
    *,
    workers: int,
    name: str,
    stop: threading.Event,
    takeover_after_s: float = TAKEOVER_AFTER_S,
    on_item: Callable[[str, int, Result], None] | None = None,
) -> None:
    """Work the queue until `stop` is set; then let the items in flight finish."""
    from portalpilot._agent.policy import Gate

    global _worker
    _quiet_dbos()
    gate = Gate.of(settings)
    gate.policy()  # ConfigError: a bad policy file stops the worker before it starts
    robot = RunRobot(settings, workers=workers)
    _worker = Worker(settings, flows, robot, gate, on_item)
    url = system_database_url(settings)
    beats: Heartbeats | None = None
    launched = False
    try:
        try:
            DBOS(config=config(settings, name))
            DBOS.listen_queues([QUEUE])  # batches' items; procedures run where started
            DBOS.launch()
            launched = True
            DBOS.register_queue(
                QUEUE,
                worker_concurrency=workers,
                partition_concurrency=per_account(settings),
                polling_interval_sec=POLL_S,
                on_conflict="always_update",
            )
            beats = Heartbeats(url)
            beats.beat(name)
        except ConfigError:
            raise
        except Exception as error:
            raise ConfigError(
                f"the engine's database {_shown(url)} cannot be used: {error}"
            ) from None
        logger.info(
            "worker {} ready: {} browser(s), at most {} per account, engine {}",
            name,
            workers,
            per_account(settings),
            _shown(url),
        )
        last_check = 0.0
        while not stop.wait(BEAT_S):
            try:
                beats.beat(name)
                if time.monotonic() - last_check >= min(takeover_after_s / 2, 10.0):
                    last_check = time.monotonic()
                    take_over(beats, name, takeover_after_s)
            except Exception as error:  # the database is away for a moment: keep working
                logger.warning("heartbeat failed: {}", error)
        logger.info("worker {} stopping: the items in flight finish, no new one starts", name)
    finally:
        if launched:
            DBOS.destroy(workflow_completion_timeout_sec=SHUTDOWN_WAIT_S)
        if beats is not None:
            with contextlib.suppress(Exception):
                beats.beat(name, "stopped")
            beats.close()
        robot.close()
        _worker = None
        logger.info("worker {} stopped", name)
