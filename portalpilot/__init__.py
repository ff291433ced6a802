"""portalpilot's shared machinery: settings, browser, sessions, retries, evidence, results.

It knows nothing of any one portal; flows (`flows/`) bring their portal and steps.
"""

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
from portalpilot._flow import Cli, Face, Flow, FlowContext, FlowInput, Portal
from portalpilot._results import FlowOutput, Outcome, Result
from portalpilot._runner import Robot
from portalpilot._settings import BrowserSettings, PortalSettings, Settings

__all__ = [
    "BrowserSettings",
    "Cli",
    "ConfigError",
    "Face",
    "Flow",
    "FlowContext",
    "FlowError",
    "FlowInput",
    "FlowOutput",
    "LoginRejected",
    "Outcome",
    "OutcomeUnknown",
    "Portal",
    "PortalDown",
    "PortalFailure",
    "PortalSettings",
    "Refusal",
    "Result",
    "Robot",
    "SessionExpired",
    "Settings",
]
