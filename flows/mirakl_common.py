"""What the Mirakl back-office flows share: input checks, the portal's clock, message texts.

Inputs are checked here once, so the CLI, batch files and agent tools refuse the same
things with the same words, before any browser starts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from pages.mirakl import portal_now

if TYPE_CHECKING:
    from playwright.sync_api import Page  # only named, never driven: flows use page objects

ORDER_ID = re.compile(r"\d{6,14}-[A-Z]{1,3}")
THREAD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}")
FILES_MAX = 5
FILE_BYTES_MAX = 10 * 1024 * 1024
TEXT_MAX = 5000


def order_id(value: object) -> object:
    """`8817455903-a ` → `8817455903-A`; anything else is refused with an example."""
    if not isinstance(value, str):
        return value
    text = value.strip().upper()
    if not ORDER_ID.fullmatch(text):
        raise ValueError("expected the marketplace's order number, e.g. 8817455903-A")
    return text


def thread_id(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not THREAD_ID.fullmatch(text):
        raise ValueError("expected a thread id as in the address messages/THREAD_ID, e.g. TH-10001")
    return text


def amount(value: object) -> object:
    """`5.99`, `€5.99`, `1,234.50` → Decimal; `5,99` is refused (which comma is it?)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = value.replace("€", "").replace(" ", "").strip()
    if "," in text and "." not in text:
        raise ValueError("write amounts with a dot for the cents, e.g. 5.99")
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError("expected an amount in euros, e.g. 5.99") from None
    if not number.is_finite() or number <= 0 or number != number.quantize(Decimal("0.01")):
        raise ValueError("expected a positive amount with at most two decimals, e.g. 5.99")
    return number.quantize(Decimal("0.01"))


def split_cell(value: object) -> object:
    """A batch cell or one CLI value holding several items: `a.pdf; b.pdf`."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def attachments(paths: list[Path]) -> list[Path]:
    """Files that exist and are small enough, checked before anything is sent."""
    if len(paths) > FILES_MAX:
        raise ValueError(f"attach {FILES_MAX} files at most")
    for path in paths:
        if not path.is_file():
            raise ValueError(f"{path} is not a file that can be read")
        if path.stat().st_size > FILE_BYTES_MAX:
            raise ValueError(f"{path} is larger than 10 MB")
    if len({path.name for path in paths}) != len(paths):
        raise ValueError("two files have the same name")
    return [path.resolve() for path in paths]


def digest(text: str) -> str:
    """A short fingerprint of a message, for keys (the text itself stays out of logs)."""
    return hashlib.sha256(
        " ".join(unicodedata.normalize("NFC", text).split()).encode()
    ).hexdigest()[:12]


def portal_time(page: Page) -> datetime:
    """The portal's clock when it shows one (a mock's fixed day), else this machine's."""
    return portal_now(page) or datetime.now().replace(second=0, microsecond=0)


def euro(value: Decimal) -> str:
    return f"€{value:,.2f}"
