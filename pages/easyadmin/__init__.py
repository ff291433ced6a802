"""EasyAdmin (이지어드민) CS window (`/easyadmin/`), per shared/portals/easyadmin-cs.md."""

from pages.easyadmin.cs_window import (
    CsWindow,
    HistoryRow,
    LoadedOrder,
    OrderInfo,
    OrderRow,
    ProductLine,
    exchange_sides,
)
from pages.easyadmin.exchange_dialog import ExchangeDialog, ProductChoice
from pages.easyadmin.notification_dialog import NotificationDialog
from pages.easyadmin.portal import EASYADMIN, EasyAdmin, EasyAdminSettings
from pages.easyadmin.sign_in import SignInPage

__all__ = [
    "EASYADMIN",
    "CsWindow",
    "EasyAdmin",
    "EasyAdminSettings",
    "ExchangeDialog",
    "HistoryRow",
    "LoadedOrder",
    "NotificationDialog",
    "OrderInfo",
    "OrderRow",
    "ProductChoice",
    "ProductLine",
    "SignInPage",
    "exchange_sides",
]
