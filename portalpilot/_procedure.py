"""Procedures: several flows, in several portals, run as one durable run on DBOS.

A seller's procedure spans systems (a helpdesk, an order manager, a shop, a board, a
marketplace). Each system step is a flow of its own, usable alone; a
procedure is the seller's order of those flows with the business decisions between
them. It runs as one DBOS workflow, each flow one DBOS step (checkpointed), so that:

- a process killed at any point is carried on by the same command: the workflow is
  resumed after its last completed step (`DBOS.resume_workflow`), and the step that was
  in flight runs again, which the commit guard makes safe (a click left open is read in
  the portal before anything is clicked again);
- a run that stopped on a failure (a system down) is run again as a new generation of
  the same workflow: every step is idempotent, so what is done is verified in its system
  and reported as such, never redone;
- a run that finished (resolved, or refused) answers again what it answered.

Each step is an item of one ledger run (row = step), so `runs show` lists the steps
with their systems, statuses, changes and evidence.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from dbos import DBOS, SetWorkflowID
from loguru import logger
from pydantic import BaseModel

from portalpilot import _registry as registry
from portalpilot._errors import ConfigError
from portalpilot._flow import FlowInput
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._logging import log_unexpected, scrub
from portalpilot._results import FlowOutput, Outcome, Result
from portalpilot._settings import Settings

P = TypeVar("P", bound=FlowInput)
QUEUE = "portalpilot-procedures"
_GENERATION = re.compile(r"#\d+$")  # the workflow id of a run's second, third… generation
WORKFLOW = "portalpilot.procedure"


class StepResult(BaseModel):
    """One step of a procedure, as its result lists it."""

    step: int
    system: str
    flow: str
    status: str
    outcome: Outcome
    message: str
    dry_run: bool = False
    changes: list[str] = []
    evidence: list[str] = []


class Stopped(Exception):
    """A step did not end done: the procedure stops there, with that step's outcome."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


class Waiting(Exception):
    """Done for now: what remains waits on something outside (the warehouse shipping).
    The run answers `status` with outcome done (exit 0) but is not final: the same command
    later carries on, each step done so far verified, never redone. In a batch the row
    stays pending, so `--resume` or a later batch takes it up again."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class Declined(Exception):
    """A business reason not to go on, found before any change: a refusal."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class Disagreement(Declined):
    """Two systems say different things: a refusal naming both values and both systems."""

    def __init__(self, message: str, status: str = "mismatch") -> None:
        super().__init__(message, status)


@dataclass
class Steps:
    """What a procedure's code calls: each `run` is one durable step (one flow)."""

    run_id: str
    again: bool = False  # a later generation: an earlier one of this run may have done steps
    done: list[StepResult] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        """The settings of the process running the procedure (a portal's limits, say)."""
        if _context is None:
            raise ConfigError("no procedure is running in this process")
        return _context.settings

    def run(self, flow: str, values: dict[str, Any], *, stop_unless_done: bool = True) -> Result:
        """Run `flow` with `values` as the next step; a step not done stops the procedure
        (unless `stop_unless_done` is False: the caller decides, e.g. to widen a search)."""
        number = len(self.done) + 1
        result = Result.model_validate(_procedure_step(self.run_id, number, flow, values))
        fields = result.fields()
        self.done.append(
            StepResult(
                step=number,
                system=registry.flows()[flow].portal.title,
                flow=flow,
                status=result.status,
                outcome=result.outcome,
                message=result.message,
                dry_run=result.dry_run,
                changes=list(fields.get("changes") or []),
                evidence=result.evidence,
            )
        )
        if stop_unless_done and result.outcome is not Outcome.DONE:
            raise Stopped(result)
        return result


@dataclass(frozen=True)
class Procedure(Generic[P]):
    """A flow of flows: declared in `flows/<name>.py` as `PROCEDURE`."""

    name: str  # "kogan.resolve_ticket"
    command: str  # the CLI's words under the portal's group: "resolve"
    input_model: type[P]
    run: Callable[[Steps, P], FlowOutput]
    flows: tuple[str, ...]  # every flow it may run, the first where the request is
    changes_state: bool = True
    faces: tuple[Any, ...] = ()  # (a flow's other CLI commands: a procedure has none)

    @property
    def summary(self) -> str:
        return (self.run.__doc__ or self.name).strip().splitlines()[0]

    @property
    def portal(self) -> Any:
        """The portal of its first flow, where the request is (its account is the run's)."""
        return registry.flows()[self.flows[0]].portal

    @property
    def systems(self) -> list[str]:
        """The systems it works in, each once, in the order of its steps."""
        titles = [registry.flows()[name].portal.title for name in self.flows]
        return list(dict.fromkeys(titles))

    def item_key(self, item: P) -> str:
        return item.key

    def preflight(self, settings: Settings) -> str:
        """Every system's settings checked, before any browser (ConfigError: exit 2); the
        account of the first."""
        from portalpilot._preflight import preflight

        accounts = [preflight(settings, registry.flows()[name]) for name in self.flows]
        return accounts[0]


# --- inside the workflow ------------------------------------------------------------------


@dataclass
class _Context:
    settings: Settings
    robot: Any  # portalpilot._engine.RunRobot
    gate: Any  # portalpilot._agent.policy.Gate


_context: _Context | None = None
_lock = threading.Lock()  # one procedure at a time in a process (DBOS is process-wide)


@DBOS.step(name="portalpilot.procedure_step")
def _procedure_step(
    run_id: str, row: int, flow_name: str, values: dict[str, Any]
) -> dict[str, Any]:
    from portalpilot._agent.policy import guarded

    if _context is None:
        raise ConfigError("no procedure is running in this process")
    flow = registry.flows()[flow_name]
    item = flow.input_model.model_validate(values)
    account = _context.settings.portal(flow.portal.name).email or ""
    ledger = Ledger.of(_context.settings)
    try:
        if all(i.row != row for i in ledger.items(run_id)):
            ledger.add_item(
                run_id, row, flow.name, account, flow.item_key(item),
                item.model_dump(mode="json"), subject=item.subject,
            )  # fmt: skip
        ledger.mark_started(run_id, row)
        result = _context.robot.run_in(run_id, guarded(flow, _context.gate), item)
        result.run_id = run_id
        ledger.record(run_id, row, result, ItemStatus.of(result.outcome))
    finally:
        ledger.close()
    data: dict[str, Any] = result.model_dump(mode="json")
    return data


@DBOS.workflow(name=WORKFLOW)
def _procedure_workflow(name: str, run_id: str, values: dict[str, Any]) -> dict[str, Any]:
    procedure = procedures()[name]
    item = procedure.input_model.model_validate(values)
    steps = Steps(run_id, again=_GENERATION.search(DBOS.workflow_id or "") is not None)
    outcome, status, message, extra = Outcome.DONE, "", "", {}
    try:
        output = procedure.run(steps, item)
        status, message = output.status, output.message
        extra = output.model_dump(mode="json", exclude={"status", "message"})
    except Stopped as stop:
        failed = stop.result
        outcome, status = failed.outcome, failed.status
        system = steps.done[-1].system
        message = f"stopped at step {len(steps.done)} ({system}): {failed.message}"
    except Declined as error:
        outcome, status, message = Outcome.REFUSED, error.status, error.message
    except Waiting as error:
        status, message, extra = error.status, error.message, {"waiting": True}
    result = Result(
        flow=name,
        status=status,
        outcome=outcome,
        reference=item.subject,
        message=message,
        dry_run=item.dry_run,
        evidence=[path for step in steps.done for path in step.evidence],
        attempts=1,
        run_id=run_id,
        **{**extra, "steps": [s.model_dump(mode="json") for s in steps.done]},
    )
    return result.model_dump(mode="json")


# --- running one -----------------------------------------------------------------------------


def procedures() -> dict[str, Procedure[Any]]:
    """Every procedure: the modules of `flows/` that define `PROCEDURE`."""
    return registry.procedures()


def workflow_id(procedure: Procedure[Any], item: FlowInput, generation: int) -> str:
    base = f"{procedure.name}:{item.key}"
    return base if generation == 1 else f"{base}#{generation}"


def run_procedure(
    settings: Settings, procedure: Procedure[Any], item: FlowInput, *, source: str = "cli"
) -> Result:
    """Run `procedure` for `item` to its end, or carry on an earlier run of it.

    ConfigError (exit 2) before anything starts if a portal it needs is not configured.
    """
    results: list[Result] = []
    run_procedures(settings, procedure, [item], lambda _, r: results.append(r), source=source)
    return results[0]


def run_procedures(
    settings: Settings,
    procedure: Procedure[Any],
    items: list[FlowInput],
    each: Callable[[int, Result], None],
    *,
    source: str,
    stop: threading.Event | None = None,
    begin: Callable[[int], None] | None = None,
) -> None:
    """Run `procedure` for each item in turn, on one engine and one browser, calling
    `begin(index)` as each starts and `each(index, result)` as it ends; a set `stop`
    ends it between two items.

    It runs in a thread of its own: DBOS's synchronous API (like Playwright's) refuses a
    thread where an asyncio loop runs, as in an agent's server or under pytest-playwright.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="procedure") as thread:
        thread.submit(
            _run_procedures, settings, procedure, items, each, source, stop, begin
        ).result()


def _run_procedures(
    settings: Settings,
    procedure: Procedure[Any],
    items: list[FlowInput],
    each: Callable[[int, Result], None],
    source: str,
    stop: threading.Event | None,
    begin: Callable[[int], None] | None,
) -> None:
    from portalpilot._agent.policy import Gate
    from portalpilot._engine import RunRobot, _quiet_dbos, config

    procedure.preflight(settings)  # every system's settings, before any browser
    gate = Gate.of(settings)
    gate.policy()
    global _context
    with _lock:
        _quiet_dbos()
        executor = f"procedure-{socket.gethostname()}-{os.getpid()}"
        DBOS(config=config(settings, executor))
        DBOS.listen_queues([QUEUE])  # never a batch's items: those are the workers'
        robot = RunRobot(settings, workers=1)
        try:
            DBOS.launch()
            queue = DBOS.register_queue(QUEUE, polling_interval_sec=0.2)
            _context = _Context(settings, robot, gate)
            for index, item in enumerate(items):
                if stop is not None and stop.is_set():
                    break
                if begin is not None:
                    begin(index)
                try:
                    result = _run(settings, procedure, item, queue, source)
                except Exception as error:  # the procedure's own code, or the engine's
                    log_unexpected(logger, error, f"{procedure.name} {item.subject}")
                    result = _broken(procedure, item, error)
                each(index, result)
        finally:
            _context = None
            DBOS.destroy(workflow_completion_timeout_sec=0)
            robot.close()


def waiting(result: Result) -> bool:
    """A run done for now, not final (`Waiting`): the same command carries it on."""
    return bool(result.fields().get("waiting"))


def _resolved_before(procedure: Procedure[Any], item: FlowInput) -> Result | None:
    """The answer of a real run of `item` that ended done, if one did."""
    generation = 1
    while found := DBOS.get_workflow_status(workflow_id(procedure, item, generation)):
        if found.status == "SUCCESS":
            earlier = Result.model_validate(DBOS.retrieve_workflow(found.workflow_id).get_result())
            if earlier.outcome is Outcome.DONE and not waiting(earlier):
                return earlier
        generation += 1
    return None


def _broken(procedure: Procedure[Any], item: FlowInput, error: Exception) -> Result:
    """A run that ended on an unexpected error: what its steps did is in its system and in
    the ledger; run it again and every step is verified there, never redone."""
    return Result(
        flow=procedure.name,
        status="error",
        outcome=Outcome.FAILED,
        reference=item.subject,
        message=f"stopped by an unexpected error ({type(error).__name__}: {scrub(str(error))}); "
        "the same command carries on, each step done once",
        dry_run=item.dry_run,
    )


def _run(
    settings: Settings, procedure: Procedure[Any], item: FlowInput, queue: Any, source: str
) -> Result:
    from portalpilot._runner import new_run_id

    values = item.model_dump(mode="json")
    if item.dry_run:  # a plan never blocks, nor is blocked by, a real run
        done = _resolved_before(procedure, item)
        if done is not None:
            return done  # nothing left to plan: what the real run answered
        generation, wid, state = 0, f"{procedure.name}:{item.key}#dry-{new_run_id()}", None
    else:
        generation = 1
        while True:
            wid = workflow_id(procedure, item, generation)
            found = DBOS.get_workflow_status(wid)
            if found is None:
                state = None
                break
            if found.status in ("PENDING", "ENQUEUED"):
                state = "carry_on"
                break
            if found.status == "SUCCESS":
                earlier = Result.model_validate(DBOS.retrieve_workflow(wid).get_result())
                if earlier.outcome in (Outcome.DONE, Outcome.REFUSED) and not waiting(earlier):
                    return earlier  # resolved, or refused: the same answer again
            generation += 1  # failed or stopped: a new generation, its steps verified
    ledger = Ledger.of(settings)
    try:
        if state == "carry_on":
            logger.info("carrying on {} after its last completed step", wid)
            handle = DBOS.resume_workflow(wid, queue_name=QUEUE)
        else:
            run_id = new_run_id()
            ledger.start_run(run_id, procedure.name, source=source, dry_run=item.dry_run)
            with SetWorkflowID(wid):
                handle = queue.enqueue(_procedure_workflow, procedure.name, run_id, values)
        result = Result.model_validate(handle.get_result())
        if result.run_id:
            ledger.finish_run(result.run_id, "finished")
        return result
    finally:
        ledger.close()
