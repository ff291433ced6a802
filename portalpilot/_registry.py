"""Which portals and flows there are: found by looking, never listed by hand.

A portal is a package `pages/<name>/` whose `portal.py` defines `PORTAL`; a flow is a
module of `flows/` that defines `FLOW`. Adding a portal adds files and edits none: the
settings, `doctor`, the CLI, batch and agent tools find it here. (The mock portals are
found the same way by `fixtures/server.py`.)

The machinery names no portal, only the project's layout; the packages are imported
lazily so that `portalpilot` itself imports none of them.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portalpilot._flow import Flow, Portal
    from portalpilot._procedure import Procedure


def _submodules(package: str) -> list[tuple[str, bool]]:
    module = importlib.import_module(package)
    return sorted(
        (info.name, info.ispkg)
        for info in pkgutil.iter_modules(module.__path__)
        if not info.name.startswith("_")
    )


@functools.cache
def portals() -> dict[str, Portal]:
    """Every portal, by name (`pages/<name>/portal.py`, attribute `PORTAL`)."""
    found: dict[str, Portal] = {}
    for name, is_package in _submodules("pages"):
        if not is_package:
            continue
        module = importlib.import_module(f"pages.{name}.portal")
        portal = module.PORTAL
        found[portal.name] = portal
    return found


@functools.cache
def flows() -> dict[str, Flow[Any]]:
    """Every flow, by name ("<portal>.<action>"): the modules of `flows/` defining `FLOW`."""
    found: dict[str, Flow[Any]] = {}
    for name, _ in _submodules("flows"):
        flow = getattr(importlib.import_module(f"flows.{name}"), "FLOW", None)
        if flow is not None:
            found[flow.name] = flow
    return found


@functools.cache
def procedures() -> dict[str, Procedure[Any]]:
    """Every procedure (a flow of flows): the modules of `flows/` defining `PROCEDURE`."""
    found: dict[str, Procedure[Any]] = {}
    for name, _ in _submodules("flows"):
        procedure = getattr(importlib.import_module(f"flows.{name}"), "PROCEDURE", None)
        if procedure is not None:
            found[procedure.name] = procedure
    return found


def runnables() -> dict[str, Any]:
    """Flows and procedures, by name: what a batch file or an agent's tool can run."""
    return {**flows(), **procedures()}


def is_procedure(runnable: object) -> bool:
    """A procedure (portalpilot/_procedure.py), told from a flow without importing the
    engine it runs on."""
    return hasattr(runnable, "systems")


def portal(name: str) -> Portal:
    from portalpilot._errors import ConfigError

    try:
        return portals()[name]
    except KeyError:
        known = ", ".join(portals())
        raise ConfigError(f"there is no portal named {name!r} (portals: {known})") from None
