"""The Mirakl-style back office mock over plain HTTP: seed, logins, rules, events, faults.

The server's contract is checked here, fast and without a browser; each test starts from
a fresh reset. The browser side is covered by tests/test_mirakl.py.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

DEMO = {"email": "shop@example.com", "password": "mirakl-demo"}
SKIP = re.compile(r"(?s)<(script|style|template)\b.*?</\1>")


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    """A client on `/mirakl/` after a reset (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/mirakl/", timeout=10) as mirakl:
        mirakl.post("__mock__/reset").raise_for_status()
        yield mirakl
        mirakl.post("__mock__/reset").raise_for_status()


def login(client: httpx.Client, password: str = DEMO["password"]) -> httpx.Response:
    return client.post("login", data={**DEMO, "password": password, "next": ""})


@pytest.fixture
def shop(client: httpx.Client) -> httpx.Client:
    assert login(client).status_code == 303
    return client


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def order(client: httpx.Client, order_id: str) -> dict[str, Any]:
    return next(o for o in state(client)["orders"] if o["order_id"] == order_id)


def thread(client: httpx.Client, thread_id: str) -> dict[str, Any]:
    return next(t for t in state(client)["threads"] if t["thread_id"] == thread_id)


def events(client: httpx.Client, kind: str) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if e["type"] == kind]


def text(html: str) -> str:
    """The visible words of a page, tags and scripts aside."""
    return " ".join(re.sub(r"<[^>]+>", " ", SKIP.sub("", html)).split())


def alerts(html: str) -> list[str]:
    return re.findall(r'role="alert"[^>]*>\s*([^<]+?)\s*<', html)


def refund(client: httpx.Client, order_id: str, **form: str) -> httpx.Response:
    body = {"mode": "partial", "reason": "Item returned", **form}
    return client.post(f"orders/{order_id}/refund", data=body)


def follow(client: httpx.Client, response: httpx.Response) -> httpx.Response:
    return client.get(response.url.join(response.headers["location"]))


# --- seed, reset, state ----------------------------------------------------------------


def test_seed_has_every_state_and_the_documented_scenarios(client: httpx.Client) -> None:
    body = state(client)
    orders = {o["order_id"]: o for o in body["orders"]}
    assert body["today"] == "2026-05-15" and body["events"] == [] and body["notifications"] == []
    assert len(orders) >= 40
    assert {o["state"] for o in orders.values()} == {
        "SHIPPING", "SHIPPED", "RECEIVED", "CLOSED", "REFUNDED"}  # fmt: skip
    assert all(re.fullmatch(r"\d{10}-[AB]", order_id) for order_id in orders)
    first = orders["8817455903-A"]
    assert (first["total_paid"], first["refunded"], first["shipped"][:10]) == (
        88.29, 0.0, "2026-05-03")  # fmt: skip
    assert [(line["sku"], line["quantity"]) for line in first["lines"]] == [
        ("LMP-DESK-01", 2), ("BLB-E27-4", 1)]  # fmt: skip
    old = [o for o in orders.values() if o["shipped"] and o["shipped"] < "2025-10-27"]
    assert len(old) >= 2  # shipped more than 200 days before "today"
    open_incidents = [i for o in orders.values() for i in o["incidents"] if i["status"] == "Open"]
    assert len(open_incidents) >= 3
    assert orders["8817455906-B"]["refunded"] == 27.0
    assert orders["8817455907-A"]["state"] == "REFUNDED"
    statuses = {t["thread_id"]: t["status"] for t in body["threads"]}
    assert statuses["TH-10001"] == "Unread" and statuses["TH-10002"] == "Awaiting reply"
    assert statuses["TH-10005"] == "Answered"


def test_thread_ages_are_relative_to_the_reset(client: httpx.Client) -> None:
    body = state(client)
    last = {
        t["thread_id"]: dt.datetime.fromisoformat(t["messages"][-1]["at"]) for t in body["threads"]
    }
    newest = max(last.values())  # TH-10004's, 5 hours before the reset
    hours = {tid: round((newest - at).total_seconds() / 3600) + 5 for tid, at in last.items()}
    assert hours["TH-10001"] == 50 and hours["TH-10003"] == 30 and hours["TH-10010"] == 150


def test_reset_seed_and_today(client: httpx.Client) -> None:
    default = {o["order_id"] for o in state(client)["orders"]}
    client.post("__mock__/reset", json={"seed": 3, "today": "2026-01-10"}).raise_for_status()
    body = state(client)
    assert body["today"] == "2026-01-10"
    assert order(client, "8817455903-A")["shipped"][:10] == "2025-12-29"
    assert {o["order_id"] for o in body["orders"]} != default
    assert client.post("__mock__/reset", json={"bulk": 1}).status_code == 400


# --- logins and pages --------------------------------------------------------------------


def test_login_wrong_password_and_lock(client: httpx.Client) -> None:
    wrong = login(client, "nope")
    assert wrong.status_code == 200 and alerts(wrong.text) == ["Incorrect email or password."]
    for _ in range(4):
        last = login(client, "nope")
    assert "locked" in alerts(last.text)[0]
    assert login(client).status_code == 200  # locked: even the right password fails
    assert len(events(client, "login_failed")) == 6 and events(client, "login") == []


def test_pages_need_a_session(client: httpx.Client) -> None:
    page = client.get("orders/8817455903-A")
    assert page.status_code == 303 and "login?next=/mirakl/orders/8817455903-A" in page.headers[
        "location"]  # fmt: skip
    posted = refund(client, "8817455903-A", mode="full")
    assert posted.status_code == 303 and "next=/mirakl/orders/8817455903-A" in posted.headers[
        "location"]  # fmt: skip
    assert client.get("messages/table").status_code == 401
    assert events(client, "refund") == []


def test_order_page_shows_the_spec_words(shop: httpx.Client) -> None:
    page = text(shop.get("orders/8817455903-A").text)
    for words in ("Order 8817455903-A", "State SHIPPED", "Shipped 03/05/2026 10:15",
                  "Shipping price €5.99", "Total paid €88.29", "Already refunded €0.00",
                  "Unread Messages (1)", "Start a conversation", "Product SKU Quantity Price "
                  "Line state", "Desk lamp Nordlys LMP-DESK-01 2 €34.90 SHIPPED", "Full refund",
                  "Partial refund", "Quantity to refund", "Amount", "Shipping amount", "Reason",
                  "Cancelled by the client prior to shipping", "Agreement found with the vendor",
                  "Recipient", "Customer and operator", "Topic", "Attach a file", "Send",
                  "Portal time: 15/05/2026"):  # fmt: skip
        assert words in page, words
    incident = text(shop.get("orders/8817455912-A").text)
    assert "Incident open: Item not received Mark as solved" in incident
    assert "Message to operator" in incident and "Confirm" in incident
    assert "Messages" in text(shop.get("orders/8817455915-A").text)
    assert shop.get("orders/8817455999-A").status_code == 404


# --- refunds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_id", "form", "status", "alert"),
    [
        ("8817455903-A", {"quantity-LMP-DESK-01": "3"}, 409,
         "The quantity exceeds the units that remain to be refunded."),
        ("8817455903-A", {"amount-BLB-E27-4": "12.51"}, 409,
         "The amount exceeds what can be refunded."),
        ("8817455903-A", {"shipping": "6.00"}, 409, "The amount exceeds what can be refunded."),
        ("8817455906-B", {"quantity-VAS-GLASS-L": "2"}, 409,
         "The quantity exceeds the units that remain to be refunded."),
        ("8817455907-A", {"mode": "full"}, 409, "The amount exceeds what can be refunded."),
        ("8817455903-A", {"shipping": "1", "reason": ""}, 400, "Choose a reason for the refund."),
        ("8817455909-A", {"mode": "full"}, 409,
         "Refunds are possible up to 200 days after shipment."),
        ("8817455908-A", {"mode": "full"}, 409, "A closed order cannot be refunded."),
        ("8817455903-A", {"mode": ""}, 400, "Choose a full or a partial refund."),
        ("8817455903-A", {}, 400, "Enter a quantity or an amount to refund."),
        ("8817455903-A", {"shipping": "abc"}, 400, "Enter amounts like 12.50."),
    ],
)  # fmt: skip
def test_refund_rules_answer_with_the_alert_and_change_nothing(
    shop: httpx.Client, order_id: str, form: dict[str, str], status: int, alert: str
) -> None:
    before = order(shop, order_id)
    answer = refund(shop, order_id, **form)
    assert (answer.status_code, alerts(answer.text)) == (status, [alert])
    assert "data-open-on-load" in answer.text  # the dialog opens again, with its alert
    assert order(shop, order_id) == before
    assert events(shop, "refund") == [] and state(shop)["notifications"] == []


def test_full_refund_notifies_the_customer(shop: httpx.Client) -> None:
    answer = refund(shop, "8817455903-A", mode="full")
    assert answer.status_code == 303
    assert "Refund of €88.29 requested." in text(follow(shop, answer).text)
    [event] = events(shop, "refund")
    assert (event["order_id"], event["amount"], event["shipping"], event["full"]) == (
        "8817455903-A", 88.29, 5.99, True)  # fmt: skip
    assert event["notified"] == "Emma Laurent" and event["account"] == DEMO["email"]
    [note] = state(shop)["notifications"]
    assert note["customer"] == "Emma Laurent" and "€88.29" in note["text"]
    refunded = order(shop, "8817455903-A")
    assert refunded["state"] == "REFUNDED" and refunded["refunded"] == 88.29
    assert {line["state"] for line in refunded["lines"]} == {"REFUNDED"}
    again = refund(shop, "8817455903-A", mode="full")
    assert alerts(again.text) == ["The amount exceeds what can be refunded."]


def test_partial_refunds_by_units_amount_and_shipping(shop: httpx.Client) -> None:
    assert refund(shop, "8817455904-A", **{"quantity-MUG-STONE-2": "2"}).status_code == 303
    by_amount = {"amount-THR-WOOL-GR": "15.00", "shipping": "6.50"}
    assert refund(shop, "8817455905-A", **by_amount).status_code == 303
    [units, amount] = events(shop, "refund")
    assert units["lines"] == [{"sku": "MUG-STONE-2", "quantity": 2, "amount": 39.98}]
    assert (amount["amount"], amount["shipping"]) == (21.5, 6.5)
    mugs = order(shop, "8817455904-A")
    assert (mugs["refunded"], mugs["state"], mugs["lines"][0]["state"]) == (
        39.98,
        "SHIPPED",
        "SHIPPED",
    )
    more = refund(shop, "8817455904-A", **{"quantity-MUG-STONE-2": "2"})
    assert alerts(more.text) == ["The quantity exceeds the units that remain to be refunded."]
    assert refund(shop, "8817455904-A", **{"quantity-MUG-STONE-2": "1"}).status_code == 303
    assert order(shop, "8817455904-A")["lines"][0]["state"] == "REFUNDED"


def test_the_window_last_day_and_an_unshipped_order_can_be_refunded(shop: httpx.Client) -> None:
    assert refund(shop, "8817455910-A", mode="full").status_code == 303  # shipped 200 days ago
    assert refund(shop, "8817455911-A", mode="full", reason="Out of stock").status_code == 303
    assert [e["order_id"] for e in events(shop, "refund")] == ["8817455910-A", "8817455911-A"]


def test_a_form_sent_twice_refunds_once(shop: httpx.Client) -> None:
    page = shop.get("orders/8817455904-A").text
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    form = {"quantity-MUG-STONE-2": "1", "token": token}
    first, second = refund(shop, "8817455904-A", **form), refund(shop, "8817455904-A", **form)
    assert first.headers["location"] == second.headers["location"]
    assert len(events(shop, "refund")) == 1


def test_commit_then_error_commits_then_answers_502(shop: httpx.Client) -> None:
    shop.post("__mock__/faults", json={"commit_then_error": 1}).raise_for_status()
    answer = refund(shop, "8817455904-A", **{"quantity-MUG-STONE-2": "1"})
    assert answer.status_code == 502 and "Something went wrong" in answer.text
    assert len(events(shop, "refund")) == 1
    assert refund(shop, "8817455904-A", **{"quantity-MUG-STONE-2": "1"}).status_code == 303
    assert state(shop)["faults"] == {}


# --- incidents and messages ------------------------------------------------------------------


def test_mark_as_solved(shop: httpx.Client) -> None:
    empty = shop.post("orders/8817455912-A/solve", data={"message": " "})
    assert alerts(empty.text) == ["Enter a message to the operator."]
    done = shop.post("orders/8817455912-A/solve", data={"message": "Re-shipped."})
    assert "Incident marked as solved." in text(follow(shop, done).text)
    [event] = events(shop, "incident_solved")
    assert (event["order_id"], event["reason"], event["message"]) == (
        "8817455912-A", "Item not received", "Re-shipped.")  # fmt: skip
    page = text(shop.get("incidents").text)
    assert (
        "8817455912-A Item not received 13/05/2026 09:00 Customer Solved – awaiting operator"
        in page
    )
    again = shop.post("orders/8817455912-A/solve", data={"message": "Again"})
    assert again.status_code == 409 and len(events(shop, "incident_solved")) == 1


def test_opening_a_thread_reads_it_and_a_reply_answers_it(shop: httpx.Client) -> None:
    page = text(shop.get("messages/TH-10001").text)
    assert "Emma Laurent (Customer) · 13/05/2026" in page and "Reply Attach a file Send" in page
    assert thread(shop, "TH-10001")["status"] == "Awaiting reply"
    assert alerts(shop.post("messages/TH-10001", data={"text": ""}).text) == ["Enter a message."]
    files = {"files": ("invoice.pdf", b"%PDF-1.4 test", "application/pdf")}
    sent = shop.post("messages/TH-10001", data={"text": "On its way!"}, files=files)
    assert "Message sent." in text(follow(shop, sent).text)
    answered = thread(shop, "TH-10001")
    assert answered["status"] == "Answered"
    assert answered["messages"][-1]["attachments"] == [
        {"name": "invoice.pdf", "content_type": "application/pdf", "size": 13}]  # fmt: skip
    [event] = events(shop, "message")
    assert (event["thread_id"], event["attachments"], event["new_thread"]) == (
        "TH-10001", ["invoice.pdf"], False)  # fmt: skip
    link = re.search(r'href="(/mirakl/messages/TH-10001/files/[^"]+)"', follow(shop, sent).text)
    assert link is not None
    assert shop.get(sent.url.join(link.group(1))).content == b"%PDF-1.4 test"


def test_start_a_conversation(shop: httpx.Client) -> None:
    form = {"recipient": "Customer and operator", "topic": "Invoice", "message": "Attached."}
    bad = shop.post("orders/8817455915-A/conversation", data={**form, "recipient": "Shop"})
    assert alerts(bad.text) == ["Choose a recipient."]
    sent = shop.post("orders/8817455915-A/conversation", data=form)
    assert "Message sent." in text(follow(shop, sent).text)
    [event] = events(shop, "message")
    new = thread(shop, event["thread_id"])
    assert (new["order_id"], new["subject"], new["recipients"], new["status"]) == (
        "8817455915-A", "Invoice", "Customer and operator", "Answered")  # fmt: skip
    assert event["new_thread"] is True


def test_messages_filters(shop: httpx.Client) -> None:
    def subjects(**params: str) -> list[str]:
        return re.findall(r'href="/mirakl/messages/TH-\d+">([^<]+)<', shop.get(
            "messages/table", params=params).text)  # fmt: skip

    assert subjects(order="8817455903-A") == ["Where is my parcel?", "Delivery"]
    zoe = subjects(customer="zoë")  # any case
    assert "Damaged mirror" in zoe and "Where is my parcel?" not in zoe
    assert subjects(subject="INVOICE") == ["Invoice request"]
    assert "Return label" in subjects(to="2026-05-08") and "Parcel not arrived" not in subjects(
        to="2026-05-08")  # fmt: skip
    assert "Parcel not arrived" in subjects(**{"from": "15/05/2026"})
    assert "No messages found." in shop.get("messages/table", params={"order": "nope"}).text


# --- faults ----------------------------------------------------------------------------------


def test_maintenance_error_rate_and_unknown_knobs(shop: httpx.Client) -> None:
    shop.post("__mock__/faults", json={"maintenance": True}).raise_for_status()
    down = shop.get("orders/8817455903-A")
    assert down.status_code == 503 and "Under maintenance" in down.text
    shop.post("__mock__/faults", json={"error_rate": 1}).raise_for_status()
    failed = refund(shop, "8817455903-A", mode="full")
    assert failed.status_code == 500 and "Something went wrong" in failed.text
    assert events(shop, "refund") == []
    assert shop.post("__mock__/faults", json={"typo": 1}).status_code == 400


def test_session_ttl_cookie_banner_and_slow_list(shop: httpx.Client) -> None:
    shop.post(
        "__mock__/faults", json={"cookie_banner": True, "slow_list_ms": 300}
    ).raise_for_status()
    assert "Cookie consent" in shop.get("orders").text
    started = time.monotonic()
    assert shop.get("messages/table").status_code == 200
    assert time.monotonic() - started >= 0.3
    shop.post("__mock__/faults", json={"session_ttl_s": 0.2}).raise_for_status()
    time.sleep(0.4)
    assert shop.get("orders/8817455903-A").status_code == 303


# --- markup b and the unreadable-after-a-change option ---------------------------------------


def test_markup_b_keeps_the_words_and_changes_everything_else(client: httpx.Client) -> None:
    assert client.post("__mock__/reset", json={"markup": "c"}).status_code == 400
    client.post("__mock__/reset", json={"markup": "b"}).raise_for_status()
    assert state(client)["markup"] == "b"
    assert login(client).status_code == 303

    first, second = (client.get("orders/8817455912-A").text for _ in range(2))
    ids = [set(re.findall(r'\bid="([^"]+)"', html)) for html in (first, second)]
    assert ids[0] and not ids[0] & ids[1]  # ids change on every load
    assert "<dialog" not in SKIP.sub("", first)  # dialogs are made when opened
    assert 'role="grid"' in first and "<table" not in first
    for words in ("Order</span> <span>8817455912-A", "Incident open:</strong> <em>Item not "
                  "received", "Already refunded:</span>", "Mark as solved", "Quantity to refund",
                  "Message to operator", 'role="radiogroup"'):  # fmt: skip
        assert words in first, words
    table = client.get("messages/table").text
    assert 'role="table"' in table and 'role="columnheader">Subject<' in table


def test_blind_after_change_hides_what_changed_and_only_that(client: httpx.Client) -> None:
    client.post("__mock__/reset", json={"blind_after_change": True}).raise_for_status()
    assert login(client).status_code == 303
    assert "Already refunded" in text(client.get("orders/8817455904-A").text)

    sent = client.post("messages/TH-10002", data={"text": "On its way."})
    assert "Message sent." in text(follow(client, sent).text)
    thread_page = text(client.get("messages/TH-10002").text)
    assert "Something went wrong" in thread_page and "On its way." not in thread_page
    assert "Already refunded" not in text(client.get("orders/8817455904-A").text)
    assert [m["text"] for m in thread(client, "TH-10002")["messages"]][-1] == "On its way."
    assert len(events(client, "message")) == 1
    client.post("__mock__/reset").raise_for_status()
    assert login(client).status_code == 303
    assert "Already refunded" in text(client.get("orders/8817455904-A").text)
