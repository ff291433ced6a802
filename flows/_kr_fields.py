"""Field types of the Korean shop's flows (EasyAdmin and Cafe24), each defined once.

Korean text is kept in Unicode NFC (what a macOS keyboard or a copied web page may give
as decomposed jamo is composed), with runs of spaces made one, so that it compares equal
to what the portal shows and round-trips exactly into the results. Numbers are made exact
or refused with what is accepted; carriers are taken by their Korean or English names.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

from flows._fields import blank_is_none, identifier, words


def nfc(value: object) -> object:
    """Text in NFC, trimmed, runs of whitespace made one space."""
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    return value


def same_text(a: str, b: str) -> bool:
    """The same words as a person reads them: Unicode forms and spacing aside."""
    return nfc(a) == nfc(b)


# A Cafe24 order number (EasyAdmin's 주문번호): 20250302-0000102.
Cafe24Order = Annotated[
    str,
    BeforeValidator(
        identifier(r"\d{8}-\d{7}", "a Cafe24 order number: 8 digits, '-', 7 digits, e.g. "
                   "20250302-0000102")
    ),
]  # fmt: skip

LINE = re.compile(r"(\d{8}-\d{7})-(\d{2,3})")
SUFFIX = re.compile(r"-?(\d{1,3})")


def line_number(value: object) -> object:
    """A line's number (주문상세번호, Cafe24's 품목별 주문번호) in full, or only its last
    part ("01", "-01"), which the order number completes."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:02d}"
    if not isinstance(value, str):
        return value
    text = value.strip()
    if LINE.fullmatch(text):
        return text
    suffix = SUFFIX.fullmatch(text)
    if suffix:
        return f"{int(suffix.group(1)):02d}"
    raise ValueError("expected a 주문상세번호 like 20250302-0000102-01, or its last part like 01")


LineNumber = Annotated[str, BeforeValidator(line_number)]


def full_line(order: str, line: str) -> str:
    """ "01" of 20250302-0000102 → 20250302-0000102-01; a full number as it is."""
    return line if LINE.fullmatch(line) else f"{order}-{line}"


def order_of_line(line: str) -> str | None:
    match = LINE.fullmatch(line)
    return match.group(1) if match else None


# Korean text a flow types or compares: NFC, one space between words.
KoreanText = Annotated[str, BeforeValidator(nfc), StringConstraints(min_length=1, max_length=200)]
OptionalKoreanText = Annotated[
    Annotated[str, StringConstraints(max_length=200)] | None,
    BeforeValidator(blank_is_none),
    BeforeValidator(nfc),
]
# C/S내용: optional, 500 characters at most.
CsText = Annotated[
    Annotated[str, StringConstraints(max_length=500)] | None,
    BeforeValidator(blank_is_none),
    BeforeValidator(nfc),
]


class Carrier(StrEnum):
    """The carriers of Cafe24's "배송업체" (and EasyAdmin's 택배사)."""

    CJ = "CJ대한통운"
    LOTTE = "롯데택배"
    HANJIN = "한진택배"
    EPOST = "우체국택배"
    LOGEN = "로젠택배"

    @property
    def lengths(self) -> tuple[int, ...]:
        """Digits of its tracking numbers, as commonly used (the admin checks the same)."""
        return LENGTHS[self]


LENGTHS = {
    Carrier.CJ: (10, 12),
    Carrier.LOTTE: (10, 12),
    Carrier.HANJIN: (10, 12),
    Carrier.EPOST: (13,),
    Carrier.LOGEN: (11,),
}
ALIASES = {
    "cj": Carrier.CJ,
    "cj대한통운": Carrier.CJ,
    "cj logistics": Carrier.CJ,
    "대한통운": Carrier.CJ,
    "lotte": Carrier.LOTTE,
    "롯데": Carrier.LOTTE,
    "hanjin": Carrier.HANJIN,
    "한진": Carrier.HANJIN,
    "epost": Carrier.EPOST,
    "korea post": Carrier.EPOST,
    "우체국": Carrier.EPOST,
    "logen": Carrier.LOGEN,
    "로젠": Carrier.LOGEN,
}


def carrier(value: object) -> object:
    """A carrier by its Korean name or an English one (CJ, Lotte, Hanjin, EPost, Logen)."""
    if not isinstance(value, str):
        return value
    typed = words(unicodedata.normalize("NFC", value))
    for member in Carrier:
        if typed in (words(member.value), words(member.name)):
            return member
    if typed in ALIASES:
        return ALIASES[typed]
    raise ValueError(
        "expected one of: " + ", ".join(c.value for c in Carrier) + " (or CJ, Lotte, Hanjin, "
        "EPost, Logen)"
    )


CarrierName = Annotated[Carrier, BeforeValidator(carrier)]


def tracking_number(value: object) -> object:
    """Digits only; spaces and hyphens between them, as a number is often copied, are
    dropped. Any other character is refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", value))
    if not text.isdigit() or not text.isascii():
        raise ValueError("expected the tracking number's digits, e.g. 612345678901")
    return text


TrackingNumber = Annotated[str, BeforeValidator(tracking_number)]
