"""Chopni seller portal (`/chopni/`, Bulgarian), per shared/portals/chopni-seller.md."""

from pages.chopni.conversation import ConversationDialog
from pages.chopni.order_page import CASH_ON_DELIVERY, HistoryRow, NoSuchOrder, OrderPage
from pages.chopni.orders import OrderList, OrderRow
from pages.chopni.portal import CHOPNI, ChopniSeller
from pages.chopni.sign_in import SignInPage

__all__ = [
    "CASH_ON_DELIVERY",
    "CHOPNI",
    "ChopniSeller",
    "ConversationDialog",
    "HistoryRow",
    "NoSuchOrder",
    "OrderList",
    "OrderPage",
    "OrderRow",
    "SignInPage",
]
