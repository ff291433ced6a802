"""The commit guard on its own: what it records, when it clicks, when it says unknown.

The clicks here are plain functions that count their calls (the guard's contract is the
same for any click); the guard's use by every flow is tested against the mock portals in
each portal's tests. The last tests prove that no page method that changes a portal's
state can run outside the guard, and that flows click only through page objects.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest

import pages
from portalpilot import Answer, Change, GuardBypassed, OutcomeUnknown, PortalFailure, Reply, Seen
from portalpilot import _registry as registry
from portalpilot._guard import ChangeLog, Guard
from portalpilot._runner import _retryable

ROOT = Path(__file__).resolve().parents[1]


class Portal:
    """A pretend portal: one change that a click makes, and a reading of it."""

    def __init__(self) -> None:
        self.made = 0
        self.clicks = 0

    def click(self, reply: Answer = Answer.DONE, takes: bool = True) -> Callable[[], Reply]:
        def do() -> Reply:
            self.clicks += 1
            if takes:
                self.made += 1
            return Reply(reply, str(reply))

        return do

    def read(self) -> Seen:
        return Seen.DONE if self.made else Seen.ABSENT


def guard(tmp_path: Path, run: str = "run-1") -> Guard:
    return Guard(ChangeLog(tmp_path), "acct", "test.flow", run, open=set())


def states(tmp_path: Path) -> list[object]:
    return [row["state"] for row in ChangeLog(tmp_path).rows()]


def test_the_intent_is_recorded_before_the_click_and_settled_after(tmp_path: Path) -> None:
    portal = Portal()
    seen_at_click: list[object] = []

    def click() -> Reply:
        seen_at_click.extend(states(tmp_path))
        return portal.click()()

    committed = guard(tmp_path).commit(Change("k", portal.read), click)

    assert seen_at_click == ["clicking"]  # durable before the click
    assert (committed.seen, portal.made) == (Seen.DONE, 1)
    assert states(tmp_path) == ["done"]


def test_a_failed_reading_after_the_click_is_unknown(tmp_path: Path) -> None:
    portal = Portal()

    def unreadable() -> Seen:
        raise PortalFailure("the list shows no such row")

    with pytest.raises(OutcomeUnknown, match="could not read"):
        guard(tmp_path).commit(Change("k", unreadable), portal.click())
    assert states(tmp_path) == ["unknown"]
    assert not _retryable(OutcomeUnknown("x"))  # the runner never retries it


def test_absent_after_the_portal_said_done_is_unknown(tmp_path: Path) -> None:
    portal = Portal()
    with pytest.raises(OutcomeUnknown, match="reading shows no change"):
        guard(tmp_path).commit(Change("k", portal.read), portal.click(takes=False))
    assert states(tmp_path) == ["unknown"]


def test_a_click_left_open_is_never_clicked_again_without_a_positive_reading(
    tmp_path: Path,
) -> None:
    portal = Portal()
    with pytest.raises(OutcomeUnknown):
        guard(tmp_path).commit(Change("k", lambda: Seen("maybe")), portal.click())

    # Another run (another process, the next night): the reading still fails.
    def unreadable() -> Seen:
        raise PortalFailure("unreadable")

    with pytest.raises(OutcomeUnknown):
        guard(tmp_path, "run-2").commit(Change("k", unreadable), portal.click())
    assert portal.clicks == 1

    # A reading that works says it is done: no second click.
    committed = guard(tmp_path, "run-3").commit(Change("k", portal.read), portal.click())
    assert (committed.seen, portal.clicks, portal.made) == (Seen.DONE, 1, 1)


def test_a_positive_absent_reading_allows_the_click_again(tmp_path: Path) -> None:
    portal = Portal()
    failed = guard(tmp_path).commit(
        Change("k", portal.read), portal.click(Answer.FAILED, takes=False)
    )
    assert failed.seen is Seen.ABSENT  # the flow decides: a new attempt may try again
    again = guard(tmp_path).commit(Change("k", portal.read), portal.click())
    assert (again.seen, portal.clicks, portal.made) == (Seen.DONE, 2, 1)
    assert states(tmp_path) == ["absent", "done"]


def test_a_click_that_raises_is_settled_by_the_reading(tmp_path: Path) -> None:
    portal = Portal()

    def crashes() -> Reply:
        portal.click()()
        raise TimeoutError("no answer within 10 s")

    committed = guard(tmp_path).commit(Change("k", portal.read), crashes)
    assert (committed.reply.answer, committed.seen, portal.made) == (
        Answer.UNSEEN,
        Seen.DONE,
        1,
    )


def test_changes_are_scoped_by_account(tmp_path: Path) -> None:
    portal = Portal()
    with pytest.raises(OutcomeUnknown):
        guard(tmp_path).commit(Change("k", lambda: Seen("?")), portal.click())
    other = Guard(ChangeLog(tmp_path), "other-account", "test.flow", "run-2", open=set())
    assert other.check(Change("k", portal.read)) is None


# --- nothing changes a portal outside the guard ---------------------------------------


def state_changing_methods() -> list[tuple[str, Callable[..., object]]]:
    found = []
    for info in pkgutil.walk_packages(pages.__path__, "pages."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for name, method in vars(cls).items():
                if getattr(method, "__state_change__", False):
                    found.append((f"{cls.__module__}.{cls.__qualname__}.{name}", method))
    return found


def test_every_portal_marks_its_state_changing_clicks() -> None:
    marked = {name.split(".")[1] for name, _ in state_changing_methods()}
    changing = {flow.portal.name for flow in registry.flows().values() if flow.changes_state}
    assert changing <= marked


@pytest.mark.parametrize("name", [name for name, _ in state_changing_methods()])
def test_a_state_changing_page_method_refuses_to_run_outside_the_guard(name: str) -> None:
    method = dict(state_changing_methods())[name]
    with pytest.raises(GuardBypassed, match="commit guard"):
        method(None)  # refused before it touches anything


FORBIDDEN = {"click", "dblclick", "press", "tap", "dispatch_event", "evaluate", "set_checked"}


@pytest.mark.parametrize("path", sorted((ROOT / "flows").glob("*.py")), ids=lambda p: p.name)
def test_flows_act_on_portals_only_through_page_objects(path: Path) -> None:
    """A flow cannot click past the guard by clicking a locator itself."""
    tree = ast.parse(path.read_text())
    calls = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert FORBIDDEN.isdisjoint(calls)
    # Module-level imports only: a type named under `if TYPE_CHECKING:` drives nothing.
    imports = [node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)] + [
        alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names
    ]
    assert not [name for name in imports if name.startswith("playwright")]


@pytest.mark.parametrize("name", sorted(registry.flows()))
def test_every_flow_declares_its_subject(name: str) -> None:
    """The runner, the ledger and the guard name an item by its input's own declaration."""
    from portalpilot import FlowInput

    flow = registry.flows()[name]
    assert flow.input_model.subject is not FlowInput.subject
