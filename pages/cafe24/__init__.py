"""Cafe24 shop admin (`/cafe24/`): orders, exchanges and tracking numbers, per
shared/portals/cafe24-admin.md."""

from pages.cafe24.order_detail import (
    Cafe24Order,
    Exchange,
    HistoryEntry,
    NoSuchOrder,
    OrderDetail,
    OrderedItem,
    Party,
)
from pages.cafe24.orders import OrderList, OrderRow
from pages.cafe24.portal import CAFE24, Cafe24Admin
from pages.cafe24.sign_in import SignInPage
from pages.cafe24.tracking_dialog import CARRIERS, TrackingDialog

__all__ = [
    "CAFE24",
    "CARRIERS",
    "Cafe24Admin",
    "Cafe24Order",
    "Exchange",
    "HistoryEntry",
    "NoSuchOrder",
    "OrderDetail",
    "OrderList",
    "OrderRow",
    "OrderedItem",
    "Party",
    "SignInPage",
    "TrackingDialog",
]
