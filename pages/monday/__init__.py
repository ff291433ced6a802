"""The monday.com board "Refunds" (`/monday/`), per shared/portals/monday-board.md."""

from pages.monday.board import THIS_WEEK, Board, BoardItem
from pages.monday.item_page import ItemPage
from pages.monday.matching import Found, OrderItems, find_order, order_items
from pages.monday.portal import MONDAY, MondayBoard, MondaySettings
from pages.monday.sign_in import SignInPage

__all__ = [
    "MONDAY",
    "THIS_WEEK",
    "Board",
    "BoardItem",
    "Found",
    "ItemPage",
    "MondayBoard",
    "MondaySettings",
    "OrderItems",
    "SignInPage",
    "find_order",
    "order_items",
]
