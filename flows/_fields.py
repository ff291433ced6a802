"""Field types the flows' input models share, each defined once.

An order number, a reference or a reason as a person types it (case, spaces, a "№",
`faulty_item` for "Faulty Item") is made exact here, or refused with what is accepted;
the CLI, batch files and agent tools all go through these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, TypeVar

from pydantic import BeforeValidator, StringConstraints

E = TypeVar("E", bound=Enum)


def words(text: str) -> str:
    """A choice as a person may type it: case, spaces, `_` and `-` aside."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def identifier(
    pattern: str, example: str, *, upper: bool = True, prefix: str = ""
) -> Callable[[object], object]:
    """A validator for an order number or reference: trimmed, `prefix` dropped ("№"),
    upper-cased, then matched whole against `pattern`."""
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return value
        text = value.strip().removeprefix(prefix).strip() if prefix else value.strip()
        text = text.upper() if upper else text
        if not compiled.fullmatch(text):
            raise ValueError(f"expected {example}")
        return text

    return check


def choice(
    enum: type[E], separator: str = ", ", aliases: dict[str, E] | None = None
) -> Callable[[object], object]:
    """A validator that takes an enum member by its value or name, as a person types it,
    or by one of its `aliases` ("both" for "Customer and operator")."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value
        for member in enum:
            if words(value) in (words(str(member.value)), words(member.name)):
                return member
        if aliases and words(value) in aliases:
            return aliases[words(value)]
        raise ValueError("expected one of: " + separator.join(str(m.value) for m in enum))

    return check


def blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# An ESG reference of Kogan's: ESG- and 5 to 10 digits.
EsgReference = Annotated[
    str,
    BeforeValidator(identifier(r"ESG-\d{5,10}", "ESG- followed by 5 to 10 digits, e.g. ESG-10012")),
]
# A Chopni order number: its digits, "№" allowed.
ChopniOrder = Annotated[
    str,
    BeforeValidator(identifier(r"\d{4,12}", "the order number's digits, e.g. 418002", prefix="№")),
]
# A helpdesk ticket's number: its digits, "#" allowed.
TicketNumber = Annotated[
    int,
    BeforeValidator(identifier(r"\d{1,12}", "the ticket's number, e.g. 5201", prefix="#")),
]
# Optional free text: an empty value is no value.
OptionalText = Annotated[str | None, BeforeValidator(blank_is_none)]
# The same, 500 characters at most (a comment in a portal's form).
Comment = Annotated[
    Annotated[str, StringConstraints(max_length=500)] | None, BeforeValidator(blank_is_none)
]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: starts with + or 0 (+359 88 123 4567, 0888 123 456, 02 987 6543).
PHONE = re.compile(r"(?<![\w+])(?:\+|0)[0-9][0-9 ()/-]{5,}[0-9]")
LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE)


def contact_details(text: str) -> list[str]:
    """The e-mail addresses and phone numbers in `text` (9 to 15 digits for a phone):
    what marketplaces forbid sellers to send their customers."""
    found = [m.group(0) for m in EMAIL.finditer(text)]
    for match in PHONE.finditer(text):
        if 9 <= sum(c.isdigit() for c in match.group(0)) <= 15:
            found.append(match.group(0).strip())
    return found


def outside_links(text: str, domain: str) -> list[str]:
    """The links in `text` that lead outside `domain` (and its subdomains)."""
    found = []
    for match in LINK.finditer(text):
        link = match.group(0)
        host = re.sub(r"^(?:https?://)?", "", link, flags=re.IGNORECASE).split("/")[0]
        host = host.split(":")[0].casefold()
        if host != domain and not host.endswith("." + domain):
            found.append(link)
    return found
