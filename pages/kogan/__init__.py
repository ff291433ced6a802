"""Kogan dispatch portal (`/kogan/`), per ../shared/portals/kogan-dispatch.md."""

from pages.kogan.dashboard import Dashboard
from pages.kogan.order_view import OrderDetails, OrderView
from pages.kogan.orders import OrderList, OrderRow
from pages.kogan.portal import KOGAN, KoganDispatch
from pages.kogan.refund_dialog import ALREADY_REFUNDED, RefundDetails, RefundDialog
from pages.kogan.settings_menu import OrderSettingsMenu
from pages.kogan.sign_in import SignInPage

__all__ = [
    "ALREADY_REFUNDED",
    "KOGAN",
    "Dashboard",
    "KoganDispatch",
    "OrderDetails",
    "OrderList",
    "OrderRow",
    "OrderSettingsMenu",
    "OrderView",
    "RefundDetails",
    "RefundDialog",
    "SignInPage",
]
