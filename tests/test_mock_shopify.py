"""The Shopify admin mock over plain HTTP: seed, two-step login, the list, the order and
refund pages, every refund rule, the events, every fault knob, both markups.

The server's contract per shared/portals/shopify-admin.md, each test from a fresh reset;
the browser side is tests/test_shopify_pages.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

from fixtures._scenarios import scenario_orders

DEMO = {"email": "owner@example.com", "password": "shopify-demo"}
NUMBERS = {f"#{n}" for n in [*range(1001, 1061), *range(10010, 10016)]}
PAYMENT = {"Authorized", "Paid", "Partially paid", "Payment pending", "Partially refunded",
           "Refunded", "Voided"}  # fmt: skip


@pytest.fixture
def shopify(base_url: str) -> Iterator[httpx.Client]:
    """A client on `/shopify/` after a reset (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/shopify/", timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield client
        client.post("__mock__/reset")


def login(client: httpx.Client, password: str = DEMO["password"]) -> httpx.Response:
    return client.post("login", data={"email": DEMO["email"], "password": password})


@pytest.fixture
def owner(shopify: httpx.Client) -> httpx.Client:
    assert login(shopify).status_code == 303
    return shopify


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def order(client: httpx.Client, number: str) -> dict[str, Any]:
    return next(o for o in state(client)["orders"] if o["number"] == number)


def events(client: httpx.Client, type_: str) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if e["type"] == type_]


def text(html: str) -> str:
    """The page's words, tags and scripts aside, whitespace squashed."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page(client: httpx.Client, number: str, suffix: str = "") -> str:
    return text(client.get(f"admin/orders/{order(client, number)['id']}{suffix}").text)


def refund(client: httpx.Client, number: str, **fields: str) -> httpx.Response:
    """Post the refund form as a browser would: `quantity-SKU`, shipping, amount, ..."""
    data = {key.replace("__", "-"): value for key, value in fields.items()}
    return client.post(f"admin/orders/{order(client, number)['id']}/refund", data=data)


def alert(response: httpx.Response) -> str:
    found = re.search(r'role="alert"[^>]*>(?:\s*<span>)?\s*([^<]+?)\s*<', response.text)
    assert found, text(response.text)
    return unescape(found.group(1))


# --- the seed --------------------------------------------------------------------------------


def test_seed_numbers_ids_and_every_status(shopify: httpx.Client) -> None:
    orders = state(shopify)["orders"]
    assert {o["number"] for o in orders} == NUMBERS and len(orders) == len(NUMBERS)
    ids = [o["id"] for o in orders]
    assert all(re.fullmatch(r"[1-9]\d{12}", i) for i in ids) and len(set(ids)) == len(ids)
    assert {o["payment_status"] for o in orders} == PAYMENT
    assert {o["fulfillment_status"] for o in orders} == {
        "Unfulfilled", "Partially fulfilled", "Fulfilled"}  # fmt: skip
    assert [o["number"] for o in orders if o["canceled"]] == ["#1007"]
    assert {o["shipping"] for o in orders} >= {0, 9.95}
    assert any(not line["tracked"] for o in orders for line in o["lines"])
    partial = order(shopify, "#1003")
    assert (partial["payment_status"], partial["refunded"], partial["shipping_refunded"]) == (
        "Partially refunded", 154.0, 5.0)  # fmt: skip
    sams = {o["email"] for o in orders if o["customer"] == "Sam Taylor"}
    assert sams == {"sam.taylor@example.com", "staylor@example.net"}
    names = {o["customer"] for o in orders}
    assert {"José Álvarez", "Chloé Martin", "王芳", "Дмитрий Иванов", "佐藤 花子"} <= names
    placed = sorted(o["placed"] for o in orders)
    assert placed[0] < "2025-06-01" and placed[-1] <= "2026-05-15T12:00"  # twelve months

    shopify.post("__mock__/reset", json={"seed": 1}).raise_for_status()
    assert {o["id"] for o in state(shopify)["orders"]}.isdisjoint(ids)  # never the number's
    shopify.post("__mock__/reset").raise_for_status()
    assert [o["id"] for o in state(shopify)["orders"]] == ids  # the same seed, the same IDs


def test_every_kogan_scenario_with_a_shopify_number_is_seeded(shopify: httpx.Client) -> None:
    seeded = 0
    for spec in scenario_orders():
        if spec.shopify is None:
            assert all(spec.reference not in o["note"] for o in state(shopify)["orders"])
            continue
        seeded += 1
        got = order(shopify, spec.shopify)
        assert (got["customer"], got["email"], got["shipping"]) == (
            spec.customer, spec.email, float(spec.shipping))  # fmt: skip
        if spec.channel == "Kogan":
            assert (got["channel"], got["note"], got["tags"]) == (
                "Kogan", f"Kogan order {spec.reference}", ["Kogan"])  # fmt: skip
        else:
            assert got["channel"] == "Online Store"
        lines = [(x["sku"], x["name"], x["quantity"], x["price"], x["refunded"], x["tracked"])
                 for x in got["lines"]]  # fmt: skip
        assert lines == [(x.sku, x.title, x.quantity, float(x.unit_price), x.refunded, x.tracked)
                         for x in spec.lines]  # fmt: skip
    assert seeded == 14
    k4, k8 = order(shopify, "#1044"), order(shopify, "#1049")
    assert (k4["payment_status"], k4["net"]) == ("Refunded", 0.0)
    assert (k8["payment_status"], k8["refunded"]) == ("Partially refunded", 29.0)
    assert [(x["refunded"], x["quantity"]) for x in k8["lines"]] == [(2, 2), (0, 2)]


# --- signing in --------------------------------------------------------------------------------


def test_login_takes_two_steps_refuses_and_locks(shopify: httpx.Client) -> None:
    assert shopify.get("admin/orders").headers["location"].endswith(
        "login?next=/shopify/admin/orders")  # fmt: skip
    first = text(shopify.get("login").text)
    assert "Log in Continue to Shopify Email Continue with email" in first
    assert "Password" not in first
    second = text(shopify.post("login", data={"email": DEMO["email"]}).text)
    assert "owner@example.com Password Log in" in second
    wrong = login(shopify, "wrong")
    assert wrong.status_code == 200 and alert(wrong) == "Incorrect email or password."
    for _ in range(4):
        login(shopify, "wrong")
    assert "locked" in alert(login(shopify))  # even the right password, once locked
    assert [e["type"] for e in state(shopify)["events"]] == ["login_failed"] * 6


def test_every_admin_page_has_the_orders_link(owner: httpx.Client) -> None:
    number = order(owner, "#1042")["id"]
    for path in ("admin/orders", f"admin/orders/{number}", f"admin/orders/{number}/refund"):
        html = owner.get(path).text
        assert re.search(r'<nav aria-label="Main".*?>Orders</a>', html, re.S), path
    assert [e["type"] for e in state(owner)["events"]] == ["login"]


# --- the list ----------------------------------------------------------------------------------


def table(client: httpx.Client, **params: Any) -> tuple[str, list[str]]:
    html = client.get("admin/orders/table", params=params).text
    return text(html), re.findall(r'href="/shopify/admin/orders/\d{13}">(#\d+)<', html)


def test_orders_page_tabs_search_field_and_table_loading(owner: httpx.Client) -> None:
    html = owner.get("admin/orders", params={"query": "#1042"}).text
    words = text(html)
    assert "Orders All Unfulfilled Unpaid Open Search orders" in words
    assert re.search(r'<table aria-busy="true">', html)  # filled in by the script
    assert 'value="#1042"' in html and 'role="tab"' in html and 'aria-selected="true"' in html
    first, numbers = table(owner)
    headers = "Order Date Customer Channel Total Payment status Fulfillment status Items"
    assert headers in first and "Next" in first and "Previous" not in first
    assert len(numbers) == 50
    second, rest = table(owner, page=2)
    assert len(rest) == 16 and "Previous" in second and "Next" not in second
    assert set(numbers) | set(rest) == NUMBERS
    row = table(owner, query="1042")[0]
    assert "#1042 9 May 2026 at" in row and "Jane Citizen Kogan $59.90 Paid Fulfilled 1 item" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("#1001", {"#1001", *(f"#{n}" for n in range(10010, 10016))}),
        ("10010", {"#10010"}),
        ("liam NGUYEN", {"#1001", "#10010"}),
        ("LIAM.N", {"#1001", "#10010"}),
        ("liam.n@example.com", {"#1001"}),
        ("chloé", {"#1049"}),
        ("王芳", {"#1050"}),
        ("ESG-20481234", set()),  # the note is not searched
    ],
)
def test_search_matches_number_name_and_email(
    owner: httpx.Client, query: str, expected: set[str]
) -> None:
    words, numbers = table(owner, query=query)
    assert set(numbers) == expected
    assert ("No orders found" in words) is not expected


def test_tabs_narrow_the_list(owner: httpx.Client) -> None:
    orders = {o["number"]: o for o in state(owner)["orders"]}
    unpaid = set(table(owner, tab="unpaid")[1])
    assert unpaid == {"#1004", "#1005", "#1006"}
    unfulfilled = set(table(owner, tab="unfulfilled")[1])
    assert unfulfilled == {n for n, o in orders.items() if o["fulfillment_status"] != "Fulfilled"
                           and not o["canceled"]}  # fmt: skip
    open_ = set(table(owner, tab="open")[1])
    assert unfulfilled | unpaid <= open_ and "#1007" not in open_ and "#1042" not in open_


# --- the order page ----------------------------------------------------------------------------


def test_order_page_shows_statuses_cards_payment_customer_notes_tags(owner: httpx.Client) -> None:
    words = page(owner, "#1042")
    assert "#1042 Paid Fulfilled" in words and "Refund More actions" in words
    assert "Fulfilled (1) Desk Lamp Black SKU: KG-LAMP-BLK $49.95 × 1 $49.95" in words
    for fact in ("Subtotal 1 item $49.95", "Shipping Standard $9.95",
                 "Taxes GST 10% (Included) $5.45", "Total $59.90", "Paid $59.90",
                 "Refunded $0.00", "Net payment $59.90"):  # fmt: skip
        assert fact in words
    assert "Notes Kogan order ESG-20481234" in words
    assert "Customer Jane Citizen jane.citizen@example.com" in words and "Tags Kogan" in words
    assert "Timeline Items were fulfilled." in words  # newest first
    k8 = page(owner, "#1049")
    assert "Fulfilled (2) Tea Tin SKU: KG-TEA-TIN $12.00 × 2" in k8
    assert "Refunded (2) Mug Set Grey SKU: KG-MUG-SET $14.50 × 2" in k8
    assert "Refunded $29.00. " in k8  # the timeline
    partly = page(owner, "#1010")
    assert "Partially fulfilled" in partly and "Unfulfilled (2)" in partly
    assert "#1007 Voided Unfulfilled Canceled" in page(owner, "#1007")
    for number in ("#1004", "#1005", "#1007", "#1044", "#1008"):
        assert "Refund More actions" not in page(owner, number), number
    assert "Refund More actions" in page(owner, "#1006")  # partially paid: refundable
    assert owner.get("admin/orders/1042").status_code == 404  # never the number
    assert owner.get("admin/orders/9999999999999").status_code == 404


# --- the refund page ---------------------------------------------------------------------------


def test_refund_page_offers_what_is_left(owner: httpx.Client) -> None:
    words = page(owner, "#1002", "/refund")
    assert "#1002 Refund" in words
    assert "Linen Shirt - Blue / M SKU: AP-SHIRT-BLU-M $59.95 Quantity / 3" in words
    assert "Gift wrapping SKU: GIFT-WRAP $5.00 Quantity / 1" in words
    assert "Refund shipping $9.95 available for refund Restock items" in words
    assert "Reason for refund Only you and other staff can see this reason." in words
    assert "Items subtotal $0.00 Tax $0.00 Shipping $0.00 Refund total $0.00" in words
    assert "Refund amount $194.80 available for refund" in words
    assert "Send a notification to the customer Refund $0.00" in words
    html = owner.get(f"admin/orders/{order(owner, '#1002')['id']}/refund").text
    assert re.search(r'type="checkbox" name="restock" value="1" checked', html)
    assert re.search(r'type="checkbox" name="notify" value="1" checked', html)
    assert re.search(r"data-refund-button disabled>Refund", html)
    assert re.search(r'type="number" name="quantity-AP-SHIRT-BLU-M"[^>]*\s+value="0"', html)

    k8 = page(owner, "#1049", "/refund")
    assert "Tea Tin SKU: KG-TEA-TIN $12.00 Quantity / 2" in k8 and "KG-MUG-SET" not in k8
    assert "Refund shipping" not in k8  # no shipping charged
    untracked = page(owner, "#1009", "/refund")
    assert "Restock items" not in untracked and "Refund shipping" not in untracked
    shipping_left = page(owner, "#1003", "/refund")
    assert "$7.00 available for refund" in shipping_left and "Quantity / 1" in shipping_left
    assert "There's nothing left to refund on this order." in page(owner, "#1044", "/refund")


@pytest.mark.parametrize(
    ("number", "fields", "message"),
    [
        ("#1002", {"quantity__AP-SHIRT-BLU-M": "4", "amount": "239.80"},
         "Quantity for AP-SHIRT-BLU-M can't be more than 3."),
        ("#1049", {"quantity__KG-MUG-SET": "1", "amount": "14.50"},
         "Quantity for KG-MUG-SET can't be more than 0."),
        ("#1002", {"quantity__AP-SHIRT-BLU-M": "-1", "amount": "1.00"},
         "Quantity for AP-SHIRT-BLU-M must be a whole number."),
        ("#1003", {"shipping": "7.01", "amount": "7.01"},
         "Shipping refund can't be more than $7.00."),
        ("#1002", {"quantity__AP-SHIRT-BLU-M": "3", "shipping": "9.95", "amount": "194.81"},
         "Refund amount can't be more than $194.80 available for refund."),
        ("#1003", {"amount": "156.01"},
         "Refund amount can't be more than $156.00 available for refund."),
        ("#1044", {"quantity__KG-MOUSE-WL": "1", "amount": "29.95"},
         "There's nothing left to refund on this order."),
        ("#1004", {"amount": "10.00"}, "There's nothing left to refund on this order."),
        ("#1002", {"quantity__AP-SHIRT-BLU-M": "0", "amount": "0.00"},
         "Refund amount must be more than $0.00."),
        ("#1002", {"amount": "12,5x"}, "Enter a valid refund amount."),
    ],
)  # fmt: skip
def test_refusals_show_their_alert_and_change_nothing(
    owner: httpx.Client, number: str, fields: dict[str, str], message: str
) -> None:
    before = state(owner)
    answer = refund(owner, number, restock="1", notify="1", **fields)
    assert answer.status_code == 200 and alert(answer) == message
    assert "Refund total" in text(answer.text)  # the form again, as it was posted
    after = state(owner)
    assert (after["orders"], after["stock"]) == (before["orders"], before["stock"])
    assert [e["type"] for e in after["events"]] == ["login"]


def test_a_refund_moves_lines_statuses_stock_and_is_logged(owner: httpx.Client) -> None:
    stock = state(owner)["stock"]
    answer = refund(owner, "#1002", **{
        "quantity__AP-SHIRT-BLU-M": "2", "quantity__GIFT-WRAP": "1", "shipping": "9.95",
        "amount": "134.85", "reason": "  Too   small ", "restock": "1", "notify": "1"})  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/shopify/admin/orders/{order(owner, '#1002')['id']}"
    words = page(owner, "#1002")
    assert "Refunded $134.85 #1002 Partially refunded Fulfilled" in words
    assert "Fulfilled (1) Linen Shirt Blue / M SKU: AP-SHIRT-BLU-M $59.95 × 1" in words
    assert "Refunded (3) Linen Shirt Blue / M SKU: AP-SHIRT-BLU-M $59.95 × 2" in words
    assert "Refunded $134.85 Net payment $59.95" in words
    assert "Timeline A refund notification was sent to Emily Clarke" in words
    assert "Refunded $134.85. " in words and "2 items were restocked." in words
    assert "Refunded $134.85 #1002" not in page(owner, "#1002")  # said once

    got = order(owner, "#1002")
    assert [(x["sku"], x["refunded"]) for x in got["lines"]] == [
        ("AP-SHIRT-BLU-M", 2), ("GIFT-WRAP", 1)]  # fmt: skip
    assert (got["refunded"], got["shipping_refunded"], got["net"]) == (134.85, 9.95, 59.95)
    after = state(owner)["stock"]
    assert after["AP-SHIRT-BLU-M"] == stock["AP-SHIRT-BLU-M"] + 2 and "GIFT-WRAP" not in after
    [event] = events(owner, "refund")
    assert event["order"] == "#1002" and event["order_id"] == got["id"] and event["time"]
    assert event["lines"] == [
        {"sku": "AP-SHIRT-BLU-M", "quantity": 2, "restocked": 2},
        {"sku": "GIFT-WRAP", "quantity": 1, "restocked": 0},  # untracked: never restocked
    ]
    assert (event["restock"], event["shipping"], event["amount"], event["reason"]) == (
        True, 9.95, 134.85, "Too small")  # fmt: skip
    [notified] = events(owner, "customer_notified")
    assert (notified["order"], notified["email"]) == ("#1002", "emily.clarke@example.com")

    # The rest, without restock or notification: Refunded; then nothing is left.
    last = refund(owner, "#1002", **{"quantity__AP-SHIRT-BLU-M": "1", "amount": "59.95"})
    assert last.status_code == 303
    assert state(owner)["stock"]["AP-SHIRT-BLU-M"] == stock["AP-SHIRT-BLU-M"] + 2
    assert order(owner, "#1002")["payment_status"] == "Refunded"
    assert len(events(owner, "customer_notified")) == 1 and not events(owner, "refund")[1]["notify"]
    again = refund(owner, "#1002", amount="1.00")
    assert alert(again) == "There's nothing left to refund on this order."


def test_a_lowered_amount_refunds_only_that(owner: httpx.Client) -> None:
    assert refund(owner, "#1042", **{"quantity__KG-LAMP-BLK": "1", "amount": "40.00"}).is_redirect
    got = order(owner, "#1042")
    assert (got["payment_status"], got["refunded"], got["lines"][0]["refunded"]) == (
        "Partially refunded", 40.0, 1)  # fmt: skip
    assert "Refund shipping $9.95 available" in page(owner, "#1042", "/refund")
    assert refund(owner, "#1042", shipping="9.95", amount="19.90").is_redirect  # the rest
    assert order(owner, "#1042")["payment_status"] == "Refunded"


# --- faults ------------------------------------------------------------------------------------


def test_commit_then_error_refunds_then_answers_502(owner: httpx.Client) -> None:
    owner.post("__mock__/faults", json={"commit_then_error": 1}).raise_for_status()
    failed = refund(owner, "#1050", **{"quantity__KG-RICE-CKR": "1", "amount": "79.00"})
    assert failed.status_code == 502 and alert(failed) == "Something went wrong. Please try again."
    assert order(owner, "#1050")["payment_status"] == "Refunded"  # it happened
    assert "Refunded $79.00" in page(owner, "#1050")
    assert len(events(owner, "refund")) == 1
    assert refund(owner, "#1048", amount="10.00").status_code == 303  # used up


def test_maintenance_errors_sessions_cookies_and_slow_lists(owner: httpx.Client) -> None:
    owner.post("__mock__/faults", json={"maintenance": True}).raise_for_status()
    down = owner.get("admin/orders")
    assert down.status_code == 503 and "Down for maintenance" in down.text
    owner.post("__mock__/faults", json={"error_rate": 1}).raise_for_status()
    failed = refund(owner, "#1042", amount="10.00")
    assert failed.status_code == 500 and "Something went wrong" in failed.text
    assert events(owner, "refund") == []
    owner.post("__mock__/faults", json={"cookie_banner": True}).raise_for_status()
    assert "Cookie consent" in text(owner.get("admin/orders").text)
    owner.post("__mock__/faults", json={"slow_list_ms": 300}).raise_for_status()
    start = time.monotonic()
    assert "#1042" in table(owner)[1]
    assert time.monotonic() - start >= 0.3
    owner.post("__mock__/faults", json={"session_ttl_s": 0.001}).raise_for_status()
    owner.get("admin/orders")
    time.sleep(0.01)
    gone = refund(owner, "#1042", amount="10.00")
    assert gone.status_code == 303 and "/shopify/login?next=" in gone.headers["location"]
    assert owner.get("admin/orders/table").status_code == 401
    assert events(owner, "refund") == []


def test_drift_renames_words_and_reset_restores(owner: httpx.Client) -> None:
    drift = {"Refund shipping": "Shipping refund", "Search orders": "Filter orders"}
    owner.post("__mock__/faults", json={"drift": drift}).raise_for_status()
    assert "Shipping refund $9.95" in page(owner, "#1042", "/refund")
    assert "Filter orders" in text(owner.get("admin/orders").text)
    assert refund(owner, "#1042", amount="5.00").is_redirect
    owner.post("__mock__/reset", json={"today": "2026-06-01"}).raise_for_status()
    fresh = state(owner)
    assert fresh["events"] == [] and fresh["faults"] == {} and fresh["today"] == "2026-06-01"
    assert order(owner, "#1042")["refunded"] == 0 and order(owner, "#1042")["placed"] < "2026-05-27"
    assert order(owner, "#1042")["placed"] > "2026-05-25"  # six days before the new today


def test_markup_b_keeps_the_promised_words_in_other_elements(shopify: httpx.Client) -> None:
    shopify.post("__mock__/reset", json={"markup": "b"}).raise_for_status()
    assert login(shopify).status_code == 303
    first = shopify.get(f"admin/orders/{order(shopify, '#1049')['id']}").text
    second = shopify.get(f"admin/orders/{order(shopify, '#1049')['id']}").text
    words = text(first)
    assert "Partially refunded #1049 Fulfilled" in words
    assert "Refunded (2) $14.50 × 2 = $29.00 Mug Set · Grey SKU: KG-MUG-SET" in words
    assert "SKU: KG-TEA-TIN" in words and "Net payment : $24.00" in words
    assert "Customer chloe.martin@example.com Chloé Martin" in words  # in another order
    assert "<table" not in first and "<section" not in first and "<label" not in first
    ids = re.compile(r'\bid="([^"]+)"')
    assert set(ids.findall(first)).isdisjoint(ids.findall(second))  # new on every load
    rows = text(shopify.get("admin/orders/table", params={"query": "1049"}).text)
    assert "Order Customer Total Date Fulfillment status Payment status Channel Items" in rows
    refund_page = shopify.get(f"admin/orders/{order(shopify, '#1049')['id']}/refund").text
    assert 'role="group"' in refund_page and "<fieldset" not in refund_page
    assert "Tea Tin SKU: KG-TEA-TIN Quantity / 2" in text(refund_page)
    assert state(shopify)["markup"] == "b"
