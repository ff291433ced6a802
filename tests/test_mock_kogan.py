"""The Kogan dispatch mock over plain HTTP: data, logins, search, refunds and fault knobs.

The browser-side behaviour (the JS of the orders page) is covered by the page-object
tests; here the server's contract is checked, each test starting from a fresh reset.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from fixtures import MockServer

DEMO = {"email": "seller@example.com", "password": "dispatch-demo"}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


@pytest.fixture
def kogan(server: MockServer) -> Iterator[httpx.Client]:
    """A client on `/kogan/` after a reset (no session yet)."""
    with httpx.Client(base_url=server.portal_url("kogan"), timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield client


def login(client: httpx.Client, email: str = DEMO["email"], password: str = DEMO["password"],
          next_: str = "") -> httpx.Response:  # fmt: skip
    data = {"email": email, "password": password, "next": next_}
    return client.post("login", data=data)


@pytest.fixture
def seller(kogan: httpx.Client) -> httpx.Client:
    assert login(kogan).status_code == 303
    return kogan


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def line_status(client: httpx.Client, reference: str, sku: str) -> str:
    order = next(o for o in state(client)["orders"] if o["reference"] == reference)
    return next(line["status"] for line in order["lines"] if line["sku"] == sku)


def events(client: httpx.Client, type_: str) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if e["type"] == type_]


def table(client: httpx.Client, **params: Any) -> str:
    response = client.get("orders/table", params=params)
    assert response.status_code == 200, response.text
    return response.text


def references(fragment: str) -> list[str]:
    """References shown in the table's rows, in order (one per line)."""
    return re.findall(r"<td>(?:<b>)?(ESG-\d+)(?:</b>)?</td>", fragment)


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


def refund(client: httpx.Client, ref: str, sku: str, reason: str = "Faulty Item",
           comment: str = "") -> httpx.Response:  # fmt: skip
    body = {"reason": reason, "comment": comment}
    return client.post(f"api/orders/{ref}/lines/{sku}/refund", json=body)


# --- reset and state --------------------------------------------------------------------


def test_state_has_the_seeded_scenarios(kogan: httpx.Client) -> None:
    body = state(kogan)
    assert body["today"] == "2026-05-15"
    assert body["events"] == [] and body["faults"] == {}
    orders = {o["reference"]: o for o in body["orders"]}
    assert len(orders) >= 70
    for ref in ("ESG-10012", "ESG-100123", "ESG-1001234", "ESG-20020", "ESG-20030", "ESG-20040",
                "ESG-20050", "ESG-20060", "ESG-20100", "ESG-20110", "ESG-20120", "ESG-20200",
                "ESG-20210", "ESG-20300", "ESG-20310", "ESG-20320", "ESG-20330", "ESG-20400",
                "ESG-20410"):  # fmt: skip
        assert ref in orders
    assert orders["ESG-10012"] == {
        "reference": "ESG-10012",
        "placed": "2026-05-12",
        "customer": "Olivia Bennett",
        "email": "olivia.bennett@example.com",
        "lines": [
            {"sku": "KG-BT-SPK", "title": "Bluetooth Speaker", "quantity": 1,
             "unit_price": 89.95, "amount": 89.95, "status": "Dispatched"},
        ],
    }  # fmt: skip
    assert [line["status"] for line in orders["ESG-20030"]["lines"]] == [
        "Dispatched", "Awaiting dispatch", "Refunded"]  # fmt: skip
    assert orders["ESG-20400"]["lines"][0]["amount"] == 45.0
    assert orders["ESG-20200"]["customer"] == orders["ESG-20210"]["customer"] == "Jack Smith"
    assert orders["ESG-20310"]["customer"] == "王小明"
    statuses = {line["status"] for o in orders.values() for line in o["lines"]}
    assert statuses == {"Awaiting dispatch", "Dispatched", "Refunded", "Cancelled"}


def test_reset_seed_and_today_change_only_the_filler_and_dates(kogan: httpx.Client) -> None:
    default = state(kogan)["orders"]
    kogan.post("__mock__/reset", json={"seed": 7, "today": "2026-01-10"}).raise_for_status()
    seeded = state(kogan)
    assert seeded["today"] == "2026-01-10"
    first = {o["reference"]: o for o in seeded["orders"]}
    assert first["ESG-10012"]["placed"] == "2026-01-07"
    assert [o["reference"] for o in seeded["orders"]][:19] == [
        o["reference"] for o in default][:19]  # fmt: skip
    assert {o["reference"] for o in seeded["orders"]} != {o["reference"] for o in default}
    assert kogan.post("__mock__/reset", json={"colour": 1}).status_code == 400


def test_bulk_adds_recent_single_line_orders(kogan: httpx.Client) -> None:
    kogan.post("__mock__/reset", json={"bulk": 40}).raise_for_status()
    orders = {o["reference"]: o for o in state(kogan)["orders"]}
    bulk = [orders[f"ESG-{3000000 + i}"] for i in range(40)]
    assert all(len(o["lines"]) == 1 and o["lines"][0]["status"] == "Dispatched" for o in bulk)
    assert all(o["placed"] >= "2026-05-09" for o in bulk)
    assert "ESG-3000040" not in orders


# --- logins -------------------------------------------------------------------------------


def test_login_success_sets_a_session_and_logs_an_event(kogan: httpx.Client) -> None:
    response = login(kogan)
    assert response.status_code == 303 and response.headers["location"] == "/kogan/"
    assert "httponly" in response.headers["set-cookie"].lower()
    page = kogan.get("")
    assert page.status_code == 200 and "<title>Kogan Dispatch – Dashboard</title>" in page.text
    assert events(kogan, "login") == [
        {"type": "login", "time": events(kogan, "login")[0]["time"], "account": DEMO["email"]}
    ]
    assert events(kogan, "login")[0]["time"].startswith("2026-05-15T")


def test_wrong_password_shows_the_alert(kogan: httpx.Client) -> None:
    response = login(kogan, password="nope")
    assert response.status_code == 200
    assert '<p role="alert" class="alert">Invalid email or password.</p>' in response.text
    assert events(kogan, "login_failed") == [
        {**events(kogan, "login_failed")[0], "account": DEMO["email"], "locked": False}
    ]


def test_five_failures_lock_the_account_even_for_the_right_password(kogan: httpx.Client) -> None:
    locked = "Too many attempts. Your account is locked for 15 minutes."
    for attempt in range(1, 6):
        page = login(kogan, password=f"wrong-{attempt}").text
        assert (locked in page) == (attempt == 5)
    response = login(kogan)
    assert response.status_code == 200 and locked in response.text
    failed = events(kogan, "login_failed")
    assert len(failed) == 6 and [e["locked"] for e in failed] == [False] * 4 + [True] * 2
    assert events(kogan, "login") == []
    assert login(kogan, "ops@example.com", "ops-demo").status_code == 303  # other account
    kogan.post("__mock__/reset").raise_for_status()
    assert login(kogan).status_code == 303


def test_unauthenticated_pages_redirect_to_login_with_next(kogan: httpx.Client) -> None:
    for path in ("", "orders?days=30&q=ESG-10012", "orders/ESG-10012"):
        response = kogan.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/kogan/login?next=")
    location = kogan.get("orders?days=30&q=ESG-10012").headers["location"]
    next_ = httpx.URL(location).params["next"]
    assert next_ == "/kogan/orders?days=30&q=ESG-10012"
    login_page = kogan.get(location.removeprefix("/kogan/"))
    assert "<title>Kogan Dispatch – Sign in</title>" in login_page.text
    assert 'value="/kogan/orders?days=30&amp;q=ESG-10012"' in login_page.text
    assert login(kogan, next_=next_).headers["location"] == next_
    assert kogan.get("orders/table").status_code == 200


def test_next_outside_the_portal_goes_to_the_dashboard(kogan: httpx.Client) -> None:
    for bad in ("https://evil.example/", "//evil.example/kogan/", "/chopni/orders"):
        kogan.cookies.clear()
        assert login(kogan, next_=bad).headers["location"] == "/kogan/"


def test_api_without_session_answers_401(kogan: httpx.Client) -> None:
    assert kogan.get("orders/table").status_code == 401
    assert refund(kogan, "ESG-10012", "KG-BT-SPK").status_code == 401
    assert line_status(kogan, "ESG-10012", "KG-BT-SPK") == "Dispatched"


def test_logout_ends_the_session(seller: httpx.Client) -> None:
    response = seller.post("logout")
    assert response.status_code == 303 and response.headers["location"] == "/kogan/login"
    assert seller.get("orders").status_code == 303


# --- pages and the table fragment -----------------------------------------------------------


def test_pages_have_the_spec_titles_and_headings(seller: httpx.Client) -> None:
    dashboard = seller.get("").text
    assert "<h1>Dashboard</h1>" in dashboard and ">Manage my orders</a>" in dashboard
    assert ">Log out</button>" in dashboard and "<nav" in dashboard
    orders = seller.get("orders").text
    assert "<title>Kogan Dispatch – Manage my orders</title>" in orders
    assert 'aria-busy="true"' in orders and '<option value="7" selected>' in orders
    assert '<option value="30" selected>' in seller.get("orders?days=30&q=x").text
    order = seller.get("orders/ESG-20030")
    assert "<title>Kogan Dispatch – Order ESG-20030</title>" in order.text
    words = text(order.text)
    for phrase in ("Order ESG-20030", "Mia Thompson", "mia.thompson@example.com", "11/05/2026",
                   "Awaiting dispatch", "Refunded", "Order history", "Order placed"):  # fmt: skip
        assert phrase in words
    missing = seller.get("orders/ESG-999999")
    assert missing.status_code == 404 and "<h1>Order not found</h1>" in missing.text


def test_search_matches_reference_prefixes_within_the_period(seller: httpx.Client) -> None:
    fragment = table(seller, days=30, q="ESG-10012")
    assert sorted(references(fragment)) == [
        "ESG-10012",
        "ESG-100123",
        "ESG-1001234",
        "ESG-10012345",
    ]
    assert '<caption>4 items · last 30 days · matching "ESG-10012"</caption>' in fragment
    # ESG-10012345 (8 days old) is not among the last 7 days.
    assert sorted(references(table(seller, days=7, q="esg-100123"))) == [
        "ESG-100123",
        "ESG-1001234",
    ]
    jack = table(seller, days=7, q="jack smith")
    assert sorted(references(jack)) == ["ESG-20200", "ESG-20210"]
    assert references(table(seller, days=7, q="J.SMITH77@")) == ["ESG-20210"]
    assert references(table(seller, days=7, q="王小明")) == ["ESG-20310"]
    assert references(table(seller, days=7, q="josé")) == ["ESG-20300"]


def test_periods_show_older_orders(seller: httpx.Client) -> None:
    def shown(days: int, ref: str) -> bool:
        return ref in references(table(seller, days=days, q=ref))

    assert [shown(d, "ESG-20100") for d in (7, 30, 90)] == [False, True, True]
    assert [shown(d, "ESG-20110") for d in (7, 30, 90)] == [False, False, True]
    assert [shown(d, "ESG-20120") for d in (7, 30, 90)] == [False, False, False]


def test_rows_are_lines_with_spec_formats(seller: httpx.Client) -> None:
    fragment = table(seller, days=7, q="ESG-20020")
    assert references(fragment) == ["ESG-20020", "ESG-20020"]
    assert '<caption>2 items · last 7 days · matching "ESG-20020"</caption>' in fragment
    words = text(fragment)
    for phrase in ("Order Date Customer Item Qty Total Status", "10/05/2026",
                   "HDMI Cable 2m KG-HDMI-2M 2 $39.80 Dispatched", "Page 1 of 1"):  # fmt: skip
        assert phrase in words
    assert "$1,234.50" in table(seller, days=7, q="ESG-20410")
    assert fragment.count('aria-haspopup="menu"') == 2
    awaiting = table(seller, days=7, q="ESG-20040")
    assert re.search(r'data-action="refund" aria-disabled="true"', awaiting)
    assert not re.search(r'data-action="cancel" aria-disabled="true"', awaiting)


def test_pagination_and_no_match(seller: httpx.Client) -> None:
    first = table(seller, days=90)
    total = int(re.search(r"<caption>(\d+) items · last 90 days</caption>", first)[1])
    pages = -(-total // 25)
    assert pages >= 3 and f"Page 1 of {pages}" in first
    assert len(references(first)) == 25
    assert re.search(r"<button[^>]*disabled[^>]*>Previous page", first)
    last = table(seller, days=90, page=pages)
    assert len(references(last)) == total - 25 * (pages - 1)
    assert re.search(r"<button[^>]*disabled[^>]*>Next page", last)
    assert f"Page {pages} of {pages}" in table(seller, days=90, page=999)
    week = table(seller, days=7)
    assert re.search(r"Page 1 of [12]<", week)
    none = table(seller, days=30, q="no such order")
    assert "No orders found." in none and references(none) == []
    assert '<caption>0 items · last 30 days · matching "no such order"</caption>' in none


# --- refunds and cancels ---------------------------------------------------------------------


def test_refund_once(seller: httpx.Client) -> None:
    response = refund(seller, "ESG-20020", "KG-HDMI-2M", "Wrong Goods", "sent the 1m ones")
    assert response.status_code == 200
    assert response.json()["message"] == "Refund of $39.80 submitted for ESG-20020 (KG-HDMI-2M)."
    assert line_status(seller, "ESG-20020", "KG-HDMI-2M") == "Refunded"
    assert line_status(seller, "ESG-20020", "KG-USB-HUB") == "Dispatched"
    [event] = events(seller, "refund")
    assert event == {**event, "account": DEMO["email"], "reference": "ESG-20020",
                     "sku": "KG-HDMI-2M", "amount": 39.8, "reason": "Wrong Goods",
                     "comment": "sent the 1m ones"}  # fmt: skip
    again = refund(seller, "ESG-20020", "KG-HDMI-2M")
    assert again.status_code == 409
    assert again.json() == {"error": "This item has already been refunded."}
    assert len(events(seller, "refund")) == 1
    assert "Refunded" in text(table(seller, days=7, q="ESG-20020"))
    assert "KG-HDMI-2M refunded: Wrong Goods" in text(seller.get("orders/ESG-20020").text)


def test_concurrent_refunds_of_one_line_refund_once(seller: httpx.Client) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _: refund(seller, "ESG-20410", "KG-TV-55-4K").status_code,
                              range(8)))  # fmt: skip
    assert sorted(codes) == [200] + [409] * 7
    assert [e["amount"] for e in events(seller, "refund")] == [1234.5]


def test_refund_is_refused_when_invalid(seller: httpx.Client) -> None:
    assert refund(seller, "ESG-10012", "KG-BT-SPK", reason="Because").status_code == 400
    assert refund(seller, "ESG-10012", "KG-BT-SPK", reason="").status_code == 400
    assert refund(seller, "ESG-10012", "KG-BT-SPK", comment="x" * 501).status_code == 400
    assert refund(seller, "ESG-10012", "KG-BT-SPK", comment="x" * 500).status_code == 200
    awaiting = refund(seller, "ESG-20030", "KG-SMART-PLUG")
    assert awaiting.status_code == 409
    assert awaiting.json() == {"error": "This item cannot be refunded."}
    assert refund(seller, "ESG-20060", "KG-MOUSE-WL").status_code == 409
    assert refund(seller, "ESG-10012", "KG-NOPE").status_code == 404
    assert len(events(seller, "refund")) == 1


def test_cancel_awaiting_dispatch_only(seller: httpx.Client) -> None:
    url = "api/orders/ESG-20030/lines/{}/cancel"
    response = seller.post(url.format("KG-SMART-PLUG"), json={"reason": "Could Not Ship"})
    assert response.status_code == 200
    assert response.json()["message"] == "Item cancelled for ESG-20030 (KG-SMART-PLUG)."
    assert line_status(seller, "ESG-20030", "KG-SMART-PLUG") == "Cancelled"
    [event] = events(seller, "cancel")
    assert (event["reference"], event["sku"], event["reason"]) == (
        "ESG-20030", "KG-SMART-PLUG", "Could Not Ship")  # fmt: skip
    assert seller.post(url.format("KG-LED-STRIP"), json={"reason": "Other"}).status_code == 409
    assert seller.post(url.format("KG-SMART-PLUG"), json={"reason": "Other"}).status_code == 409
    bad = seller.post("api/orders/ESG-20040/lines/KG-WEBCAM-HD/cancel", json={"reason": "Nah"})
    assert bad.status_code == 400
    assert len(events(seller, "cancel")) == 1


# --- fault knobs ------------------------------------------------------------------------------


def faults(client: httpx.Client, **knobs: Any) -> httpx.Response:
    return client.post("__mock__/faults", json=knobs)


def test_faults_endpoint(kogan: httpx.Client) -> None:
    assert faults(kogan, latency_ms=10, maintenance=True).json() == {
        "latency_ms": 10.0, "maintenance": True}  # fmt: skip
    assert kogan.get("__mock__/faults").json() == {"latency_ms": 10.0, "maintenance": True}
    unknown = faults(kogan, latency=5)
    assert unknown.status_code == 400 and "latency" in unknown.json()["error"]
    assert faults(kogan, error_rate=2).status_code == 400
    assert faults(kogan).json() == {}
    faults(kogan, session_ttl_s=30)
    kogan.post("__mock__/reset").raise_for_status()
    assert state(kogan)["faults"] == {}


def test_maintenance(seller: httpx.Client) -> None:
    faults(seller, maintenance=True)
    for path in ("login", "", "orders", "orders/table"):
        page = seller.get(path)
        assert page.status_code == 503 and "<h1>Down for maintenance</h1>" in page.text
    api = refund(seller, "ESG-10012", "KG-BT-SPK")
    assert api.status_code == 503 and "error" in api.json()
    assert seller.get("static/orders.js").status_code == 200
    assert line_status(seller, "ESG-10012", "KG-BT-SPK") == "Dispatched"


def test_error_rate_fails_without_changing_anything(seller: httpx.Client) -> None:
    faults(seller, error_rate=1.0)
    page = seller.get("orders")
    assert page.status_code == 500 and "<h1>Something went wrong</h1>" in page.text
    api = refund(seller, "ESG-10012", "KG-BT-SPK")
    assert api.status_code == 500
    assert api.json() == {"error": "Something went wrong. Please try again."}
    assert login(seller).status_code == 500
    assert line_status(seller, "ESG-10012", "KG-BT-SPK") == "Dispatched"
    assert events(seller, "refund") == [] and len(events(seller, "login")) == 1


def test_error_rate_is_replayable_with_a_seed(seller: httpx.Client) -> None:
    def run() -> list[int]:
        faults(seller, error_rate=0.5, seed=42)
        return [seller.get("orders").status_code for _ in range(20)]

    first = run()
    assert set(first) == {200, 500} and run() == first


def test_commit_then_error(seller: httpx.Client) -> None:
    faults(seller, commit_then_error=1)
    assert login(seller, "ops@example.com", "ops-demo").status_code == 303  # not counted
    response = refund(seller, "ESG-10012", "KG-BT-SPK")
    assert response.status_code == 502
    assert line_status(seller, "ESG-10012", "KG-BT-SPK") == "Refunded"
    assert len(events(seller, "refund")) == 1
    assert state(seller)["faults"] == {}
    assert refund(seller, "ESG-10012", "KG-BT-SPK").status_code == 409
    assert refund(seller, "ESG-100123", "KG-USB-C-CBL").status_code == 200


def test_session_ttl_expires_idle_sessions(seller: httpx.Client) -> None:
    # The session is touched just before the knob is set, and the idle times are far
    # from the TTL either way, so a busy machine does not change the answers.
    assert seller.get("orders").status_code == 200
    faults(seller, session_ttl_s=1.0)
    time.sleep(1.3)
    assert seller.get("orders/table").status_code == 401
    page = seller.get("orders?days=30")
    assert page.status_code == 303 and "/kogan/login?next=" in page.headers["location"]
    faults(seller)
    assert login(seller).status_code == 303
    faults(seller, session_ttl_s=1.0)
    assert refund(seller, "ESG-10012", "KG-BT-SPK").status_code == 200
    time.sleep(1.3)
    assert refund(seller, "ESG-100123", "KG-USB-C-CBL").status_code == 401


def test_latency_and_slow_list(seller: httpx.Client) -> None:
    def timed(path: str) -> float:
        start = time.perf_counter()
        assert seller.get(path).status_code == 200
        return time.perf_counter() - start

    faults(seller, slow_list_ms=300)
    assert timed("orders/table") >= 0.3
    assert timed("orders") < 0.25
    faults(seller, latency_ms=200)
    assert 0.2 <= timed("orders") < 0.6
    assert timed("static/orders.js") < 0.15
    assert timed("__mock__/state") < 0.15


def test_cookie_banner_only_without_consent(seller: httpx.Client) -> None:
    marker = 'aria-labelledby="mock-cookie-title"'
    assert marker not in seller.get("orders").text
    faults(seller, cookie_banner=True)
    for path in ("", "orders", "login"):
        page = seller.get(path).text
        assert marker in page and "Cookie consent" in page and ">Accept</button>" in page
    seller.cookies.set("kogan_consent", "1")
    assert marker not in seller.get("orders").text


# --- markup b -----------------------------------------------------------------------------


def test_markup_b_has_other_markup_and_the_same_words(kogan: httpx.Client) -> None:
    pages: dict[str, dict[str, str]] = {}
    for markup in ("a", "b"):
        kogan.post("__mock__/reset", json={"markup": markup}).raise_for_status()
        kogan.cookies.clear()
        pages[markup] = {"login": kogan.get("login").text}
        login(kogan)
        pages[markup].update(
            dashboard=kogan.get("").text,
            orders=kogan.get("orders").text,
            table=table(kogan, days=30, q="ESG-10012"),
            empty=table(kogan, days=30, q="zzz"),
            order=kogan.get("orders/ESG-20020").text,
        )
    a, b = pages["a"], pages["b"]
    assert state(kogan)["markup"] == "b"
    for name in a:
        assert a[name] != b[name]
    assert "<dialog" in a["orders"] and "<dialog" not in b["orders"]
    assert 'role="dialog" aria-modal="true"' in b["orders"]
    assert '<ul role="menu"' in a["table"] and '<div role="menu"' in b["table"]
    assert "<code" in a["table"] and "<small>KG-" in b["table"]
    assert '<label for="orders-days">' in a["orders"] and "<label" not in b["orders"]
    expected = {
        "login": ["Sign in", "Email", "Password", "Log in"],
        "dashboard": ["Dashboard", "Manage my orders", "Log out"],
        "orders": ["Manage my orders", "Show orders from", "Last 7 days", "Last 30 days",
                   "Last 90 days", "Search", "Refund item", "Cancel item", "Reason",
                   "Confirm refund", "Confirm cancellation", "Quantity:", "Refund amount:",
                   "Faulty Item", "Buyer Canceled"],
        "table": ['4 items · last 30 days · matching "ESG-10012"', "Order", "Date", "Customer",
                  "Item", "Qty", "Total", "Status", "Bluetooth Speaker", "KG-BT-SPK", "$89.95",
                  "12/05/2026", "Dispatched", "View order", "Refund item",
                  "Cancel item", "Previous page", "Page 1 of 1", "Next page"],
        "empty": ["No orders found.", "0 items · last 30 days"],
        "order": ["Order ESG-20020", "Charlotte Nguyen", "charlotte.nguyen@example.com",
                  "10/05/2026", "HDMI Cable 2m", "USB-C Hub 7-in-1", "Order history"],
    }  # fmt: skip
    for name, phrases in expected.items():
        for markup in ("a", "b"):
            words = text(pages[markup][name])
            for phrase in phrases:
                assert phrase in words, (markup, name, phrase)
    assert 'aria-label="Order settings"' in a["table"]
    assert "<span data-sr>Order settings</span>" in b["table"]
    for markup in ("a", "b"):
        assert sorted(references(pages[markup]["table"])) == [
            "ESG-10012", "ESG-100123", "ESG-1001234", "ESG-10012345"]  # fmt: skip


def test_drift_renames_visible_words_in_pages_and_answers(seller: httpx.Client) -> None:
    assert faults(seller, drift={"Manage my orders": "My orders", "Dispatched": "Sent"}).is_success
    page = seller.get("orders").text
    table = seller.get("orders/table", params={"days": 30, "q": "ESG-10012"}).text
    assert "My orders" in page and "Manage my orders" not in page
    assert "Sent" in table and "Dispatched" not in table
    faults(seller)
    assert "Manage my orders" in seller.get("orders").text
    assert faults(seller, drift={"": "x"}).status_code == 400


def test_the_clock_is_fixed_in_full_at_reset_whatever_the_hour(kogan: httpx.Client) -> None:
    """Noon of "today", one second on per reading: never the machine's time of day."""
    kogan.post("__mock__/reset", json={"today": "2026-03-01"}).raise_for_status()
    login(kogan)
    login(kogan, password="wrong")
    times = [event["time"] for event in state(kogan)["events"]]
    assert times == ["2026-03-01T12:00:01.000", "2026-03-01T12:00:02.000"]
