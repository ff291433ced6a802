"""Electronic Cart (`/ecart/`, read-only order manager), per shared/portals/electronic-cart.md."""

from pages.ecart.order_page import (
    HistoryLine,
    NoSuchOrder,
    OrderDetails,
    OrderItem,
    OrderPage,
    Shipment,
)
from pages.ecart.orders import (
    ALL_CHANNELS,
    BY_EMAIL,
    BY_NAME,
    BY_REFERENCE,
    BY_SHOPIFY,
    Item,
    OrderRow,
    OrderSearch,
    rows_for_email,
    rows_for_reference,
)
from pages.ecart.portal import ECART, ElectronicCart
from pages.ecart.sign_in import SignInPage

__all__ = [
    "ALL_CHANNELS",
    "BY_EMAIL",
    "BY_NAME",
    "BY_REFERENCE",
    "BY_SHOPIFY",
    "ECART",
    "ElectronicCart",
    "HistoryLine",
    "Item",
    "NoSuchOrder",
    "OrderDetails",
    "OrderItem",
    "OrderPage",
    "OrderRow",
    "OrderSearch",
    "Shipment",
    "SignInPage",
    "rows_for_email",
    "rows_for_reference",
]
