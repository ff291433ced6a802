"""loguru set-up: one sink on stderr, optional JSON lines, secrets scrubbed from every record."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from loguru import Record

_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <7}</level> "
    "<cyan>{extra[flow]}</cyan> <cyan>{extra[reference]}</cyan> {message}"
)
_secrets: list[str] = []


def _scrub(record: Record) -> None:
    # Defence in depth: nothing should log a password, but if an exception message or a
    # portal's page text ever carries one, it is masked before any sink sees it.
    for secret in _secrets:
        if secret and secret in record["message"]:
            record["message"] = record["message"].replace(secret, "***")
    for key, value in list(record["extra"].items()):
        if isinstance(value, str):
            for secret in _secrets:
                if secret and secret in value:
                    record["extra"][key] = value.replace(secret, "***")


def configure_logging(*, json: bool = False, level: str = "INFO", secrets: list[str] = ()) -> None:  # type: ignore[assignment]
    """Send logs to stderr only, so that stdout stays the command's answer (e.g. --json)."""
    _secrets[:] = [s for s in secrets if s]
    logger.remove()
    logger.configure(extra={"flow": "-", "reference": "-"}, patcher=_scrub)
    if json:
        logger.add(sys.stderr, level=level, serialize=True)
    else:
        logger.add(sys.stderr, level=level, format=_FORMAT, colorize=None)


def add_secret(secret: str) -> None:
    if secret and secret not in _secrets:
        _secrets.append(secret)
