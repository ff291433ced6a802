"""What a flow is, as the runner, the CLI, batch files and agent tools see it.

A flow declares its input model once; the CLI options, batch columns and tool schemas
are all derived from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from portalpilot._guard import Change, Committed, Guard, Reply, Seen
from portalpilot._results import FlowOutput

if TYPE_CHECKING:
    from loguru import Logger
    from playwright.sync_api import Page
    from pydantic import SecretStr

    from portalpilot._settings import PortalSettings


@dataclass(frozen=True)
class Cli:
    """How a field appears on the command line, when its name alone would read badly."""

    flag: str | None = None  # e.g. "--sku" for a list field named "skus"
    argument: bool = False  # positional, e.g. the order reference


class FlowInput(BaseModel):
    """Base of every flow's input: validated up front, before any browser starts."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    dry_run: bool = Field(
        False, description="Walk every step up to the final confirmation, then stop."
    )

    @property
    def subject(self) -> str:
        """The order or thread this input is about, for logs, results and the ledger.

        Every flow's input declares it; the keys of the changes it commits begin with it.
        """
        raise NotImplementedError(f"{type(self).__name__} declares no subject")

    @property
    def key(self) -> str:
        """What makes two inputs the same action (the ledger's "done before", a batch's
        duplicates, the policy's count): the subject, unless the input says more."""
        return self.subject


class Portal(Protocol):
    """What the runner needs of a portal: its name, its settings, how a person signs in.

    A portal defines one as `PORTAL` in `pages/<name>/portal.py`; the registry finds it.
    """

    name: str  # its settings are PORTALPILOT_<NAME>__…
    title: str  # the portal's name for people
    login_path: str  # the sign-in page, relative to the base URL (doctor checks it answers)

    @property
    def settings(self) -> type[PortalSettings]:
        """Its settings model: address and login, and its own (PORTALPILOT_<NAME>__…)."""
        ...

    def prepare(self, page: Page) -> None:
        """Install what every page of this portal needs (e.g. a cookie-banner handler)."""
        ...

    def sign_in(self, page: Page, login: Login) -> None:
        """Sign in on `page`; raise LoginRejected, PortalDown or PortalFailure."""
        ...


@dataclass(frozen=True)
class Login:
    """What a sign-in needs: where, who, the password, and the portal's own settings (a
    company domain, say, where its sign-in page asks for one)."""

    base_url: str
    email: str
    password: SecretStr = field(repr=False)
    settings: PortalSettings = field(repr=False)


@dataclass
class FlowContext:
    """Everything one attempt of a flow may use.

    State-changing clicks go through `commit` only (see `portalpilot/_guard.py`): the
    page methods that make them refuse to run anywhere else.
    """

    page: Page
    base_url: str
    settings: PortalSettings
    log: Logger
    attempt: int
    guard: Guard

    def commit(self, change: Change, click: Callable[[], Reply]) -> Committed:
        """Make one state-changing click through the runner's commit guard."""
        return self.guard.commit(change, click)

    def check(self, change: Change) -> Seen | None:
        """Before preparing a click: if an earlier click of `change` (a lost answer, a run
        that died) was never seen settled, read the portal now and settle it. Returns the
        reading (DONE: that click did it), or None when there was nothing to settle.
        """
        return self.guard.check(change)

    def found_done(self, key: str) -> bool:
        """A reading before any click shows the change `key` made. True if a click of ours
        whose answer was lost made it (say "changed"), False if it was done before (say
        "already done"). Settles the clicks the ledger still holds open for `key`.
        """
        return self.guard.found_done(key)

    def clicked_before(self, key: str) -> bool:
        """Whether a click of ours on `key` (this run or an earlier one) is still unsettled."""
        return self.guard.clicked_before(key)


I = TypeVar("I", bound=FlowInput)  # noqa: E741


@dataclass(frozen=True)
class Face:
    """Another CLI command for the same flow with some fields fixed.

    `chopni ship ORDER --tracking N` is `chopni.set_status` with status SHIPPED: one flow,
    one input model, several words a person would type.
    """

    command: str  # e.g. "ship"
    fixed: dict[str, Any]  # e.g. {"status": "SHIPPED"}
    help: str = ""


@dataclass(frozen=True)
class Flow(Generic[I]):
    name: str  # "kogan.refund"
    portal: Portal
    input_model: type[I]
    run: Callable[[FlowContext, I], FlowOutput]
    changes_state: bool = True
    faces: tuple[Face, ...] = ()

    def item_key(self, item: I) -> str:
        return item.key

    @property
    def summary(self) -> str:
        return (self.run.__doc__ or self.name).strip().splitlines()[0]
