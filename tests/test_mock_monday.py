"""The monday board mock over plain HTTP: seed, logins, the board, edits, search, faults.

The server's contract per shared/portals/monday-board.md, each test from a fresh reset, on
both markups where the words matter; the browser side is tests/test_monday_pages.py.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

from fixtures._scenarios import scenario_board

DEMO = {"email": "ops@example.com", "password": "monday-demo"}
BOARD = "boards/4120000001"
HEADERS = "Item Status ESG number Customer email Amount Date Notes"


@pytest.fixture(params=["a", "b"])
def markup(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def monday(base_url: str, markup: str) -> Iterator[httpx.Client]:
    """A client on `/monday/` after a reset in `markup` (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/monday/", timeout=10) as client:
        client.post("__mock__/reset", json={"markup": markup}).raise_for_status()
        yield client
        client.post("__mock__/reset")


def login(client: httpx.Client, password: str = DEMO["password"]) -> httpx.Response:
    return client.post("login", data={"email": DEMO["email"], "password": password})


@pytest.fixture
def ops(monday: httpx.Client) -> httpx.Client:
    assert login(monday).status_code == 303
    return monday


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def items(client: httpx.Client, name: str | None = None) -> list[dict[str, Any]]:
    return [i for i in state(client)["items"] if name is None or i["name"] == name]


def events(client: httpx.Client, type_: str) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if e["type"] == type_]


def text(html: str) -> str:
    """What shows on the page: tags, scripts and templates (collapsed rows) aside."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def names(html: str) -> list[str]:
    """The buttons' accessible names: aria-label, else their words (both markups)."""
    found = []
    for attrs, content in re.findall(r"<button\b([^>]*)>(.*?)</button>", html, flags=re.S):
        label = re.search(r'aria-label="([^"]*)"', attrs)
        content = re.sub(r'<(\w+)[^>]*aria-hidden="true"[^>]*>.*?</\1>', "", content)
        found.append(unescape(label.group(1)) if label else text(content))
    return found


def groups(client: httpx.Client, query: str = "") -> str:
    answer = client.get(f"{BOARD}/groups", params={"q": query} if query else None)
    assert answer.status_code == 200
    return answer.text


def cell(client: httpx.Client, item: int, column: str, value: str) -> httpx.Response:
    return client.post(f"{BOARD}/items/{item}/cells", json={"column": column, "value": value})


def add(client: httpx.Client, group: str, name: str) -> httpx.Response:
    return client.post(f"{BOARD}/items", json={"group": group, "name": name})


def test_seed_holds_the_scenarios_the_traps_and_every_kind_of_cell(monday: httpx.Client) -> None:
    seeded = state(monday)
    assert seeded["groups"] == ["This week", "Earlier", "Done"]
    board = seeded["items"]
    assert len(board) >= 40
    for shared in scenario_board():
        assert any(
            (i["name"], i["group"], i["status"], i["esg"], i["email"])
            == (shared.name, shared.group, shared.status, shared.esg, shared.email)
            for i in board
        ), shared
    assert Counter(i["name"] for i in board)["#1057"] == 2
    assert not items(monday, "#1042") and not items(monday, "#1001")
    [k5] = items(monday, "1045")
    assert k5["esg"] is None and k5["group"] == "Earlier"
    [k4] = items(monday, "#1044")
    assert (k4["group"], k4["status"]) == ("Done", "Done")
    assert items(monday, "#1020 partial")
    assert {i["status"] for i in board} == {"Working on it", "Stuck", "Done", None}
    for key in ("esg", "email", "amount", "date", "notes"):
        assert any(i[key] is None for i in board), key
    emails = [i["email"] for i in board if i["email"]]
    assert any(e != e.lower() for e in emails)
    notes = " ".join(i["notes"] or "" for i in board)
    assert re.search(r"[éèàâñçü]", notes) and re.search(r"[\u0400-\u04ff\u4e00-\u9fff]", notes)
    assert {i["group"] for i in board} == {"This week", "Earlier", "Done"}


def test_login_in_two_steps_refuses_then_locks(monday: httpx.Client) -> None:
    assert monday.get(BOARD).headers["location"].endswith("login?next=/monday/boards/4120000001")
    first = monday.get("login").text
    assert "Log in to your account" in text(first) and "Email" in text(first)
    assert "Next" in first and "Password" not in text(first)
    second = monday.post("login", data={"email": DEMO["email"]})
    assert "Password" in text(second.text) and "Log in" in second.text
    refused = text(login(monday, "wrong").text)
    assert "Incorrect email or password" in refused
    for _ in range(4):
        login(monday, "wrong")
    assert "locked" in text(login(monday).text)  # even the right password, once locked
    assert [e["type"] for e in state(monday)["events"]] == ["login_failed"] * 6


def test_login_lands_on_the_board(monday: httpx.Client) -> None:
    answer = login(monday)
    assert answer.headers["location"] == f"/monday/{BOARD}"
    page = text(monday.get(BOARD).text)
    assert "Refunds" in page and "New item" in page
    assert re.search(r'aria-label="Search"|>Search</', monday.get(BOARD).text)
    assert events(monday, "login")[0]["account"] == DEMO["email"]
    assert monday.get("boards/4120000099").status_code == 404


def test_board_groups_tables_cells_and_collapsed_done(ops: httpx.Client) -> None:
    html = groups(ops)
    shown = text(html)
    for group in ("This week", "Earlier", "Done"):
        assert group in shown
    assert shown.count(HEADERS.split()[0]) >= 2
    assert all(header in shown for header in HEADERS.split())
    assert re.search(r'role="(region|table)"|<section|<table', html)
    button_names = names(html)
    assert button_names.count("Collapse group") == 2 and button_names.count("Expand group") == 1
    assert html.count('aria-expanded="false"') == 1
    assert "Status: Working on it" in button_names and "ESG number: empty" in button_names
    assert "Amount: $39.00" in button_names and "Customer email: ava.t@example.com" in button_names
    assert re.search(r"Date: [A-Z][a-z]{2} \d{1,2}, \d{4}", " ".join(button_names))
    assert 'href="mailto:ava.t@example.com"' in html
    assert "+ Add item" in html
    assert "#10010" in shown and "#1044" not in shown  # "Done" is collapsed: no rows
    assert "#1044" in html  # ...kept for "Expand group", off the page
    [item] = items(ops, "#10010")
    assert f'href="/monday/{BOARD}/pulses/{item["id"]}"' in html


def test_search_matches_names_and_cells_ignoring_case(ops: httpx.Client) -> None:
    found = text(groups(ops, "#1001"))
    assert "2 results" in found and "#10010" in found and "#1029" in found
    assert "Same customer as #1001?" in found
    email = text(groups(ops, "ANN@example.COM"))
    assert "1 result" in email and "1045" in email
    done = groups(ops, "ESG-20486610")
    assert "#1044" in text(done)  # the collapsed group opens to show its result
    assert done.count('aria-expanded="false"') == 0
    assert "No results found" in text(groups(ops, "nothing-like-this"))
    assert "2 results" in text(groups(ops, "#1057"))
    assert [(e["text"], e["results"]) for e in events(ops, "search")][:4] == [
        ("#1001", 2),
        ("ANN@example.COM", 1),
        ("ESG-20486610", 1),
        ("nothing-like-this", 0),
    ]


def test_add_item_goes_to_the_bottom_of_its_group_duplicates_accepted(ops: httpx.Client) -> None:
    answer = add(ops, "This week", "#1042")
    assert answer.status_code == 201 and "#1042" in text(answer.json()["html"])
    this_week = [i for i in items(ops) if i["group"] == "This week"]
    assert this_week[-1]["name"] == "#1042"
    assert all(this_week[-1][k] is None for k in ("status", "esg", "email", "amount", "date"))
    assert add(ops, "Earlier", "#1057").status_code == 201  # a third "#1057", silently
    assert len(items(ops, "#1057")) == 3
    assert add(ops, "This week", "   ").status_code == 422
    created = events(ops, "item_created")
    assert [(e["group"], e["name"], e["via"]) for e in created] == [
        ("This week", "#1042", "+ Add item"),
        ("Earlier", "#1057", "+ Add item"),
    ]


def test_new_item_is_created_at_once_at_the_top_then_renamed(ops: httpx.Client) -> None:
    answer = ops.post(f"{BOARD}/items", json={"new": True})
    assert answer.status_code == 201
    item = answer.json()["id"]
    assert items(ops)[0]["name"] == "New item" and items(ops)[0]["id"] == item
    renamed = ops.post(f"{BOARD}/items/{item}/name", json={"name": "#1043"})
    assert renamed.status_code == 200 and "#1043" in text(renamed.json()["html"])
    assert items(ops)[0]["name"] == "#1043"
    [created] = events(ops, "item_created")
    assert (created["group"], created["name"], created["via"]) == (
        "This week",
        "New item",
        "New item",
    )
    [event] = events(ops, "item_renamed")
    assert (event["old"], event["new"]) == ("New item", "#1043")


def test_cells_save_by_their_columns_rules(ops: httpx.Client) -> None:
    [item] = items(ops, "1045")
    saved = cell(ops, item["id"], "Amount", "39.90")
    assert saved.status_code == 200 and "Amount: $39.90" in names(saved.json()["html"])
    refused = cell(ops, item["id"], "Amount", "forty")
    assert refused.status_code == 422 and refused.json()["error"] == "Numbers only"
    assert cell(ops, item["id"], "Date", "12/03/2025").status_code == 422
    dated = cell(ops, item["id"], "Date", "2025-03-12")
    assert "Date: Mar 12, 2025" in names(dated.json()["html"])
    assert cell(ops, item["id"], "ESG number", "ESG-20487720").status_code == 200
    assert cell(ops, item["id"], "Status", "Done").status_code == 200
    cleared = cell(ops, item["id"], "Status", "Clear")
    assert "Status: empty" in names(cleared.json()["html"])
    email = cell(ops, item["id"], "Customer email", "ann@example.com").json()["html"]
    assert 'href="mailto:ann@example.com"' in email
    [after] = items(ops, "1045")
    assert (after["amount"], after["date"], after["esg"], after["status"]) == (
        "39.90",
        "2025-03-12",
        "ESG-20487720",
        None,
    )
    changes = [(e["column"], e["old"], e["new"]) for e in events(ops, "column_changed")]
    assert changes == [
        ("Amount", None, "39.90"),
        ("Date", "2026-05-12", "2025-03-12"),
        ("ESG number", None, "ESG-20487720"),
        ("Status", "Working on it", "Done"),
        ("Status", "Done", None),
        ("Customer email", "Ann@Example.com", "ann@example.com"),
    ]


def test_item_page_updates_and_activity_log_newest_first(ops: httpx.Client) -> None:
    [item] = items(ops, "#10010")
    cell(ops, item["id"], "Amount", "40")
    page_path = f"{BOARD}/pulses/{item['id']}"
    page = text(ops.get(page_path).text)
    assert "#10010" in page and "Updates" in page and "Activity Log" in page
    assert "Write an update..." in ops.get(page_path).text
    for words in ("First note.", "Refunded in Shopify, 1 of 1."):
        answer = ops.post(f"{page_path}/updates", data={"text": words})
        assert answer.status_code == 303
    page = text(ops.get(page_path).text)
    assert page.index("Refunded in Shopify") < page.index("First note.")
    assert "ops@example.com" in page
    activity = text(ops.get(page_path, params={"tab": "activity"}).text)
    assert "Amount" in activity and "39.00" in activity and "40" in activity
    assert activity.index("Amount") < activity.index("created in Earlier")
    assert [e["text"] for e in events(ops, "update_posted")] == [
        "First note.",
        "Refunded in Shopify, 1 of 1.",
    ]
    assert ops.post(f"{page_path}/updates", data={"text": " "}).status_code == 422


def test_error_rate_changes_nothing_and_commit_then_error_saves(ops: httpx.Client) -> None:
    [item] = items(ops, "#10010")
    ops.post("__mock__/faults", json={"error_rate": 1, "seed": 3})
    failed = cell(ops, item["id"], "Amount", "1")
    assert failed.status_code == 500 and "Something went wrong" in failed.text
    assert add(ops, "This week", "#1042").status_code == 500
    ops.post("__mock__/faults", json={"commit_then_error": 2})
    assert cell(ops, item["id"], "Amount", "2").status_code == 502
    assert add(ops, "This week", "#1042").status_code == 502
    assert cell(ops, item["id"], "Amount", "3").status_code == 200  # the knob is used up
    assert items(ops, "#10010")[0]["amount"] == "3"
    assert len(items(ops, "#1042")) == 1
    assert "1 result" in text(groups(ops, "#1042"))  # search again before trying again


def test_session_ttl_maintenance_latency_slow_list(ops: httpx.Client) -> None:
    ops.post("__mock__/faults", json={"session_ttl_s": 0.2})
    time.sleep(0.4)
    assert ops.get(f"{BOARD}/groups").status_code == 401
    assert ops.get(BOARD).headers["location"].startswith("/monday/login?next=")
    login(ops)
    ops.post("__mock__/faults", json={"maintenance": True})
    down = ops.get(BOARD)
    assert down.status_code == 503 and "Under maintenance" in text(down.text)
    assert ops.get("__mock__/state").status_code == 200  # the tests' window stays open
    ops.post("__mock__/faults", json={"slow_list_ms": 300, "latency_ms": 50})
    started = time.monotonic()
    groups(ops)
    assert time.monotonic() - started >= 0.35
    started = time.monotonic()
    ops.get(BOARD)
    assert 0.05 <= time.monotonic() - started < 0.3


def test_cookie_banner_and_drift(ops: httpx.Client) -> None:
    ops.post("__mock__/faults", json={"cookie_banner": True, "drift": {"Collapse group": "Fold"}})
    page = ops.get(BOARD).text
    assert 'role="dialog"' in page and "Accept" in page
    ops.cookies.set("monday_consent", "1")
    assert 'role="dialog"' not in ops.get(BOARD).text
    drifted = groups(ops)
    assert "Collapse group" not in drifted and "Fold" in names(drifted)
    assert ops.post("__mock__/faults", json={"nonsense": 1}).status_code == 400
