"""A flow tool call: validate, then read, or plan, or apply a planned change.

Flows run on the server's one Robot (warm browser, logged-in sessions) through
`Robot.submit`, awaited without blocking the event loop; once a run has started it is
shielded from the client's cancellation, so that what happened is always recorded. Two
calls about the same order never overlap (`OrderLocks`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
import anyio.lowlevel
from pydantic import ValidationError

from portalpilot import _registry as registry
from portalpilot._agent import tokens
from portalpilot._agent.answers import Answer, ToolRefusal
from portalpilot._agent.locks import OrderLocks
from portalpilot._agent.policy import FlowRules, Gate, PolicyBreach, amount_of
from portalpilot._agent.schema import CONFIRMATION, fields_of
from portalpilot._cli_inputs import describe_errors
from portalpilot._errors import ConfigError
from portalpilot._flow import Flow, FlowInput
from portalpilot._ledger import ItemStatus, Ledger
from portalpilot._registry import is_procedure
from portalpilot._results import Outcome, Result
from portalpilot._runner import Robot, new_run_id
from portalpilot._settings import Settings


def _flows_of(flow: Flow[Any]) -> list[Flow[Any]]:
    """The flows a tool runs: itself, or every flow of a procedure."""
    if is_procedure(flow):
        names: tuple[str, ...] = flow.flows  # type: ignore[attr-defined]
        return [registry.flows()[name] for name in names]
    return [flow]


def run_procedure(settings: Settings, procedure: Any, item: FlowInput, *, source: str) -> Result:
    from portalpilot._procedure import run_procedure as run  # the engine, when first used

    return run(settings, procedure, item, source=source)


def _tool(flow: Flow[Any]) -> str:
    return flow.name.replace(".", "_")


def _not_done(result: Result, **extra: Any) -> ToolRefusal:
    """A run that was refused, failed or whose outcome is unknown, as a tool error."""
    return ToolRefusal(
        result.status,
        result.message,
        outcome=result.outcome.value,
        run_id=result.run_id,
        result=result.model_dump(mode="json"),
        next_step=NEXT_STEP.get(result.outcome, ""),
        **extra,
    )


NEXT_STEP = {
    Outcome.REFUSED: "The portal (or the data) says no: tell your user; do not retry.",
    Outcome.FAILED: "The portal failed and nothing was changed: try again later "
    "(a confirmation token stays valid).",
    Outcome.UNKNOWN: "The outcome could not be seen: do not retry; a person must check "
    "the order in the portal (the message says where).",
}


def _breach(breach: PolicyBreach, **extra: Any) -> ToolRefusal:
    return ToolRefusal(breach.status, breach.message, **breach.details, **extra)


def _changes(plan: dict[str, Any]) -> list[str]:
    """What the plan will change: the flow's own `changes` (FlowOutput), as it declares them."""
    changes = plan.get("changes")
    return [str(change) for change in changes] if isinstance(changes, list) else []


class FlowCalls:
    def __init__(self, settings: Settings, robot: Robot, ledger: Ledger, gate: Gate) -> None:
        self.settings = settings
        self.robot = robot
        self.ledger = ledger
        self.gate = gate
        self.locks = OrderLocks()

    # --- the call ---------------------------------------------------------------------

    async def call(self, flow: Flow[Any], arguments: dict[str, Any], client: str | None) -> Answer:
        item, confirmation = self.parse(flow, arguments)
        try:
            for each in _flows_of(flow):
                self.robot.check(each)
            rules = self.gate.rules(flow.name)
        except ConfigError as error:
            raise ToolRefusal("not_configured", str(error), outcome="invalid") from None
        account = self.settings.portal(flow.portal.name).email or ""
        self._admissible(flow, item, account)  # what the policy forbids up front: no browser
        if not flow.changes_state:
            return await self._read(flow, item, client)
        async with self.locks.hold(f"{flow.portal.name}/{account}/{item.subject}"):
            if confirmation is not None:
                return await self._apply(flow, item, account, client, confirmation, rules)
            if self.settings.agent.direct_apply and not (rules and rules.require_approval):
                return await self._apply_directly(flow, item, account, client)
            return await self._plan(flow, item, account, client, rules)

    def parse(self, flow: Flow[Any], arguments: dict[str, Any]) -> tuple[FlowInput, str | None]:
        """The flow's own model validates, as for the CLI and batch rows (ToolRefusal)."""
        accepted = fields_of(flow)
        unknown = [name for name in arguments if name not in accepted]
        problems = [
            {
                "field": name,
                "value": arguments[name],
                "problem": "not an input of this tool; accepted: " + ", ".join(accepted),
            }
            for name in unknown
        ]
        confirmation = arguments.get(CONFIRMATION)
        if confirmation is not None and not isinstance(confirmation, str):
            problems.append(
                {"field": CONFIRMATION, "value": confirmation, "problem": "expected a string"}
            )
        values = {k: v for k, v in arguments.items() if k not in unknown and k != CONFIRMATION}
        values = {k: v for k, v in values.items() if v is not None}  # null: left out
        item = None
        try:
            item = flow.input_model.model_validate(values)
        except ValidationError as error:
            problems += describe_errors(error)
        if problems or item is None:
            raise ToolRefusal(
                "invalid",
                "; ".join(f"{p['field']}: {p['value']!r} — {p['problem']}" for p in problems)
                + ". Nothing was attempted.",
                outcome="invalid",
                errors=problems,
            )
        return item, confirmation

    # --- read, plan, apply ------------------------------------------------------------

    async def _read(self, flow: Flow[Any], item: FlowInput, client: str | None) -> Answer:
        result = await self._run(flow, item, client, note="read")
        if result.outcome is not Outcome.DONE:
            raise _not_done(result)
        return Answer(result.model_dump(mode="json"), "done", run_id=result.run_id)

    async def _plan(
        self,
        flow: Flow[Any],
        item: FlowInput,
        account: str,
        client: str | None,
        rules: FlowRules | None,
    ) -> Answer:
        plan = await self._run(flow, self._dry(item), client, note="plan")
        nothing = self._nothing_to_do(plan)
        if nothing:
            return nothing
        try:
            self.gate.check(flow, item, account, amount=amount_of(plan))
        except PolicyBreach as breach:
            raise _breach(breach, plan=tokens.plan_of(plan), run_id=plan.run_id) from None
        approval = bool(rules and rules.require_approval)
        issued = tokens.issue(
            self.ledger,
            flow,
            item,
            plan,
            client=client,
            minutes=self.settings.agent.confirmation_minutes,
            approval_required=approval,
        )
        shown = tokens.plan_of(plan)
        again = (
            f"call {_tool(flow)} again with the same arguments and "
            f"confirmation={issued.token!r} (before {issued.expires_at})"
        )
        if approval:
            next_step = (
                "A person must approve this first: show the plan to your user and ask an "
                f"operator to run `{tokens.APPROVE.format(token=issued.token)}`; then {again}."
            )
        else:
            next_step = f"Show the plan to your user. To apply it, {again}."
        payload = {
            "status": "planned",
            "message": plan.message,
            "plan": shown,
            "will_change": _changes(shown),
            "confirmation": issued.token,
            "expires_at": issued.expires_at,
            "approval": "required: waiting for a person" if approval else "not required",
            "next_step": next_step,
        }
        return Answer(payload, "planned", issued.token, shown, plan.run_id)

    async def _apply(
        self,
        flow: Flow[Any],
        item: FlowInput,
        account: str,
        client: str | None,
        token: str,
        rules: FlowRules | None,
    ) -> Answer:
        record = tokens.check(
            self.ledger.confirmation(token),
            token,
            flow,
            item,
            approval_required=bool(rules and rules.require_approval),
        )
        if not self.ledger.claim_confirmation(token):
            raise ToolRefusal("token_used", f"confirmation {token} is being or was applied")
        # Until the real run starts the token stays usable: nothing has been applied.
        state, run_id = "open", None
        try:
            # Plan again: the token holds only if the portal still shows what was planned.
            fresh = await self._run(flow, self._dry(item), client, note=None, record=False)
            if fresh.outcome is Outcome.FAILED:
                raise _not_done(fresh, token=token)  # the portal failed; try the token again
            if fresh.outcome is not Outcome.DONE or tokens.plan_hash(fresh) != record["plan_hash"]:
                state = "stale"
                planned = json.loads(record["plan"]).get("message", "")
                raise ToolRefusal(
                    "token_stale",
                    f"stale: the portal no longer shows what was planned; someone changed it "
                    f"meanwhile (planned: {planned}; now: {fresh.message}). Nothing was "
                    f"changed. Call {_tool(flow)} without `confirmation` for a fresh plan.",
                    token=token,
                    plan=tokens.plan_of(fresh),
                )
            await anyio.lowlevel.checkpoint()  # a client that gave up by now gets nothing
            self._admit(flow, item, account, fresh)
            state = "used"
            result = await self._run_admitted(flow, item, account, client, f"apply {token}")
            run_id = result.run_id
            if result.outcome is Outcome.FAILED:
                state = "open"  # the runner saw that nothing changed
            shown = tokens.plan_of(fresh)
            if result.outcome is not Outcome.DONE:
                raise _not_done(result, token=token, plan=shown, confirmation=token)
            payload = {**result.model_dump(mode="json"), "confirmation": token}
            return Answer(payload, "done", token, shown, run_id)
        finally:
            if state == "open":
                self.ledger.reopen_confirmation(token)
            else:
                self.ledger.close_confirmation(token, state, run_id)

    async def _apply_directly(
        self, flow: Flow[Any], item: FlowInput, account: str, client: str | None
    ) -> Answer:
        """Unattended agents (`PORTALPILOT_AGENT__DIRECT_APPLY`): plan and apply in one call."""
        plan = await self._run(flow, self._dry(item), client, note=None, record=False)
        nothing = self._nothing_to_do(plan)
        if nothing:
            return nothing
        shown = tokens.plan_of(plan)
        await anyio.lowlevel.checkpoint()
        self._admit(flow, item, account, plan)
        result = await self._run_admitted(flow, item, account, client, "direct apply")
        if result.outcome is not Outcome.DONE:
            raise _not_done(result, plan=shown)
        return Answer(result.model_dump(mode="json"), "done", plan=shown, run_id=result.run_id)

    def _admit(self, flow: Flow[Any], item: FlowInput, account: str, plan: Result) -> None:
        """The policy with the plan's amount; admitted, the action counts for the day."""
        try:
            self.gate.check(flow, item, account, amount=amount_of(plan), admit=True)
        except PolicyBreach as breach:
            raise _breach(breach, plan=tokens.plan_of(plan)) from None

    async def _run_admitted(
        self, flow: Flow[Any], item: FlowInput, account: str, client: str | None, note: str
    ) -> Result:
        """The real run; if the portal refused it, it no longer counts for the day."""
        result = await self._run(flow, item, client, note=note)
        if result.outcome is Outcome.REFUSED:
            self.gate.release(flow, item, account)
        return result

    # --- helpers ----------------------------------------------------------------------

    def _admissible(self, flow: Flow[Any], item: FlowInput, account: str) -> None:
        try:
            self.gate.check(flow, item, account)
        except PolicyBreach as breach:
            raise _breach(breach) from None
        except ConfigError as error:
            raise ToolRefusal("not_configured", str(error), outcome="invalid") from None

    @staticmethod
    def _dry(item: FlowInput) -> FlowInput:
        return item.model_copy(update={"dry_run": True})

    @staticmethod
    def _nothing_to_do(plan: Result) -> Answer | None:
        """A plan that failed is an error; one with nothing to change is the answer."""
        if plan.outcome is not Outcome.DONE:
            raise _not_done(plan)
        if plan.status == "dry_run":
            return None
        shown = tokens.plan_of(plan)
        payload = {**plan.model_dump(mode="json"), "next_step": "Nothing to apply."}
        return Answer(payload, "done", plan=shown, run_id=plan.run_id)

    async def _run(
        self,
        flow: Flow[Any],
        item: FlowInput,
        client: str | None,
        *,
        note: str | None,
        record: bool = True,
    ) -> Result:
        """One flow run on the warm Robot; `record`: a run of its own in the ledger."""
        account = self.settings.portal(flow.portal.name).email or ""
        run_id = new_run_id()
        if record:
            self.ledger.start_run(
                run_id, flow.name, source="agent", origin=client, dry_run=item.dry_run
            )
            key = flow.item_key(item)
            self.ledger.add_item(run_id, 1, flow.name, account, key, item.model_dump(mode="json"))
            self.ledger.mark_started(run_id, 1)
        # Once started, a run finishes and is recorded, even if the client gives up.
        with anyio.CancelScope(shield=True):
            if is_procedure(flow):  # its own engine and browser, in a thread of its own
                result = await asyncio.to_thread(
                    run_procedure, self.settings, flow, item, source="agent"
                )
            else:
                result = await asyncio.wrap_future(self.robot.submit(flow, item))
            result.run_id = run_id if record else None
            if record:
                self.ledger.record(run_id, 1, result, ItemStatus.of(result.outcome))
                self.ledger.finish_run(run_id, "finished", note)
        return result
