"""Chopni seller portal (`/chopni/`, Bulgarian), per shared/portals/chopni-seller.md."""

from pages.chopni._screen import Answer, Confirmation
from pages.chopni.conversation import ConversationDialog
from pages.chopni.order_page import (
    HistoryRow,
    NoSuchOrder,
    OrderDetails,
    OrderLine,
    OrderPage,
    SentMessage,
)
from pages.chopni.orders import OrderList, OrderRow
from pages.chopni.portal import CHOPNI, ChopniSeller
from pages.chopni.sign_in import SignInPage

__all__ = [
    "CHOPNI",
    "Answer",
    "ChopniSeller",
    "Confirmation",
    "ConversationDialog",
    "HistoryRow",
    "NoSuchOrder",
    "OrderDetails",
    "OrderLine",
    "OrderList",
    "OrderPage",
    "OrderRow",
    "SentMessage",
    "SignInPage",
]
