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
from portalpilot._flow import Cli, Face, Flow, FlowContext, FlowInput, Login, Portal
from portalpilot._guard import (
    Answer,
    Change,
    Committed,
    GuardBypassed,
    Reply,
    Seen,
    state_change,
)
from portalpilot._results import FlowOutput, Outcome, Result
from portalpilot._runner import Robot
from portalpilot._settings import BrowserSettings, PortalSettings, Settings

__all__ = [
    "Answer",
    "BrowserSettings",
    "Change",
    "Cli",
    "Committed",
    "ConfigError",
    "Face",
    "Flow",
    "FlowContext",
    "FlowError",
    "FlowInput",
    "FlowOutput",
    "GuardBypassed",
    "Login",
    "LoginRejected",
    "Outcome",
    "OutcomeUnknown",
    "Portal",
    "PortalDown",
    "PortalFailure",
    "PortalSettings",
    "Refusal",
    "Reply",
    "Result",
    "Robot",
    "Seen",
    "SessionExpired",
    "Settings",
    "state_change",
]
