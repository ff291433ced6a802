"""The operator's policy: what each flow may do, whoever asks (agent, CLI or batch).

A TOML file at `PORTALPILOT_POLICY_FILE`, one table per flow:

    [flows."kogan.refund"]
    max_amount = "200.00"           # largest amount of one action
    max_actions_per_day = 20        # per portal account, every entry point counted
    max_total_per_day = "1000.00"   # per portal account
    allowed_reasons = ["Faulty Item", "Damage In Transit"]
    allowed_accounts = ["seller@example.com"]
    require_approval = true         # agents: a person approves each planned action

No file set: no limits. A file set but missing or malformed stops everything (exit 2):
a typo must never mean "no limits". Per-day usage is read from the ledger: items done
today (all sources) plus the actions let through and not yet recorded (its `admissions`),
counted and admitted in one transaction under a lock per flow, account and day (see
`Ledger.admission`), so that parallel workers, tool calls, processes and machines sharing
the ledger cannot overshoot together.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portalpilot._errors import ConfigError, Refusal
from portalpilot._flow import Flow, FlowContext, FlowInput
from portalpilot._ledger import Day, Ledger
from portalpilot._results import FlowOutput, Outcome, Result
from portalpilot._settings import Settings


class FlowRules(BaseModel):
    """What the operator allows one flow, per action and per day per portal account."""

    model_config = ConfigDict(extra="forbid")

    max_amount: Decimal | None = Field(None, ge=0)
    max_actions_per_day: int | None = Field(None, ge=0)
    max_total_per_day: Decimal | None = Field(None, ge=0)
    allowed_reasons: list[str] | None = None
    allowed_accounts: list[str] | None = None
    require_approval: bool = False

    @property
    def limits_amount(self) -> bool:
        return self.max_amount is not None or self.max_total_per_day is not None


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flows: dict[str, FlowRules] = Field(default_factory=dict)


class PolicyBreach(Refusal):
    """A business refusal: the operator's policy does not allow this action."""

    status = "policy_refused"

    def __init__(self, flow: str, rule: str, message: str, limit: Any, value: Any) -> None:
        super().__init__(
            f"refused by the operator's policy ({flow} {rule}): {message}",
            rule=rule,
            limit=str(limit),
            value=str(value),
        )


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file; ConfigError says what is wrong and where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"PORTALPILOT_POLICY_FILE: {path} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"policy file {path}: {error}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"policy file {path}: {problems}") from None


def money(value: Any) -> Decimal | None:
    """An amount from a result (Decimal, or its JSON string), if it has one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _words(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def _changed(result: dict[str, Any]) -> bool:
    """Did this done item change anything? ("already_…", dry runs and duplicates did not.)"""
    status = str(result.get("status", ""))
    return not (status.startswith("already_") or status in ("dry_run", "duplicate"))


@dataclass(frozen=True)
class Usage:
    actions: int
    total: Decimal


class Gate:
    """The policy in force (re-read when its file changes); what is let through is counted
    in the ledger's database, shared by every process that uses it."""

    def __init__(self, path: Path | None, state_dir: Path, url: str | None = None) -> None:
        self.path = path
        self.state_dir = state_dir
        self.url = url  # the ledger's database; None: the state dir's SQLite file
        self._lock = threading.Lock()
        self._loaded: tuple[int, Policy] | None = None
        self._ledger: Ledger | None = None

    @classmethod
    def of(cls, settings: Settings) -> Gate:
        return cls(settings.policy_file, settings.state_dir, settings.database_url)

    def policy(self) -> Policy | None:
        if self.path is None:
            return None
        try:
            version = self.path.stat().st_mtime_ns
        except OSError:
            raise ConfigError(f"PORTALPILOT_POLICY_FILE: {self.path} does not exist") from None
        with self._lock:
            if self._loaded is None or self._loaded[0] != version:
                self._loaded = (version, load_policy(self.path))
            return self._loaded[1]

    def check_names(self, known: Iterable[str]) -> None:
        """A rule for a flow that does not exist is a typo, not "no limits": ConfigError."""
        policy = self.policy()
        names = set(known)
        unknown = sorted(set(policy.flows) - names) if policy else []
        if unknown:
            raise ConfigError(
                f"policy file {self.path}: no flow named {', '.join(map(repr, unknown))} "
                f"(flows: {', '.join(sorted(names))})"
            )

    def rules(self, flow: str) -> FlowRules | None:
        policy = self.policy()
        return policy.flows.get(flow) if policy else None

    def check(
        self,
        flow: Flow[Any],
        item: FlowInput,
        account: str,
        *,
        amount: Decimal | None = None,
        admit: bool = False,
    ) -> None:
        """Raise PolicyBreach if the policy forbids this action; `admit`: count it as let through.

        Without an amount (before the flow has read it) only what is known is checked:
        reasons, accounts, and whether today's count or total is already used up.
        """
        rules = self.rules(flow.name)
        if rules is None:
            return
        self._check_static(flow, rules, item, account)
        key = flow.item_key(item)
        # Counted and admitted in one transaction, under the day's lock: two processes
        # cannot both see the last action allowed and both take it.
        with self.ledger().admission(flow.name, account, date.today()) as day:
            self._check_day(flow.name, rules, self._usage(day, key), amount)
            if admit:
                day.admit(key, amount or Decimal(0))

    def release(self, flow: Flow[Any], item: FlowInput, account: str) -> None:
        """The admitted action did not happen (refused): it no longer counts."""
        self.ledger().release(flow.name, account, flow.item_key(item), date.today())

    def ledger(self) -> Ledger:
        """The ledger the counts are in (opened once; safe from any thread)."""
        with self._lock:
            if self._ledger is None:
                self._ledger = Ledger(self.state_dir, url=self.url)
            return self._ledger

    @staticmethod
    def _check_static(flow: Flow[Any], rules: FlowRules, item: FlowInput, account: str) -> None:
        if rules.allowed_accounts is not None:
            allowed = [a.casefold() for a in rules.allowed_accounts]
            if account.casefold() not in allowed:
                raise PolicyBreach(
                    flow.name,
                    "allowed_accounts",
                    f"the account {account!r} is not one of {', '.join(rules.allowed_accounts)}",
                    ", ".join(rules.allowed_accounts),
                    account,
                )
        if rules.allowed_reasons is not None:
            if "reason" not in type(item).model_fields:
                raise ConfigError(
                    f"the policy sets allowed_reasons for {flow.name}, whose input has no reason"
                )
            reason = getattr(item, "reason", None)
            text = str(getattr(reason, "value", reason) or "")
            if _words(text) not in {_words(r) for r in rules.allowed_reasons}:
                raise PolicyBreach(
                    flow.name,
                    "allowed_reasons",
                    f"the reason {text!r} is not one of {', '.join(rules.allowed_reasons)}",
                    ", ".join(rules.allowed_reasons),
                    text,
                )

    @staticmethod
    def _check_day(flow: str, rules: FlowRules, usage: Usage, amount: Decimal | None) -> None:
        most = rules.max_actions_per_day
        if most is not None and usage.actions + 1 > most:
            raise PolicyBreach(
                flow,
                "max_actions_per_day",
                f"{usage.actions} action(s) already done today for this account; "
                f"{most} allowed per day",
                most,
                usage.actions + 1,
            )
        if amount is not None and rules.max_amount is not None and amount > rules.max_amount:
            raise PolicyBreach(
                flow,
                "max_amount",
                f"${amount:,.2f} is more than the ${rules.max_amount:,.2f} allowed per action",
                rules.max_amount,
                amount,
            )
        total = rules.max_total_per_day
        if total is not None and usage.total + (amount or 0) > total:
            raise PolicyBreach(
                flow,
                "max_total_per_day",
                f"${usage.total:,.2f} already done today for this account"
                + (f" plus ${amount:,.2f}" if amount is not None else "")
                + f" is more than the ${total:,.2f} allowed per day",
                total,
                usage.total + (amount or 0),
            )
        if total is not None and amount is None and usage.total >= total:
            raise PolicyBreach(
                flow,
                "max_total_per_day",
                f"${usage.total:,.2f} already done today for this account; "
                f"${total:,.2f} allowed per day",
                total,
                usage.total,
            )

    @staticmethod
    def _usage(day: Day, key: str) -> Usage:
        """Today's actions and total: done (and changed something) or admitted, each key once."""
        amounts = {
            k: money(result.get("amount")) or Decimal(0)
            for k, result in day.done
            if _changed(result)
        }
        for k, amount in day.admitted.items():
            amounts.setdefault(k, amount)
        amounts.pop(key, None)  # a retry of the same action is not another action
        return Usage(len(amounts), sum(amounts.values(), Decimal(0)))


def amount_of(output: FlowOutput | Result) -> Decimal | None:
    if isinstance(output, Result):
        return money(output.fields().get("amount"))
    return output.amount


def guarded(flow: Flow[Any], gate: Gate) -> Flow[Any]:
    """`flow` with the policy checked in each attempt, after reading and before any change.

    Where the policy limits amounts, the flow's own dry run reads the amount first (it
    walks up to the final confirmation and cancels), then the real run follows on the
    same page. A dry run answers what the real run would: refused, if the policy says
    so. Used by the CLI and batches; agents check the plan they already have.
    """
    if gate.path is None:
        return flow
    inner = flow.run

    @functools.wraps(inner)
    def run(ctx: FlowContext, item: FlowInput) -> FlowOutput:
        rules = gate.rules(flow.name)
        if rules is None:
            return inner(ctx, item)
        account = ctx.settings.email or ""
        if item.dry_run:
            # The whole truth: the refusal the real run would get, with the amount read.
            plan = inner(ctx, item)
            if not plan.status.startswith("already_"):
                gate.check(flow, item, account, amount=amount_of(plan))
            return plan
        amount = None
        if rules.limits_amount:
            plan = inner(ctx, item.model_copy(update={"dry_run": True}))
            if plan.status.startswith("already_"):
                return inner(ctx, item)  # nothing will change: answer as the flow does
            amount = amount_of(plan)
        gate.check(flow, item, account, amount=amount, admit=True)
        try:
            return inner(ctx, item)
        except Refusal:
            gate.release(flow, item, account)
            raise

    return dataclasses.replace(flow, run=run)


def refused(flow: Flow[Any], item: FlowInput, account: str, breach: PolicyBreach) -> Result:
    """The result of an action the policy refused before any browser started."""
    return Result(
        flow=flow.name,
        status=breach.status,
        outcome=Outcome.REFUSED,
        reference=item.subject,
        message=breach.message,
        account=account,
        dry_run=item.dry_run,
        **breach.details,
    )
