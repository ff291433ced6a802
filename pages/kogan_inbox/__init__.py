"""Kogan seller inbox (`/kogan-inbox/`, Zendesk-style), per shared/portals/kogan-inbox.md."""

from pages.kogan_inbox.portal import KOGAN_INBOX, KoganInbox
from pages.kogan_inbox.sign_in import SignInPage
from pages.kogan_inbox.ticket import Comment, MarketplaceBlock, Person, Ticket
from pages.kogan_inbox.ticket_page import NoSuchTicket, TicketPage
from pages.kogan_inbox.tickets import VIEWS, SearchPage, TicketList, TicketRow, ViewsPage

__all__ = [
    "KOGAN_INBOX",
    "VIEWS",
    "Comment",
    "KoganInbox",
    "MarketplaceBlock",
    "NoSuchTicket",
    "Person",
    "SearchPage",
    "SignInPage",
    "Ticket",
    "TicketList",
    "TicketPage",
    "TicketRow",
    "ViewsPage",
]
