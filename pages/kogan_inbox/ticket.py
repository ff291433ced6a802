"""A ticket as its page shows it, and what the refund procedure reads from it.

Pure data: the page object (`ticket_page.py`) fills it in; the readings here (the `ESG-`
references, the marketplace block, the customer's email) need no browser, so they are
the same for every markup and tested without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pages.kogan_inbox._read import squash
from portalpilot import PortalFailure

# Kogan's order reference: `ESG-` and 5 to 10 digits, never the start of a longer number.
ESG = re.compile(r"(?<![\w-])ESG-\d{5,10}(?!\d)")
MARKETPLACE_NAME = "Kogan Marketplace"
MARKETPLACE_DOMAINS = ("kogan.example", "kogan.com")
BLOCK = {"name": "Customer name", "email": "Customer email", "order": "Order"}


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Comment:
    author: str
    public: bool  # False: the label "Internal note"
    text: str  # as shown, line breaks kept
    time: datetime
    attachments: tuple[str, ...] = ()  # the links' texts: "photo.jpg (1.2 MB)"


@dataclass(frozen=True)
class MarketplaceBlock:
    """The customer of a ticket Kogan generated, from its first comment's lines."""

    customer_name: str
    customer_email: str  # as written (its case may differ from the order's)
    order: str  # "ESG-…"


@dataclass(frozen=True)
class Ticket:
    id: int
    subject: str
    status: str  # "New", "Open", "Pending", "On-hold", "Solved", "Closed"
    requester: Person
    assignee: str | None  # None where the page shows "-"
    tags: tuple[str, ...]
    comments: tuple[Comment, ...]  # oldest first

    @property
    def from_marketplace(self) -> bool:
        """Kogan generated the ticket: the requester is Kogan, the customer is in the body."""
        domain = self.requester.email.rpartition("@")[2].casefold()
        return self.requester.name == MARKETPLACE_NAME or domain in MARKETPLACE_DOMAINS

    def references(self) -> list[str]:
        """The `ESG-` references of the subject and the first comment, in order, once each.

        Internal notes and later comments are not the customer's request: left out.
        """
        first = self.comments[0].text if self.comments else ""
        found = ESG.findall(f"{self.subject}\n{first}")
        return list(dict.fromkeys(found))

    def marketplace_block(self) -> MarketplaceBlock | None:
        """ "Customer name:", "Customer email:", "Order:" of the first comment; None when
        the first comment has none of them; PortalFailure when it has only some."""
        if not self.comments:
            return None
        values: dict[str, str] = {}
        for line in self.comments[0].text.splitlines():
            for key, label in BLOCK.items():
                match = re.match(rf"\s*{label}\s*:\s*(.+?)\s*$", line, re.IGNORECASE)
                if match and key not in values:
                    values[key] = match.group(1)
        if not values:
            return None
        missing = [BLOCK[key] for key in BLOCK if key not in values]
        if missing:
            raise PortalFailure(
                f"ticket #{self.id}'s marketplace block has no {', '.join(missing)}"
            )
        order = ESG.search(values["order"])
        if order is None:
            raise PortalFailure(f"ticket #{self.id}'s Order line reads {values['order']!r}")
        return MarketplaceBlock(values["name"], values["email"], order.group(0))

    def customer_email(self) -> str:
        """The customer's email: the marketplace block's on a ticket Kogan generated (never
        Kogan's own address), else the requester's."""
        if not self.from_marketplace:
            return self.requester.email
        block = self.marketplace_block()
        if block is None:
            raise PortalFailure(f"ticket #{self.id} is from Kogan but names no customer")
        return block.customer_email

    def public_replies(self, text: str) -> list[Comment]:
        """The public comments that read `text` (spacing aside)."""
        wanted = squash(text)
        return [c for c in self.comments if c.public and squash(c.text) == wanted]
