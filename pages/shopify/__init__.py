"""Shopify admin (`/shopify/`): orders and refunds, per shared/portals/shopify-admin.md."""

from pages.shopify.order_page import (
    CardLine,
    NoSuchOrder,
    OrderLine,
    OrderPage,
    ShopifyOrder,
    Totals,
)
from pages.shopify.orders import OrderList, OrderRow
from pages.shopify.portal import SHOPIFY, ShopifyAdmin
from pages.shopify.refund_page import RefundLine, RefundPage, RefundSummary
from pages.shopify.sign_in import SignInPage

__all__ = [
    "SHOPIFY",
    "CardLine",
    "NoSuchOrder",
    "OrderLine",
    "OrderList",
    "OrderPage",
    "OrderRow",
    "RefundLine",
    "RefundPage",
    "RefundSummary",
    "ShopifyAdmin",
    "ShopifyOrder",
    "SignInPage",
    "Totals",
]
