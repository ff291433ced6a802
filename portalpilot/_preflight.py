"""Checks made before any browser starts, so that a bad setting is exit 2, not a retry loop."""

from __future__ import annotations

from typing import Any

from portalpilot._flow import Flow
from portalpilot._settings import Settings


def preflight(settings: Settings, flow: Flow[Any]) -> str:
    """The account (email) the flow will sign in as; ConfigError names what is wrong."""
    portal = settings.portal(flow.portal.name)
    portal.require(flow.portal.name)
    return portal.email or ""
