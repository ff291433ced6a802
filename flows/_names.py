"""Comparing people's names as a person would: case, spacing and Unicode forms aside."""

from __future__ import annotations

import unicodedata


def normalise_name(name: str) -> str:
    # NFKC makes "José" typed with a combining accent equal to the precomposed one, and
    # full-width letters equal to ASCII; casefold handles "Straße" / "STRASSE".
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def same_name(a: str, b: str) -> bool:
    return normalise_name(a) == normalise_name(b)
