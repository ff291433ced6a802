"""The error vocabulary every layer shares.

Flows and page objects raise these; the runner turns them into results and
decides what may be retried: system errors yes, business refusals never.
"""

from __future__ import annotations

from typing import Any


class ConfigError(Exception):
    """Settings are missing or wrong: nothing was attempted (exit 2)."""


class FlowError(Exception):
    """Base of what a flow may raise; `status` is the result's status word."""

    status = "error"

    def __init__(self, message: str, *, status: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if status:
            self.status = status
        self.details = details


class Refusal(FlowError):
    """A business answer (the portal's rules or the data say no). Never retried."""

    status = "refused"


class LoginRejected(Refusal):
    """The portal rejected the credentials. Retrying would lock the account."""

    status = "login_rejected"


class PortalFailure(FlowError):
    """The portal, the network or the browser misbehaved; nothing was changed. Retryable."""

    status = "portal_error"


class PortalDown(PortalFailure):
    """The portal shows its maintenance page."""

    status = "maintenance"


class SessionExpired(PortalFailure):
    """The portal sent us back to its sign-in page; the runner signs in again once."""

    status = "session_expired"


class OutcomeUnknown(FlowError):
    """A state-changing click whose result could not be seen.

    Retried only because every flow reads the state again before any click:
    the next attempt finds out what happened instead of clicking blindly.
    """

    status = "unknown"
