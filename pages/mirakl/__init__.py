"""Mirakl-style marketplace back office (`/mirakl/`), per ../shared/portals/mirakl-backoffice.md."""

from pages.mirakl._screen import SCREEN, portal_now
from pages.mirakl.conversation_dialog import ConversationDialog
from pages.mirakl.incidents import IncidentList, IncidentRow
from pages.mirakl.messages import MessageList, ThreadRow
from pages.mirakl.order_page import OrderDetails, OrderFacts, OrderLine, OrderPage, RefundEntry
from pages.mirakl.portal import MIRAKL, MiraklBackOffice
from pages.mirakl.refund_dialog import RefundDialog
from pages.mirakl.sign_in import SignInPage
from pages.mirakl.solve_dialog import SolveIncidentDialog
from pages.mirakl.thread import ThreadPage, ThreadSummary

__all__ = [
    "MIRAKL",
    "SCREEN",
    "ConversationDialog",
    "IncidentList",
    "IncidentRow",
    "MessageList",
    "MiraklBackOffice",
    "OrderDetails",
    "OrderFacts",
    "OrderLine",
    "OrderPage",
    "RefundDialog",
    "RefundEntry",
    "SignInPage",
    "SolveIncidentDialog",
    "ThreadPage",
    "ThreadRow",
    "ThreadSummary",
    "portal_now",
]
