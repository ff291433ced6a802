"""loguru set-up: one sink on stderr, optional JSON lines, secrets scrubbed from every record.

While a Rich progress bar is live on the terminal, log lines go through the bar's own
console, which prints them above the bar instead of through it (`live_console`).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from loguru import logger
from rich.text import Text

if TYPE_CHECKING:
    from loguru import Logger, Message, Record
    from rich.console import Console

_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <7}</level> "
    "<cyan>{extra[flow]}</cyan> <cyan>{extra[reference]}</cyan> {message}"
)
_secrets: list[str] = []
_live: list[Console] = []  # the console of a live progress bar, if one is on screen


def _stderr(message: Message) -> None:
    """The one sink: above a live bar through its console, else straight to stderr.

    `sys.stderr` is looked up at each line, so whoever replaced it (a test) gets the line.
    """
    if _live:
        _live[-1].print(Text.from_ansi(str(message).rstrip("\n")), soft_wrap=True)
        return
    sys.stderr.write(message)
    sys.stderr.flush()


@contextmanager
def live_console(console: Console) -> Iterator[None]:
    """While inside, log lines are printed by `console` (a live Rich Progress's)."""
    _live.append(console)
    try:
        yield
    finally:
        _live.remove(console)


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
    # diagnose off: loguru would print every local variable of a traceback, a password
    # among them; the scrubber never sees those values.
    if json:
        logger.add(_stderr, level=level, serialize=True, diagnose=False, backtrace=False)
    else:
        logger.add(
            _stderr,
            level=level,
            format=_FORMAT,
            colorize=sys.stderr.isatty(),  # colours on a terminal, plain lines elsewhere
            diagnose=False,
            backtrace=False,
        )


def log_unexpected(log: Logger, error: BaseException, what: str) -> None:
    """An unexpected error: its type and message, and the stack at DEBUG, never the values
    of its variables (loguru's `diagnose` would print them, a password among them)."""
    text = str(error).splitlines()[0] if str(error) else ""
    log.error("{} failed unexpectedly: {}: {}", what, type(error).__name__, text)
    log.debug("{}", "".join(traceback.format_exception(error)).rstrip())


def scrub(text: str) -> str:
    """`text` with every known secret masked (results and messages built from errors)."""
    for secret in _secrets:
        if secret and secret in text:
            text = text.replace(secret, "***")
    return text


def add_secret(secret: str) -> None:
    if secret and secret not in _secrets:
        _secrets.append(secret)
