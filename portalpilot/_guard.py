"""The commit guard: the one way a flow makes a state-changing click.

Exactly once is the machinery's job, not each flow's memory. A flow names the change it
is about to make (its `key`: order, line, action, a digest of a message) and how to read
the portal to see whether the change is there (`read`), and hands the click to
`FlowContext.commit`. The guard then:

1. if an earlier click of the same key (this attempt, another attempt, another process,
   an earlier run) was never seen settled, reads the portal first: only a positive
   reading that the change is absent lets it click again;
2. records the intent durably in the ledger (`changes` table), *before* the click;
3. clicks, through a permit: page methods marked `@state_change` refuse to run without
   one, so a flow cannot click past the guard;
4. reads the portal again. The change is there: done. Positively absent: the flow may
   refuse or retry. A reading that fails or cannot be parsed, or a reading that says
   "absent" after the portal said "done", is `OutcomeUnknown`: never retried, a person
   must look.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import sqlalchemy as sa
from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from portalpilot import _db
from portalpilot._db import changes
from portalpilot._errors import OutcomeUnknown, PortalDown, PortalFailure, SessionExpired

if TYPE_CHECKING:
    from portalpilot._settings import Settings


class Seen(StrEnum):
    """A positive reading of the portal about one change. Anything else is an error."""

    DONE = "done"  # the portal shows the change made
    ABSENT = "absent"  # the portal shows that it is not made (e.g. the line is Dispatched)


class Answer(StrEnum):
    """What the portal answered a state-changing click, in the words every portal shares."""

    DONE = "done"  # its success message
    REFUSED = "refused"  # an alert with one of its rules: nothing changed
    FAILED = "failed"  # an error page or alert: the change may or may not have happened
    SIGNED_OUT = "signed_out"
    DOWN = "down"  # the maintenance page
    UNSEEN = "unseen"  # nothing was seen: a timeout, a crash, a closed page


@dataclass(frozen=True)
class Reply:
    answer: Answer
    message: str


@dataclass(frozen=True)
class Change:
    """One state change a flow is about to make.

    `key` names it the same way in every run and process ("ESG-10012/KG-BT-SPK/refund");
    the guard scopes it by portal account. `read` looks at the portal afresh (it may
    navigate) and answers `Seen`; it raises (PortalFailure, say) when it cannot tell.
    """

    key: str  # begins with the item's subject and "/": "ESG-10012/…"
    read: Callable[[], Seen]
    what: str = ""  # for people: "refund ESG-10012 KG-BT-SPK"


@dataclass(frozen=True)
class Committed:
    """What the guard saw: the portal's reply to the click, and the reading after it."""

    reply: Reply
    seen: Seen  # DONE, or ABSENT (the portal did not take it: refused, or failed cleanly)


class GuardBypassed(RuntimeError):
    """A state-changing page method was called outside `FlowContext.commit`: a bug."""


# --- the permit: which change this thread is clicking right now ----------------------------

_permit = threading.local()

P = ParamSpec("P")
R = TypeVar("R")


def state_change(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a page method that changes the portal's state (a confirm, a send, a submit).

    It runs only inside the guard's click; anywhere else it raises GuardBypassed before
    touching the page.
    """

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        if getattr(_permit, "key", None) is None:
            raise GuardBypassed(
                f"{method.__qualname__} changes the portal's state: call it only through "
                "the runner's commit guard (ctx.commit)"
            )
        return method(*args, **kwargs)

    guarded.__state_change__ = True  # type: ignore[attr-defined]
    return guarded


@contextmanager
def _permitted(key: str) -> Iterator[None]:
    _permit.key = key
    try:
        yield
    finally:
        _permit.key = None


# --- the durable record: the ledger's `changes` table --------------------------------------

OPEN = ("clicking", "unknown")  # a click nobody has seen settled


def _now() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


class ChangeLog:
    """Intents and their settling, in the ledger's database; safe from any thread or process.

    A connection and a transaction per call: each worker thread and process writes through
    its own, and the database serialises them (SQLite: WAL and BEGIN IMMEDIATE; several
    machines: PostgreSQL). The intent is committed before `intend` returns, with SQLite's
    `synchronous=FULL` (`_db.py`) or PostgreSQL's synchronous commit, so that it survives a
    power cut between the record and the click.
    """

    def __init__(self, state_dir: Path | None = None, *, url: str | None = None) -> None:
        if url is None:
            if state_dir is None:
                raise TypeError("ChangeLog needs a state dir or a database URL")
            url = _db.sqlite_url(state_dir)
        self.url = _db.normalise_url(url)
        self._engine = _db.open_engine(self.url)

    @classmethod
    def of(cls, settings: Settings) -> ChangeLog:
        """The change log in force: `PORTALPILOT_DATABASE_URL`, else the state dir's file."""
        return cls(url=_db.database_url(settings))

    def open_click(self, account: str, key: str) -> int | None:
        """The latest click of `key` if nobody saw it settled, else None."""
        with self._engine.connect() as db:
            row = db.execute(
                sa.select(changes.c.change_id, changes.c.state)
                .where(changes.c.account == account, changes.c.key == key)
                .order_by(changes.c.change_id.desc())
                .limit(1)
            ).first()
        return row.change_id if row and row.state in OPEN else None

    def open_keys(self, account: str, prefix: str) -> list[str]:
        """The changes starting with `prefix` (an order's) whose latest click is unsettled."""
        # substr, not LIKE: SQLite's LIKE ignores case, and a key may hold % or _.
        later = changes.alias("later")
        latest = (
            sa.select(sa.func.max(later.c.change_id))
            .where(later.c.account == changes.c.account, later.c.key == changes.c.key)
            .scalar_subquery()
        )
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(changes.c.key, changes.c.state).where(
                    changes.c.account == account,
                    sa.func.substr(changes.c.key, 1, len(prefix)) == prefix,
                    changes.c.change_id == latest,
                )
            ).all()
        return sorted(row.key for row in rows if row.state in OPEN)

    def intend(self, account: str, key: str, flow: str, run_id: str) -> int:
        with _db.writing(self._engine, durable=True) as db:
            inserted = db.execute(
                sa.insert(changes).values(
                    account=account,
                    key=key,
                    flow=flow,
                    run_id=run_id,
                    state="clicking",
                    clicked_at=_now(),
                )
            )
        key_of_row = inserted.inserted_primary_key
        assert key_of_row is not None and key_of_row[0] is not None
        return int(key_of_row[0])

    def settle(self, change_id: int, state: str, note: str | None = None) -> None:
        with _db.writing(self._engine, durable=True) as db:
            db.execute(
                sa.update(changes)
                .where(changes.c.change_id == change_id)
                .values(state=state, note=note, settled_at=_now())
            )

    def settle_key(self, account: str, key: str, state: str, note: str) -> None:
        """Settle every open click of `key` (a later reading saw what they did)."""
        with _db.writing(self._engine, durable=True) as db:
            db.execute(
                sa.update(changes)
                .where(
                    changes.c.account == account,
                    changes.c.key == key,
                    changes.c.state.in_(OPEN),
                )
                .values(state=state, note=note, settled_at=_now())
            )

    def rows(self, run_id: str | None = None) -> list[dict[str, object]]:
        """Every recorded click, or a run's (for `runs show`, tests and people)."""
        query = sa.select(changes).order_by(changes.c.change_id)
        if run_id is not None:
            query = query.where(changes.c.run_id == run_id)
        with self._engine.connect() as db:
            return [dict(row) for row in db.execute(query).mappings()]


READINGS = 3  # readings after a click before its outcome is called unknown


def _read_again(error: BaseException) -> bool:
    return isinstance(error, PortalFailure | PlaywrightError) and not isinstance(
        error, PortalDown | SessionExpired
    )


# --- the guard of one item --------------------------------------------------------------------


@dataclass
class Guard:
    """The commit guard of one item: its account, flow and run, and its open clicks."""

    log: ChangeLog
    account: str
    flow: str
    run_id: str
    open: set[str]  # keys this item clicked and has not seen settled (shared by attempts)

    def clicked_before(self, key: str) -> bool:
        """Whether a click of ours on `key` (any run) was never seen settled."""
        return key in self.open or self.log.open_click(self.account, key) is not None

    def found_done(self, key: str) -> bool:
        """A reading before any click shows `key` done; True if an unsettled click of ours
        (an answer lost, a run that died) did it, False if it was done before (by someone
        else, or by a run of ours that saw it done and said so)."""
        ours = self.clicked_before(key)
        self.log.settle_key(self.account, key, "done", "seen done by a later reading")
        self.open.discard(key)
        return ours

    def check(self, change: Change) -> Seen | None:
        """Settle an earlier click of `change` nobody saw settled, by reading the portal.

        None when there is none. A flow calls it before it prepares the click (the reading
        may navigate); `commit` calls it too, so a flow that does not is still safe.
        """
        key = change.key
        if key not in self.open and self.log.open_click(self.account, key) is None:
            return None
        # Only a positive reading may clear it.
        seen = self._read(change, f"before clicking again ({key} was never seen settled)")
        self.log.settle_key(self.account, key, seen.value, f"seen {seen} before a new click")
        self.open.discard(key)
        return seen

    def commit(self, change: Change, click: Callable[[], Reply]) -> Committed:
        key = change.key
        if self.check(change) is Seen.DONE:
            return Committed(Reply(Answer.DONE, "done by an earlier click"), Seen.DONE)

        change_id = self.log.intend(self.account, key, self.flow, self.run_id)
        self.open.add(key)
        try:
            with _permitted(key):
                reply = click()
        except GuardBypassed:
            raise
        except Exception as error:  # the click's answer was not seen: the reading decides
            logger.warning("no answer seen to {}: {}", change.what or key, error)
            reply = Reply(Answer.UNSEEN, str(error).splitlines()[0] if str(error) else "")

        try:
            seen = self._read(change, f"after the click ({reply.answer}: {reply.message})")
        except SessionExpired:
            # Signed out: the runner signs in again and the flow reads again; the click
            # stays open in the ledger, so only a positive reading can clear it.
            raise
        except OutcomeUnknown as error:
            self.log.settle(change_id, "unknown", error.message)
            raise
        if seen is Seen.ABSENT and reply.answer is Answer.DONE:
            note = f"the portal said {reply.message!r} but the reading shows no change"
            self.log.settle(change_id, "unknown", note)
            raise OutcomeUnknown(f"{change.what or key}: {note}")
        self.log.settle(change_id, seen.value, reply.message)
        self.open.discard(key)
        return Committed(reply, seen)

    @staticmethod
    def _read(change: Change, when: str) -> Seen:
        """The flow's reading; any failure to read is an unknown outcome, never a guess.

        A reading is idempotent, and the one after a click is what decides between done
        and unknown: one that failed on a portal error (500, a timeout) is read again a
        few times, with backoff, before the outcome is declared unknown.
        """
        reading = Retrying(
            retry=retry_if_exception(_read_again),
            stop=stop_after_attempt(READINGS),
            wait=wait_exponential_jitter(multiplier=0.25, max=2.0, jitter=0.25),
            reraise=True,
        )
        try:
            seen = reading(change.read)
        except SessionExpired:
            raise
        except Exception as error:
            text = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise OutcomeUnknown(
                f"{change.what or change.key}: could not read the portal {when}: {text}"
            ) from error
        if not isinstance(seen, Seen):
            raise OutcomeUnknown(f"{change.what or change.key}: the reading said {seen!r}")
        return seen
