"""The runner: every flow's attempts, retries, sessions, evidence and result.

It knows nothing of any one portal: a flow brings its portal (how to sign in) and its
steps; the runner decides what is retried, when to sign in again, and what the outcome
of an item is.
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from pydantic import SecretStr
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from portalpilot._errors import (
    ConfigError,
    FlowError,
    LoginRejected,
    OutcomeUnknown,
    PortalDown,
    PortalFailure,
    Refusal,
    SessionExpired,
)
from portalpilot._evidence import capture, screenshot
from portalpilot._flow import Flow, FlowContext, FlowInput, Login
from portalpilot._guard import ChangeLog, Guard
from portalpilot._logging import add_secret, log_unexpected, scrub
from portalpilot._results import FlowOutput, Outcome, Result
from portalpilot._sessions import Account, Session, SessionStore, StorageState
from portalpilot._settings import Settings
from portalpilot._workers import BrowserSlot, Lane, WorkerPool

SIGN_IN_TRIES = 6  # a sign-in page that failed to load or answer, done again in place


def new_run_id() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _retryable(error: BaseException) -> bool:
    # Refusals (the portal or the data said no) are answers, not accidents: never retried.
    # An unknown outcome is never retried either: a person must look (design.md, rule 1).
    return isinstance(error, PortalFailure | PlaywrightError)


def _first_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return text or type(error).__name__


class Robot:
    """Runs flows on a pool of browser workers that sign in once per account."""

    def __init__(self, settings: Settings, *, workers: int = 1, run_id: str | None = None):
        self.settings = settings
        self.run_id = run_id or new_run_id()
        self.run_dir = settings.state_dir / "runs" / self.run_id
        self.sessions = SessionStore(settings.state_dir / "sessions")
        self.changes = ChangeLog.of(settings)
        self._pool = WorkerPool(settings.browser, workers)
        for secret in settings.secrets():
            add_secret(secret)

    def __enter__(self) -> Robot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    def check(self, flow: Flow[Any]) -> None:
        """Raise ConfigError now if the flow's portal is not configured (exit 2, no browser)."""
        self.settings.portal(flow.portal.name).require(flow.portal.name)

    @property
    def workers(self) -> int:
        return self._pool.size

    def submit(self, flow: Flow[Any], item: FlowInput) -> Future[Result]:
        """Queue one item. Whatever an earlier run clicked is in the ledger: the guard reads
        the portal before it lets the same change be clicked again."""
        self.check(flow)
        return self._pool.submit(lambda slot: self._execute(slot, flow, item))

    def run(self, flow: Flow[Any], item: FlowInput) -> Result:
        return self.submit(flow, item).result()

    # --- inside a worker thread -------------------------------------------------------

    def _execute(self, slot: BrowserSlot, flow: Flow[Any], item: FlowInput) -> Result:
        # Every log line of this item, the machinery's included, names the flow and order.
        with logger.contextualize(flow=flow.name, reference=item.subject):
            return self._execute_item(slot, flow, item)

    def _execute_item(self, slot: BrowserSlot, flow: Flow[Any], item: FlowInput) -> Result:
        portal = flow.portal
        base_url, email, password = self.settings.portal(portal.name).require(portal.name)
        account = Account(portal.name, base_url, email, password)
        log = logger.bind(flow=flow.name, reference=item.subject)
        guard = Guard(self.changes, account.key, flow.name, self.run_id, open=set())
        evidence: list[str] = []
        started = time.perf_counter()
        attempts = 0

        def attempt_once() -> FlowOutput:
            nonlocal attempts
            attempts += 1
            return self._attempt(slot, flow, item, account, password, attempts, guard, evidence)

        retry = self.settings.retries
        retrying = Retrying(
            stop=stop_after_attempt(retry.attempts),
            wait=wait_exponential_jitter(
                multiplier=retry.backoff_s, max=retry.backoff_max_s, jitter=retry.backoff_s
            ),
            retry=retry_if_exception(_retryable),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "attempt {} failed ({}); retrying",
                state.attempt_number,
                _first_line(state.outcome.exception() or Exception("?")) if state.outcome else "?",
            ),
        )
        fields: Any
        try:
            output = retrying(attempt_once)
            outcome, status, message, fields = Outcome.DONE, output.status, output.message, output
        except Refusal as error:
            outcome, status, message, fields = Outcome.REFUSED, error.status, error.message, error
        except (FlowError, PlaywrightError) as error:
            outcome, status, message, fields = self._failure(portal.title, error, guard, item)
        except ConfigError:
            raise
        except Exception as error:  # a bug or a crashed browser: the item failed, say why
            log_unexpected(log, error, "the flow")
            outcome, status, message, fields = self._failure(portal.title, error, guard, item)
        extra = (
            fields.model_dump(exclude={"status", "message"})
            if isinstance(fields, FlowOutput)
            else getattr(fields, "details", {})
        )
        result = Result(
            flow=flow.name,
            status=status,
            outcome=outcome,
            reference=item.subject,
            message=message,
            account=email,
            dry_run=item.dry_run,
            evidence=evidence,
            attempts=attempts,
            duration_s=round(time.perf_counter() - started, 3),
            run_id=self.run_id,
            **extra,
        )
        dumped = result.model_dump_json()
        if scrub(dumped) != dumped:
            # An error's text that carried a secret (a careless page, a bug): masked in the
            # result, and so in the JSON output, the ledger, the report and agent answers.
            result = Result.model_validate_json(scrub(dumped))
        log.log("SUCCESS" if outcome is Outcome.DONE else "WARNING", "{}: {}", status, message)
        return result

    def _failure(
        self, title: str, error: BaseException, guard: Guard, item: FlowInput
    ) -> tuple[Outcome, str, str, Any]:
        # A click nobody saw settled, this run's or an earlier one's on the same order:
        # never "failed", which would invite a blind retry.
        unsettled = guard.open | set(self.changes.open_keys(guard.account, f"{item.subject}/"))
        if unsettled or isinstance(error, OutcomeUnknown):
            what = ", ".join(sorted(unsettled)) or "the last change"
            return (
                Outcome.UNKNOWN,
                "unknown",
                f"{what}: the outcome could not be seen ({_first_line(error)}); check it in "
                f"the {title} before trying again",
                error,
            )
        if isinstance(error, FlowError):
            return Outcome.FAILED, error.status, error.message, error
        return Outcome.FAILED, "portal_error", f"{title}: {_first_line(error)}", error

    def _attempt(
        self,
        slot: BrowserSlot,
        flow: Flow[Any],
        item: FlowInput,
        account: Account,
        password: SecretStr,
        number: int,
        guard: Guard,
        evidence: list[str],
    ) -> FlowOutput:
        def sign_in() -> StorageState:
            return self._sign_in(slot, flow, account, password, evidence)

        log = logger.bind(flow=flow.name, reference=item.subject, attempt=number)
        lane: Lane | None = None
        try:
            session = self.sessions.get(account, sign_in)
            lane = self._lane(slot, flow, account, session)
            try:
                return self._run_flow(flow, item, lane, number, guard, log)
            except SessionExpired:
                # Once per attempt: a session that expires again right away fails this
                # attempt (retried with backoff), so logins are bounded by the attempts.
                log.info("the session expired; signing in again")
                slot.drop(account.key)
                lane = None
                session = self.sessions.renew(account, session, sign_in)
                lane = self._lane(slot, flow, account, session)
                return self._run_flow(flow, item, lane, number, guard, log)
        except Exception as error:
            if lane is not None:
                name = f"{item.subject}-attempt{number}"
                keep_trace = not isinstance(error, Refusal)
                evidence.extend(capture(lane, self.run_dir, name, keep_trace=keep_trace))
            if not isinstance(error, Refusal):
                slot.drop(account.key)  # the next attempt starts on a fresh page
            raise

    def _run_flow(
        self,
        flow: Flow[Any],
        item: FlowInput,
        lane: Lane,
        number: int,
        guard: Guard,
        log: Any,
    ) -> FlowOutput:
        if lane.tracing:
            lane.context.tracing.start_chunk(title=f"{flow.name} {item.subject} #{number}")
        settings = self.settings.portal(flow.portal.name)
        context = FlowContext(
            page=lane.page,
            base_url=settings.base_url or "",
            settings=settings,
            log=log,
            attempt=number,
            guard=guard,
        )
        output = flow.run(context, item)
        if lane.tracing:
            lane.context.tracing.stop_chunk()  # success: the trace is not kept
        return output

    def _lane(self, slot: BrowserSlot, flow: Flow[Any], account: Account, session: Session) -> Lane:
        return slot.lane(account.key, session.state, session.version, flow.portal.prepare)

    def _sign_in(
        self,
        slot: BrowserSlot,
        flow: Flow[Any],
        account: Account,
        password: SecretStr,
        evidence: list[str],
    ) -> StorageState:
        """Sign in in a context of its own, never traced, and keep only its cookies.

        A sign-in the portal answered with its error page (500, a timeout) is done again
        on a fresh context, a few times with backoff: that is no rejection, and a whole
        attempt should not be spent on it. A rejection is never retried (lockout).
        """
        retrying = Retrying(
            retry=retry_if_exception(
                lambda e: _retryable(e) and not isinstance(e, PortalDown | LoginRejected)
            ),
            stop=stop_after_attempt(SIGN_IN_TRIES),
            wait=wait_exponential_jitter(multiplier=0.15, max=1.5, jitter=0.15),
            reraise=True,
        )
        return retrying(self._sign_in_once, slot, flow, account, password, evidence)

    def _sign_in_once(
        self,
        slot: BrowserSlot,
        flow: Flow[Any],
        account: Account,
        password: SecretStr,
        evidence: list[str],
    ) -> StorageState:
        context = slot.new_context()
        try:
            page = context.new_page()
            flow.portal.prepare(page)
            try:
                settings = self.settings.portal(flow.portal.name)
                login = Login(account.base_url, account.email, password, settings)
                flow.portal.sign_in(page, login)
            except Exception:
                # A screenshot only: the page's HTML could hold what was typed.
                name = f"sign-in-{account.portal}-{len(evidence)}"
                evidence.extend(screenshot(page, self.run_dir, name, html=False))
                raise
            logger.info("signed in to {} as {}", flow.portal.title, account.email)
            return context.storage_state()  # type: ignore[return-value]
        finally:
            context.close()
