"""The spec's rule for finding the board's item of one order, before anything is added.

An item is for the order when its name, trimmed and without a leading `#`, equals the
number without `#`, or when its "ESG number" equals the order's reference. One such item:
update it (or leave it when complete). Two or more: refuse, a person merges them. A name
that holds the number as a whole token without being it ("#1020 partial", never "#10010")
is a possible match: refuse too. None: add it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pages.monday.board import Board, BoardItem


class Found(StrEnum):
    NONE = "none"  # add it, with "+ Add item" in "This week"
    ONE = "one"  # update it, or leave it when complete
    SEVERAL = "several"  # refuse: a person merges them
    POSSIBLE = "possible"  # refuse: a name holds the number but is not it


@dataclass(frozen=True)
class OrderItems:
    found: Found
    items: tuple[BoardItem, ...]  # the items for the order
    possible: tuple[BoardItem, ...] = ()  # names holding the number, not equal to it

    @property
    def item(self) -> BoardItem:
        if self.found is not Found.ONE:
            raise LookupError(f"not one item for the order: {self.found}")
        return self.items[0]


def bare(number: str) -> str:
    """`#1042` → `1042`: the order number as the rule compares it."""
    return number.strip().removeprefix("#").strip()


def is_for(item: BoardItem, number: str, reference: str | None) -> bool:
    if bare(item.name) == bare(number):
        return True
    return bool(reference and item.esg and item.esg.strip().upper() == reference.strip().upper())


def holds(item: BoardItem, number: str) -> bool:
    """The name holds the number as a whole token (`#1020 partial`; not `#10010`)."""
    token = rf"(?<![0-9A-Za-z]){re.escape(bare(number))}(?![0-9A-Za-z])"
    return re.search(token, item.name) is not None


def order_items(items: Iterable[BoardItem], number: str, reference: str | None) -> OrderItems:
    """Apply the rule to what a search showed (items read twice count once)."""
    unique = {item.id: item for item in items}.values()
    same = tuple(item for item in unique if is_for(item, number, reference))
    possible = tuple(item for item in unique if item not in same and holds(item, number))
    if len(same) > 1:
        return OrderItems(Found.SEVERAL, same, possible)
    if possible:
        return OrderItems(Found.POSSIBLE, same, possible)
    if same:
        return OrderItems(Found.ONE, same)
    return OrderItems(Found.NONE, ())


def find_order(board: Board, number: str, reference: str | None) -> OrderItems:
    """Search the board for the number (without `#`, so "1045" is found too) and for the
    reference (an item named otherwise but holding it as "ESG number"), then the rule."""
    seen = board.search(bare(number))
    if reference:
        seen += board.search(reference.strip())
    return order_items(seen, number, reference)
