"""The Electronic Cart mock over plain HTTP: seed, logins, search rules, the order page,
read-only answers, every fault knob, both markups and the `__mock__/state` events.

The browser side (the script that fills the list in) is covered by test_ecart_pages.py;
here the server's contract is checked, each test starting from a fresh reset.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from fixtures import MockServer
from fixtures._scenarios import scenario_orders
from fixtures.kogan.data import seed_orders as dispatch_orders

DEMO = {"email": "ops@example.com", "password": "ecart-demo"}
TODAY = dt.date(2026, 5, 15)
STATUSES = {"Awaiting shipment", "Shipped", "Partially refunded", "Refunded", "Cancelled"}
HEADERS = ["Order date", "Channel", "Channel order ref", "Shopify order", "Customer", "Email",
           "Items", "Total", "Status"]  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


@pytest.fixture
def ecart(server: MockServer) -> Iterator[httpx.Client]:
    """A client on `/ecart/` after a reset (no session yet)."""
    with httpx.Client(base_url=server.portal_url("ecart"), timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield client


def login(client: httpx.Client, email: str = DEMO["email"], password: str = DEMO["password"],
          next_: str = "") -> httpx.Response:  # fmt: skip
    return client.post("login", data={"email": email, "password": password, "next": next_})


@pytest.fixture
def ops(ecart: httpx.Client) -> httpx.Client:
    assert login(ecart).status_code == 303
    return ecart


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def events(client: httpx.Client, type_: str | None = None) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if type_ is None or e["type"] == type_]


def faults(client: httpx.Client, **knobs: Any) -> httpx.Response:
    return client.post("__mock__/faults", json=knobs)


def order_of(client: httpx.Client, reference: str) -> dict[str, Any]:
    return next(o for o in state(client)["orders"] if o["reference"] == reference)


def rows(client: httpx.Client, by: str = "email", q: str = "", channel: str = "all",
         days: str = "30", **extra: Any) -> str:  # fmt: skip
    params = {"by": by, "q": q, "channel": channel, "days": days, **extra}
    response = client.get("orders/rows", params=params)
    assert response.status_code == 200, response.text
    return response.text


def references(fragment: str) -> list[str]:
    """The channel order refs of the rows shown, in order (each links to its order)."""
    return re.findall(r'<a href="/ecart/orders/EC-\d{6}">([^<]+)</a>', fragment)


class _Text(HTMLParser):
    """Visible text of a page: no scripts, styles or templates."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style", "template")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "template")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def selected(html: str) -> list[str]:
    """The words of every selected option of the page's selects."""
    return re.findall(r"<option value=\"[^\"]*\" selected>([^<]+)</option>", html)


# --- seed and state -----------------------------------------------------------------------


def test_seed_has_every_channel_status_and_13_months(ecart: httpx.Client) -> None:
    body = state(ecart)
    assert (body["today"], body["events"], body["faults"]) == ("2026-05-15", [], {})
    orders = body["orders"]
    assert len(orders) >= 80
    assert {o["channel"] for o in orders} == {"Kogan", "Catch", "eBay", "Website"}
    assert {o["status"] for o in orders} == STATUSES
    ages = [(TODAY - dt.date.fromisoformat(o["placed"])).days for o in orders]
    assert min(ages) >= 0 and 365 < max(ages) <= 400
    numbers = [o["number"] for o in orders]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"EC-\d{6}", n) for n in numbers)
    references = [(o["channel"], o["reference"]) for o in orders]
    assert len(set(references)) == len(references)
    shopify = [o["shopify"] for o in orders if o["shopify"]]
    assert len(set(shopify)) == len(shopify)  # one Shopify order per E-Cart order
    assert any(o["shopify"] is None for o in orders if o["reference"] != "ESG-20488830")
    for order in orders:
        amounts = sum(line["amount"] for line in order["lines"]) + order["shipping"]
        assert order["total"] == pytest.approx(amounts)


@pytest.mark.parametrize("seed", [0, 7])
def test_every_kogan_order_of_the_dispatch_seed_is_here(ecart: httpx.Client, seed: int) -> None:
    ecart.post("__mock__/reset", json={"seed": seed}).raise_for_status()
    kogan = {o["reference"]: o for o in state(ecart)["orders"] if o["channel"] == "Kogan"}
    dispatch = dispatch_orders(TODAY, seed)
    assert set(kogan) == {order.reference for order in dispatch}
    for order in dispatch:
        mine = kogan[order.reference]
        assert (mine["customer"], mine["email"], mine["placed"]) == (
            order.customer, order.email, order.placed.isoformat())  # fmt: skip
        assert [(x["sku"], x["title"], x["quantity"], x["unit_price"]) for x in mine["lines"]] == [
            (x.sku, x.title, x.quantity, float(x.unit_price)) for x in order.lines
        ]


def test_scenario_orders_have_their_shopify_numbers_statuses_and_channels(
    ecart: httpx.Client,
) -> None:
    orders = {o["reference"]: o for o in state(ecart)["orders"]}
    for shared in scenario_orders():
        mine = orders[shared.reference]
        assert (mine["channel"], mine["shopify"], mine["status"]) == (
            shared.channel, shared.shopify, shared.ecart_status)  # fmt: skip
        assert (mine["customer"], mine["email"]) == (shared.customer, shared.email)
        assert mine["placed"] == (TODAY - dt.timedelta(days=shared.days_ago)).isoformat()
        assert mine["shipping"] == float(shared.shipping)
        assert [(x["sku"], x["quantity"], x["unit_price"]) for x in mine["lines"]] == [
            (x.sku, x.quantity, float(x.unit_price)) for x in shared.lines
        ]
    assert orders["ESG-20488830"]["shopify"] is None  # K6: Not synced
    assert orders["CG-7745120"]["channel"] == "Catch"  # K5's Catch order
    assert orders["WEB-88121"]["email"] == "joann@example.com"


def test_reset_today_moves_every_date(ecart: httpx.Client) -> None:
    ecart.post("__mock__/reset", json={"today": "2026-01-10"}).raise_for_status()
    k1 = order_of(ecart, "ESG-20481234")
    assert k1["placed"] == "2026-01-04"
    assert k1["history"][0]["text"] == "Imported from Kogan"
    assert k1["history"][1]["text"] == "Created in Shopify as #1042"
    for order in state(ecart)["orders"]:
        assert all(h["time"] <= "2026-01-10T12:00" for h in order["history"])


# --- signing in ---------------------------------------------------------------------------


def test_sign_in_page_and_wrong_login(ecart: httpx.Client) -> None:
    words = text(ecart.get("login").text)
    for phrase in ("Sign in", "Email", "Password"):
        assert phrase in words
    page = login(ecart, password="wrong")
    assert page.status_code == 200 and 'role="alert"' in page.text
    assert "Incorrect email or password." in text(page.text)
    assert events(ecart) == [
        {"type": "login_failed", "time": "2026-05-15T12:00:01.000",
         "account": "ops@example.com", "locked": False},
    ]  # fmt: skip


def test_five_failures_lock_the_account(ecart: httpx.Client) -> None:
    for _ in range(5):
        login(ecart, password="wrong")
    page = login(ecart)
    assert page.status_code == 200 and "locked" in text(page.text)
    assert [e["locked"] for e in events(ecart, "login_failed")] == [False] * 4 + [True, True]


def test_sign_in_goes_to_orders_and_log_out_ends_the_session(ecart: httpx.Client) -> None:
    home = ecart.get("")
    assert home.status_code == 303 and home.headers["location"] == "/ecart/login?next=/ecart/"
    page = ecart.get("orders", params={"q": "x"})
    assert page.status_code == 303 and "/ecart/login?next=" in page.headers["location"]
    assert ecart.get("orders/rows").status_code == 401
    answer = login(ecart, next_="/ecart/orders?q=ann")
    assert answer.status_code == 303 and answer.headers["location"] == "/ecart/orders?q=ann"
    assert ecart.get("").headers["location"] == "/ecart/orders"  # the prefix goes to Orders
    nav = ecart.get("orders").text
    assert re.search(r'<nav [^>]*aria-label="Main"', nav) and ">Log out</button>" in nav
    assert ecart.post("logout").status_code == 303
    assert ecart.get("orders").status_code == 303
    assert [e["type"] for e in events(ecart)] == ["login"]


# --- orders: the form, the search ---------------------------------------------------------


def test_every_visit_starts_at_customer_email_and_last_30_days(ops: httpx.Client) -> None:
    fresh = ops.get("orders").text
    assert selected(fresh) == ["Customer email", "All channels", "Last 30 days"]
    words = text(fresh)
    for phrase in ("Orders", "Search by", "Customer email", "Channel order ref", "Shopify order",
                   "Customer name", "Search for", "Search", "Channel", "All channels", "Kogan",
                   "Catch", "eBay", "Website", "Order date", "Last 30 days", "Last 90 days",
                   "Last 12 months", "All time"):  # fmt: skip
        assert phrase in words
    assert 'aria-busy="true"' in fresh  # the table, until its rows are filled in
    chosen = ops.get("orders", params={"by": "ref", "q": "ESG-1", "channel": "kogan", "days": "90"})
    assert selected(chosen.text) == ["Channel order ref", "Kogan", "Last 90 days"]
    assert 'value="ESG-1"' in chosen.text
    assert selected(ops.get("orders").text) == ["Customer email", "All channels", "Last 30 days"]
    assert events(ops, "search") == []  # the page is not a search; its rows are


def test_email_matches_any_part_ignoring_case(ops: httpx.Client) -> None:
    found = rows(ops, q="ann@example.com")
    assert references(found) == ["WEB-88121", "CG-7745120", "ESG-20487721", "ESG-20487720"]
    assert "<caption>4 orders</caption>" in found
    words = text(found)
    assert "joann@example.com" in words and "Jo Ann Park" in words
    assert "2 × Water Bottle 1L (KG-BOTTLE-1L)" in words
    assert references(rows(ops, q="Jane.Doe@Example.com")) == ["ESG-20485501"]
    assert events(ops, "search")[-1] == {
        "type": "search", "time": "2026-05-15T12:00:03.000", "account": "ops@example.com",
        "by": "email", "text": "Jane.Doe@Example.com", "channel": "all", "days": 30,
        "results": 1, "page": 1,
    }  # fmt: skip


def test_reference_shopify_and_name_searches(ops: httpx.Client) -> None:
    assert references(rows(ops, by="ref", q="esg-1001234")) == ["ESG-1001234", "ESG-10012345"]
    assert references(rows(ops, by="ref", q="ESG-10012")) == [
        "ESG-1001234", "ESG-100123", "ESG-10012", "ESG-10012345"]  # fmt: skip
    with_hash, without = rows(ops, by="shopify", q="#1001"), rows(ops, by="shopify", q="1001")
    assert references(with_hash) == references(without) == ["ESG-1001234", "ESG-10012345"]
    assert "#10010" in text(with_hash)
    assert references(rows(ops, by="shopify", q="1044")) == ["ESG-20486610"]
    assert references(rows(ops, by="name", q="王芳")) == ["ESG-20491160"]
    assert references(rows(ops, by="name", q="CHLOÉ")) == ["ESG-20490050"]
    assert references(rows(ops, by="name", q="liam nguyen")) == ["ESG-1001234", "ESG-10012345"]
    assert references(rows(ops, by="email", q="ESG-20481234")) == []  # the chosen field only
    assert [e["by"] for e in events(ops, "search")] == [
        "ref", "ref", "shopify", "shopify", "shopify", "name", "name", "name", "email"]  # fmt: skip


def test_not_synced_statuses_and_formats(ops: httpx.Client) -> None:
    k6 = text(rows(ops, by="ref", q="ESG-20488830"))
    assert "Not synced" in k6 and "Awaiting shipment" in k6 and "$24.95" in k6
    k8 = text(rows(ops, by="ref", q="ESG-20490050"))
    assert "Partially refunded" in k8 and "01/05/2026" in k8 and "$53.00" in k8
    assert "2 × Mug Set - Grey (KG-MUG-SET) 2 × Tea Tin (KG-TEA-TIN)" in k8
    assert "Refunded" in text(rows(ops, by="ref", q="ESG-20486610"))  # K4: a snapshot
    every = rows(ops, days="all", page="1") + rows(ops, days="all", page="2")
    every += rows(ops, days="all", page="3")
    found = text(every)
    for status in STATUSES:
        assert status in found
    header = text(rows(ops, q="zzz"))
    for name in HEADERS:
        assert name in header


def test_channel_and_order_date_narrow_the_search(ops: httpx.Client) -> None:
    orders = state(ops)["orders"]

    def expected(channel: str, days: int | None) -> int:
        return sum(
            1
            for o in orders
            if channel in ("all", o["channel"].lower())
            and (days is None or (TODAY - dt.date.fromisoformat(o["placed"])).days < days)
        )

    for channel in ("all", "kogan", "catch", "ebay", "website"):
        for days, value in ((30, "30"), (90, "90"), (365, "365"), (None, "all")):
            caption = f"<caption>{expected(channel, days)} orders</caption>"
            assert caption in rows(ops, channel=channel, days=value), (channel, days)
    assert references(rows(ops, q="ann@example.com", channel="catch")) == ["CG-7745120"]
    # K11: placed 45 days ago, found by reference only from "Last 90 days" on.
    assert references(rows(ops, by="ref", q="ESG-20493380")) == []
    assert references(rows(ops, by="ref", q="ESG-20493380", days="90")) == ["ESG-20493380"]
    assert references(rows(ops, q="jack.w@work.example", days="all")) == []
    assert "#1058" in rows(ops, by="ref", q="ESG-20493380", days="90")


def test_no_match_and_pagination_by_50(ops: httpx.Client) -> None:
    empty = text(rows(ops, q="nobody@nowhere.example"))
    assert "No orders match your search." in empty and "0 orders" in empty
    total = len(state(ops)["orders"])
    assert total > 100
    first = rows(ops, days="all")
    assert len(references(first)) == 50 and f"<caption>{total} orders</caption>" in first
    pages = -(-total // 50)
    assert f"Page 1 of {pages}" in text(first)
    assert "Previous page" in text(first) and 'href="/ecart/orders?' in first
    assert "&amp;days=all&amp;page=2" in first
    last = rows(ops, days="all", page=str(pages))
    assert len(references(last)) == total - 50 * (pages - 1)
    assert f"Page {pages} of {pages}" in text(last) and "Next page" in text(last)
    beyond = rows(ops, days="all", page="99")
    assert f"Page {pages} of {pages}" in text(beyond)
    shown = [ref for p in range(1, pages + 1) for ref in references(rows(ops, days="all", page=p))]
    assert sorted(shown) == sorted(o["reference"] for o in state(ops)["orders"])
    assert events(ops, "search")[-1]["page"] == pages


# --- the order page -----------------------------------------------------------------------


def test_order_page_has_facts_items_shipments_and_history(ops: httpx.Client) -> None:
    k1 = order_of(ops, "ESG-20481234")
    page = ops.get(f"orders/{k1['number']}")
    assert page.status_code == 200
    assert re.search(rf"<h1>Order {k1['number']}</h1>", page.text)
    assert "<dl" in page.text and "<dt>Ship to</dt>" in page.text
    words = text(page.text)
    for phrase in ("Channel", "Kogan", "Channel order ref", "ESG-20481234", "Shopify order",
                   "#1042", "Order date", "09/05/2026", "Customer", "Jane Citizen", "Email",
                   "jane.citizen@example.com", "Phone", k1["phone"], "Ship to", *k1["ship_to"],
                   "Items", "SKU", "Title", "Qty", "Unit price", "Line total", "KG-LAMP-BLK",
                   "Desk Lamp - Black", "$49.95", "Shipments", "Date", "Carrier",
                   "Tracking number", "History", "Imported from Kogan",
                   "Created in Shopify as #1042"):  # fmt: skip
        assert phrase in words
    assert re.search(r"09/05/2026 \d\d:\d\d Imported from Kogan", words)
    k6 = ops.get(f"orders/{order_of(ops, 'ESG-20488830')['number']}").text
    assert "Not synced" in text(k6) and "Created in Shopify" not in k6
    missing = ops.get("orders/EC-999999")
    assert missing.status_code == 404 and "Order not found" in missing.text
    assert events(ops, "view_order") == [
        {"type": "view_order", "time": "2026-05-15T12:00:02.000", "account": "ops@example.com",
         "number": k1["number"], "reference": "ESG-20481234"},
        {"type": "view_order", "time": "2026-05-15T12:00:03.000", "account": "ops@example.com",
         "number": order_of(ops, "ESG-20488830")["number"], "reference": "ESG-20488830"},
    ]  # fmt: skip


def test_the_channel_ref_links_to_its_order(ops: httpx.Client) -> None:
    k2 = order_of(ops, "ESG-1001234")
    link = f'<a href="/ecart/orders/{k2["number"]}">ESG-1001234</a>'
    assert link in rows(ops, by="ref", q="ESG-1001234")


# --- read-only ----------------------------------------------------------------------------


def test_nothing_but_signing_in_and_out_takes_a_post(ops: httpx.Client) -> None:
    before = state(ops)["orders"]
    number = before[0]["number"]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("", "orders", "orders/rows", f"orders/{number}", "orders/EC-999999",
                     f"orders/{number}/refund", "static/ecart.js", "nowhere"):  # fmt: skip
            answer = ops.request(method, path, data={"status": "Refunded"})
            assert answer.status_code == 405, (method, path)
    assert ops.get("nowhere").status_code == 404
    assert ops.get(f"orders/{number}").status_code == 200
    assert state(ops)["orders"] == before
    assert [e["type"] for e in events(ops)] == ["login", "view_order"]


# --- fault knobs --------------------------------------------------------------------------


def test_faults_endpoint_validates_and_reset_clears(ecart: httpx.Client) -> None:
    assert faults(ecart, slow_list_ms=10, cookie_banner=True).json() == {
        "slow_list_ms": 10.0, "cookie_banner": True}  # fmt: skip
    assert faults(ecart, latency=5).status_code == 400
    assert faults(ecart, error_rate=2).status_code == 400
    ecart.post("__mock__/reset").raise_for_status()
    assert state(ecart)["faults"] == {}


def test_maintenance(ops: httpx.Client) -> None:
    faults(ops, maintenance=True)
    for path in ("login", "", "orders", "orders/rows", "orders/EC-104001"):
        page = ops.get(path)
        assert page.status_code == 503 and "<h1>Down for maintenance</h1>" in page.text
    assert ops.get("static/ecart.js").status_code == 200
    assert ops.get("__mock__/state").status_code == 200
    assert events(ops, "search") == []


def test_error_rate_fails_and_is_replayable_with_a_seed(ops: httpx.Client) -> None:
    faults(ops, error_rate=1.0)
    page = ops.get("orders/rows")
    assert page.status_code == 500 and "<h1>Something went wrong</h1>" in page.text
    assert events(ops, "search") == []

    def run() -> list[int]:
        faults(ops, error_rate=0.5, seed=42)
        return [ops.get("orders/rows", params={"q": "ann@"}).status_code for _ in range(16)]

    first = run()
    assert set(first) == {200, 500} and run() == first
    assert len(events(ops, "search")) == 2 * first.count(200)


def test_commit_then_error_has_nothing_to_commit(ops: httpx.Client) -> None:
    faults(ops, commit_then_error=1)
    assert ops.get("orders/rows").status_code == 200
    assert ops.post("orders").status_code == 405
    assert login(ops).status_code == 303
    assert state(ops)["faults"] == {"commit_then_error": 1}  # read-only: never used up


def test_session_ttl_expires_idle_sessions(ops: httpx.Client) -> None:
    assert ops.get("orders").status_code == 200
    faults(ops, session_ttl_s=1.0)
    time.sleep(1.3)
    assert ops.get("orders/rows").status_code == 401
    page = ops.get("orders", params={"q": "ann"})
    assert page.status_code == 303 and "/ecart/login?next=" in page.headers["location"]


def test_latency_and_slow_list(ops: httpx.Client) -> None:
    def timed(path: str) -> float:
        start = time.perf_counter()
        assert ops.get(path).status_code == 200
        return time.perf_counter() - start

    faults(ops, slow_list_ms=300)
    assert timed("orders/rows") >= 0.3
    assert timed("orders") < 0.25
    faults(ops, latency_ms=200)
    assert 0.2 <= timed("orders") < 0.6
    assert timed("static/ecart.js") < 0.15


def test_cookie_banner_only_without_consent(ops: httpx.Client) -> None:
    marker = 'aria-labelledby="mock-cookie-title"'
    assert marker not in ops.get("orders").text
    faults(ops, cookie_banner=True)
    for path in ("orders", "login"):
        page = ops.get(path).text
        assert marker in page and ">Accept</button>" in page
    ops.cookies.set("ecart_consent", "1")
    assert marker not in ops.get("orders").text


def test_drift_renames_words_not_rules(ops: httpx.Client) -> None:
    faults(ops, drift={"Search for": "Find", "Not synced": "Pending sync"})
    assert "Find" in text(ops.get("orders").text) and "Search for" not in ops.get("orders").text
    k6 = rows(ops, by="ref", q="ESG-20488830")
    assert "Pending sync" in k6 and "Not synced" not in k6
    assert order_of(ops, "ESG-20488830")["shopify"] is None
    faults(ops)
    assert "Search for" in ops.get("orders").text


# --- markup b -----------------------------------------------------------------------------


def test_markup_b_has_other_markup_and_the_same_words(ecart: httpx.Client) -> None:
    pages: dict[str, dict[str, str]] = {}
    for markup in ("a", "b"):
        ecart.post("__mock__/reset", json={"markup": markup}).raise_for_status()
        ecart.cookies.clear()
        pages[markup] = {"login": ecart.get("login").text}
        login(ecart)
        number = order_of(ecart, "ESG-20490050")["number"]
        pages[markup].update(
            orders=ecart.get("orders").text,
            rows=rows(ecart, q="ann@example.com"),
            empty=rows(ecart, q="zzz"),
            order=ecart.get(f"orders/{number}").text,
        )
    a, b = pages["a"], pages["b"]
    assert state(ecart)["markup"] == "b"
    for name in a:
        assert a[name] != b[name], name
    assert "<label" in a["orders"] and "<label" not in b["orders"]
    assert "<caption>" in a["rows"] and 'role="table"' in b["rows"]
    assert "<ul" in a["rows"] and "<ul" not in b["rows"]
    assert "<h1>" in a["order"] and 'role="heading" aria-level="1"' in b["order"]
    expected = {
        "login": ["Sign in", "Email", "Password"],
        "orders": ["Orders", "Search by", "Search for", "Channel", "Order date", "Last 30 days",
                   "Customer email", "All channels"],
        "rows": ["4 orders", *HEADERS, "WEB-88121", "#1051", "Jo Ann Park", "joann@example.com",
                 "1 × Water Bottle 1L (KG-BOTTLE-1L)", "$19.95", "Shipped", "06/05/2026",
                 "Previous page", "Page 1 of 1", "Next page"],
        "empty": ["0 orders", "No orders match your search."],
        "order": ["Channel order ref", "ESG-20490050", "#1049", "Chloé Martin", "Ship to",
                  "Items", "Mug Set - Grey", "KG-TEA-TIN", "$14.50", "$24.00", "Shipments",
                  "Tracking number", "History", "Imported from Kogan", "Partial refund recorded"],
    }  # fmt: skip
    for name, phrases in expected.items():
        for markup in ("a", "b"):
            words = text(pages[markup][name])
            for phrase in phrases:
                assert phrase in words, (markup, name, phrase)
    for markup in ("a", "b"):
        assert selected(pages[markup]["orders"]) == [
            "Customer email", "All channels", "Last 30 days"]  # fmt: skip
        assert 'aria-busy="true"' in pages[markup]["orders"]
        assert 'aria-busy="false"' in pages[markup]["rows"]
        assert references(pages[markup]["rows"]) == [
            "WEB-88121", "CG-7745120", "ESG-20487721", "ESG-20487720"]  # fmt: skip
        assert "<dl" in pages[markup]["order"] and "<dt>Ship to</dt>" in pages[markup]["order"]
    assert ">Log out</button>" in a["orders"] and 'value="Log out"' in b["orders"]


def test_the_clock_is_fixed_in_full_at_reset(ecart: httpx.Client) -> None:
    ecart.post("__mock__/reset", json={"today": "2026-03-01"}).raise_for_status()
    login(ecart)
    rows(ecart)
    times = [event["time"] for event in state(ecart)["events"]]
    assert times == ["2026-03-01T12:00:01.000", "2026-03-01T12:00:02.000"]
