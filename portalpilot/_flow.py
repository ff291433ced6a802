"""What a flow is, as the runner, the CLI, batch files and agent tools see it.

A flow declares its input model once; the CLI options, batch columns and tool schemas
are all derived from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from portalpilot._results import FlowOutput

if TYPE_CHECKING:
    from loguru import Logger
    from playwright.sync_api import Page

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
        """The order or thread this input is about, for logs, results and the ledger."""
        return str(getattr(self, "reference", ""))


class Portal(Protocol):
    """What the runner needs of a portal: its name and how a person signs in."""

    name: str
    title: str

    def prepare(self, page: Page) -> None:
        """Install what every page of this portal needs (e.g. a cookie-banner handler)."""
        ...

    def sign_in(self, page: Page, base_url: str, email: str, password: str) -> None:
        """Sign in on `page`; raise LoginRejected, PortalDown or PortalFailure."""
        ...


@dataclass
class Attempts:
    """What one item's attempts remember of each other.

    A flow marks a state-changing click before it clicks and clears the mark once it has
    seen the portal's answer. The next attempt can then tell "refunded by us, the answer
    was lost" from "refunded by someone else"; and if attempts run out while a mark is
    set, the outcome is unknown, never "failed".
    """

    clicked: set[str] = field(default_factory=set)
    unverified: str | None = None
    interrupted: bool = False  # an earlier run stopped mid-item: any click may have happened


@dataclass
class FlowContext:
    """Everything one attempt of a flow may use."""

    page: Page
    base_url: str
    settings: PortalSettings
    log: Logger
    attempt: int
    history: Attempts

    def clicking(self, key: str) -> None:
        """Call just before a state-changing click on `key` (e.g. "ESG-1001/KG-BT-SPK")."""
        self.history.clicked.add(key)
        self.history.unverified = key

    def seen(self, key: str) -> None:
        """Call once the portal's state after the click on `key` has been read."""
        if self.history.unverified == key:
            self.history.unverified = None

    def clicked_before(self, key: str) -> bool:
        return key in self.history.clicked or self.history.interrupted


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
    # What makes two inputs "the same thing" (same order and lines): the ledger's key and
    # a batch's duplicate check. Default: the subject (order reference).
    key: Callable[[I], str] | None = None
    faces: tuple[Face, ...] = ()

    def item_key(self, item: I) -> str:
        return self.key(item) if self.key else item.subject

    @property
    def summary(self) -> str:
        return (self.run.__doc__ or self.name).strip().splitlines()[0]
