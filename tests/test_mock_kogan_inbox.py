"""The Kogan inbox mock over plain HTTP: seed, logins, views, search, the ticket page, the
submit rules, the redirects policy, customer replies, faults, both markups.

The server's contract per shared/portals/kogan-inbox.md, each test from a fresh reset;
the browser side is tests/test_kogan_inbox_pages.py.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

from fixtures._scenarios import MARKETPLACE, scenario_tickets
from fixtures.kogan_inbox.store import policy_findings

DEMO = {"email": "agent@example.com", "password": "inbox-demo"}
NOW = dt.datetime(2026, 5, 15, 12, 0)
STALE = "This ticket has been updated since you opened it. Review the changes and submit again."


@pytest.fixture
def inbox(base_url: str) -> Iterator[httpx.Client]:
    """A client on `/kogan-inbox/` after a reset (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/kogan-inbox/", timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield client
        client.post("__mock__/reset")


def login(client: httpx.Client, password: str = DEMO["password"], **extra: str) -> httpx.Response:
    return client.post("login", data={"email": DEMO["email"], "password": password, **extra})


@pytest.fixture
def agent(inbox: httpx.Client) -> httpx.Client:
    assert login(inbox).status_code == 303
    return inbox


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def ticket(client: httpx.Client, ticket_id: int) -> dict[str, Any]:
    return next(t for t in state(client)["tickets"] if t["id"] == ticket_id)


def events(client: httpx.Client, type_: str) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if e["type"] == type_]


def text(html: str) -> str:
    """The page's words, tags and scripts aside, whitespace squashed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def version(client: httpx.Client, ticket_id: int) -> str:
    page = client.get(f"agent/tickets/{ticket_id}").text
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, "the composer carries the ticket's version"
    return match.group(1)


def submit(
    client: httpx.Client,
    ticket_id: int,
    status: str,
    comment: str = "",
    visibility: str = "public",
    token: str | None = None,
) -> httpx.Response:
    form = {
        "comment": comment,
        "status": status,
        "visibility": visibility,
        "version": token or version(client, ticket_id),
    }
    return client.post(f"agent/tickets/{ticket_id}", data=form)


def listed_ids(html: str) -> list[int]:
    """The IDs of the table's rows, in order (`#5101` in a cell of its own)."""
    return [int(n) for n in re.findall(r">#(\d{4})</", html)]


# --- seed ---------------------------------------------------------------------------------


def test_seed_holds_every_status_five_closed_and_the_scenarios(inbox: httpx.Client) -> None:
    tickets = {t["id"]: t for t in state(inbox)["tickets"]}
    assert len(tickets) >= 40
    counts = Counter(t["status"] for t in tickets.values())
    assert set(counts) == {"New", "Open", "Pending", "On-hold", "Solved", "Closed"}
    assert counts["Closed"] == 5
    oldest = min(dt.datetime.fromisoformat(t["created"]) for t in tickets.values())
    assert NOW - dt.timedelta(days=60) <= oldest
    assert all(t["assignee"] for t in tickets.values() if t["status"] in ("Solved", "Closed"))
    for shared in scenario_tickets():
        seeded = tickets[shared.id]
        assert (seeded["subject"], seeded["status"], seeded["assignee"]) == (
            shared.subject,
            shared.status,
            shared.assignee,
        )
        assert seeded["requester"] == {"name": shared.requester, "email": shared.requester_email}
        assert [(c["author"], c["public"], c["text"]) for c in seeded["comments"]] == [
            (c.author, c.public, c.text) for c in shared.comments
        ]
        created = dt.datetime.fromisoformat(seeded["created"])
        assert created == NOW - dt.timedelta(days=shared.days_ago)  # ages from the fixed today


def test_seed_holds_the_traps_the_spec_lists(inbox: httpx.Client) -> None:
    tickets = {t["id"]: t for t in state(inbox)["tickets"]}
    assert "ESG-1001234" in tickets[5202]["subject"] and "ESG-10012345" in tickets[5203]["subject"]
    assert (tickets[5110]["status"], tickets[5208]["status"]) == ("Solved", "Open")
    assert tickets[5110]["created"] < tickets[5208]["created"]
    assert len(set(re.findall(r"ESG-\d+", tickets[5150]["comments"][0]["text"]))) == 2
    assert not any("ESG-" in t["subject"] + t["comments"][0]["text"] for t in [tickets[5151]])
    market = [t for t in tickets.values() if t["requester"]["email"] == MARKETPLACE[1]]
    assert len(market) >= 2
    emails = [re.search(r"Customer email: (\S+)", t["comments"][0]["text"]) for t in market]
    assert all(m and m.group(1) != m.group(1).lower() for m in emails)  # not the order's case
    assert "Customer email: Jane.Doe@Example.com" in tickets[5204]["comments"][0]["text"]
    names = {t["requester"]["name"] for t in tickets.values()}
    assert {"Zoë Ngọc", "王芳"} <= names
    [photo] = [c for t in tickets.values() for c in t["comments"] if c["attachments"]]
    assert photo["attachments"][0]["name"].endswith(".jpg")
    note = tickets[5154]
    public = " ".join(c["text"] for c in note["comments"] if c["public"])
    [internal] = [c["text"] for c in note["comments"] if not c["public"]]
    assert "ESG-20477730" in internal and "ESG-" not in public


def test_reset_seed_changes_the_filler_never_the_scenarios(inbox: httpx.Client) -> None:
    first = {t["id"]: t for t in state(inbox)["tickets"]}
    inbox.post("__mock__/reset", json={"seed": 7}).raise_for_status()
    other = {t["id"]: t for t in state(inbox)["tickets"]}
    for shared in scenario_tickets():
        assert first[shared.id] == other[shared.id]
    assert any(first[i] != other.get(i) for i in first if i < 5150)


# --- sign in ------------------------------------------------------------------------------


def test_sign_in_returns_to_the_page_asked_for(inbox: httpx.Client) -> None:
    asked = inbox.get("agent/tickets/5201")
    assert (
        asked.headers["location"] == "/kogan-inbox/login?return_to=/kogan-inbox/agent/tickets/5201"
    )
    page = text(inbox.get(asked.headers["location"].removeprefix("/kogan-inbox/")).text)
    assert "Sign in to Kogan Marketplace" in page and "Email" in page and "Password" in page
    answer = login(inbox, return_to="/kogan-inbox/agent/tickets/5201")
    assert answer.headers["location"] == "/kogan-inbox/agent/tickets/5201"
    assert inbox.get("").headers["location"] == "/kogan-inbox/agent/filters/your-unsolved"
    assert [e["type"] for e in state(inbox)["events"]] == ["login"]


def test_five_wrong_passwords_lock_until_reset(inbox: httpx.Client) -> None:
    assert "Invalid email or password." in text(login(inbox, "wrong").text)
    for _ in range(3):
        login(inbox, "wrong")
    assert "Too many failed attempts. Try again later." in text(login(inbox, "wrong").text)
    locked = login(inbox)
    assert locked.status_code == 200 and "Too many failed attempts" in locked.text
    assert [e["type"] for e in state(inbox)["events"]] == ["login_failed"] * 6
    inbox.post("__mock__/reset")
    assert login(inbox).status_code == 303


# --- views --------------------------------------------------------------------------------


def test_views_show_counts_headers_whole_status_words_and_pages(agent: httpx.Client) -> None:
    tickets = state(agent)["tickets"]
    unsolved = [t for t in tickets if t["status"] in ("New", "Open", "Pending", "On-hold")]
    mine = [t for t in unsolved if t["assignee"] == "Alex Agent"]
    unassigned = [t for t in unsolved if t["assignee"] is None]
    pending = [t for t in tickets if t["status"] == "Pending"]
    week_ago = (NOW - dt.timedelta(days=7)).isoformat()
    solved = [t for t in tickets if t["status"] == "Solved" and t["solved"] >= week_ago]
    assert mine and solved and len(unsolved) > 30
    page = text(agent.get("agent/filters/all-unsolved").text)
    for name, count in (
        ("Your unsolved tickets", len(mine)),
        ("Unassigned tickets", len(unassigned)),
        ("All unsolved tickets", len(unsolved)),
        ("Pending tickets", len(pending)),
        ("Recently solved tickets", len(solved)),
    ):
        assert f"{name} {count}" in page
    assert "ID Status Subject Requester Requested Updated" in page
    assert "Previous" in page and "Next" in page
    first = listed_ids(agent.get("agent/filters/all-unsolved").text)
    second = listed_ids(agent.get("agent/filters/all-unsolved", params={"page": 2}).text)
    assert len(first) == 30 and len(first) + len(second) == len(unsolved)
    assert set(first) | set(second) == {t["id"] for t in unsolved}
    assert re.search(
        r"#5201 New Refund request ESG-20481234 Jane Citizen \d\d/\d\d/2026 \d\d:\d\d", page
    )
    recent = agent.get("agent/filters/recently-solved").text
    assert sorted(listed_ids(recent)) == sorted(t["id"] for t in solved)
    assert 5110 not in listed_ids(recent)  # solved 16 days ago: only search finds it
    assert sorted(listed_ids(agent.get("agent/filters/your-unsolved").text)) == sorted(
        t["id"] for t in mine
    )
    assert agent.get("agent/filters/nope").status_code == 404


# --- search -------------------------------------------------------------------------------


def test_search_matches_any_part_ignoring_case_and_filters_by_status(agent: httpx.Client) -> None:
    found = agent.get("agent/search", params={"q": "ESG-1001234"}).text
    assert 'Results for "ESG-1001234"' in text(found)
    assert sorted(listed_ids(found)) == [5202, 5203]  # the prefix finds the longer one too
    opened = agent.get("agent/search", params={"q": "esg-1001234", "status": "open"}).text
    assert listed_ids(opened) == [5202]
    assert "Any status New Open Pending On-hold Solved Closed" in text(opened)
    assert listed_ids(agent.get("agent/search", params={"q": "JANE.DOE@example"}).text)
    assert 5154 in listed_ids(agent.get("agent/search", params={"q": "esg-20477730"}).text)
    assert 5110 in listed_ids(agent.get("agent/search", params={"q": "Noah Wilson"}).text)
    assert 5210 in listed_ids(agent.get("agent/search", params={"q": "王芳"}).text)
    assert 5201 in listed_ids(agent.get("agent/search", params={"q": "520"}).text)
    assert listed_ids(agent.get("agent/search", params={"q": "#5201"}).text) == [5201]
    nothing = text(agent.get("agent/search", params={"q": "no such words"}).text)
    assert "No results found." in nothing and "Requested" not in nothing


# --- the ticket page ----------------------------------------------------------------------


def test_ticket_page_shows_what_the_spec_promises(agent: httpx.Client) -> None:
    html = agent.get("agent/tickets/5153").text
    page = text(html)
    assert "<h1>Damaged parcel ESG-20476620</h1>" in html and "#5153" in page
    assert "Requester Zoë Ngọc zoe.ngoc@example.com" in page
    assert 'href="mailto:zoe.ngoc@example.com"' in html
    assert "Assignee -" in page and "Tags kogan damaged" in page
    assert "Conversation" in page and html.count("<article") == 1
    assert "parcel-photo.jpg (1.2 MB)" in page
    link = re.search(r'href="/kogan-inbox/(agent/tickets/5153/attachments/[^"]+)"', html)
    assert link and len(agent.get(link.group(1)).content) == 1_234_567
    for words in ("Public reply", "Internal note", "Comment", "Attach files", "Select status"):
        assert words in page
    assert "Submit as Open Select status Submit as Open Submit as Pending Submit as Solved" in page
    note = text(agent.get("agent/tickets/5154").text)
    assert re.search(r"Sam Agent \d\d/\d\d/2026 \d\d:\d\d Internal note Found her order", note)
    assert "Submit as Solved Select status" in text(agent.get("agent/tickets/5110").text)
    assert agent.get("agent/tickets/9999").status_code == 404


def test_closed_ticket_has_no_composer_and_refuses_a_submit(agent: httpx.Client) -> None:
    closed = next(t for t in state(agent)["tickets"] if t["status"] == "Closed")
    html = agent.get(f"agent/tickets/{closed['id']}").text
    assert "This ticket is closed and can&#39;t be updated." in html
    assert "Select status" not in html and "Attach files" not in html
    answer = submit(agent, closed["id"], "open", "Hello?", token=str(closed["version"]))
    assert "This ticket is closed" in text(answer.text)
    assert ticket(agent, closed["id"]) == closed
    assert events(agent, "submit_refused")[0]["reason"] == "closed"


# --- submitting ---------------------------------------------------------------------------


def test_public_reply_and_solved_are_saved_once_with_an_assignee(agent: httpx.Client) -> None:
    answer = submit(agent, 5201, "solved", "Hi Jane,\r\nwe have refunded you.")
    assert answer.status_code == 303
    page = text(agent.get("agent/tickets/5201").text)
    assert "Ticket #5201 updated." in page and "we have refunded you." in page
    assert "Ticket #5201 updated." not in text(agent.get("agent/tickets/5201").text)  # once
    saved = ticket(agent, 5201)
    assert (saved["status"], saved["assignee"]) == ("Solved", "Alex Agent")
    last = saved["comments"][-1]
    assert (last["author"], last["public"], last["text"]) == (
        "Alex Agent",
        True,
        "Hi Jane,\nwe have refunded you.",
    )
    [comment] = events(agent, "comment")
    assert (comment["ticket"], comment["public"]) == (5201, True)
    [change] = events(agent, "status_change")
    assert (change["ticket"], change["from"], change["to"]) == (5201, "New", "Solved")
    assert events(agent, "policy_violation") == []
    assert ticket(agent, 5205)["assignee"] == "Sam Agent"
    submit(agent, 5205, "solved")
    assert ticket(agent, 5205)["assignee"] == "Sam Agent"  # an assignee is kept


def test_refusals_save_nothing_and_say_why(agent: httpx.Client) -> None:
    before = ticket(agent, 5202)
    blank = submit(agent, 5202, "open", "  \r\n  ")
    assert "Add a comment or change the status before submitting." in text(blank.text)
    assert 'role="alert"' in blank.text
    again = submit(agent, 5110, "solved", "We have refunded you.")
    assert "This ticket is already solved." in text(again.text)
    token = version(agent, 5202)
    assert submit(agent, 5202, "pending", "", token=token).status_code == 303  # status only
    stale = submit(agent, 5202, "solved", "Done.", token=token)
    assert STALE in text(stale.text) and "Done." in stale.text  # the text is kept
    saved = ticket(agent, 5202)
    assert saved["comments"] == before["comments"] and saved["status"] == "Pending"
    reasons = [e["reason"] for e in events(agent, "submit_refused")]
    assert reasons == ["nothing_to_save", "already_solved", "updated_since_opened"]
    assert (
        agent.post("agent/tickets/5202", data={"status": "new", "version": "1"}).status_code == 400
    )


def test_internal_note_is_private_and_never_a_policy_matter(agent: httpx.Client) -> None:
    submit(agent, 5206, "open", "Customer is ann@example.com, call 0412 345 678", "internal")
    page = text(agent.get("agent/tickets/5206").text)
    assert "Internal note Customer is ann@example.com" in page
    last = ticket(agent, 5206)["comments"][-1]
    assert last["public"] is False and ticket(agent, 5206)["status"] == "Open"
    assert events(agent, "status_change") == [] and events(agent, "policy_violation") == []


def test_public_contact_details_are_sent_but_recorded(agent: httpx.Client) -> None:
    submit(agent, 5207, "pending", "Write to me at help@shop.example or call +61 2 9876 5432.")
    submit(
        agent,
        5208,
        "pending",
        "See https://shop.example/returns, not https://www.kogan.com/au/help",
    )
    submit(agent, 5209, "pending", "Your refund of $24.00 for ESG-20490050 on 15/05/2026 is done.")
    violations = events(agent, "policy_violation")
    assert [v["ticket"] for v in violations] == [5207, 5208]
    assert violations[0]["found"] == ["email: help@shop.example", "phone: +61 2 9876 5432"]
    assert violations[1]["found"] == ["link: https://shop.example/returns"]
    assert ticket(agent, 5207)["comments"][-1]["text"].startswith("Write to me")  # sent anyway


def test_policy_findings_know_phones_links_and_references() -> None:
    assert policy_findings("Call (02) 9876 5432 or 0412-345-678") == [
        "phone: (02) 9876 5432",
        "phone: 0412-345-678",
    ]
    assert policy_findings("Order ESG-20481234, #1042, $1,234.50, 15/05/2026 10:00") == []
    assert policy_findings("kogan.com/au/returns and help.kogan.com") == []
    assert policy_findings("visit www.example.org") == ["link: www.example.org"]


# --- customer replies ---------------------------------------------------------------------


def test_customer_reply_reopens_and_makes_open_pages_stale(agent: httpx.Client) -> None:
    token = version(agent, 5110)
    answer = agent.post("__mock__/customer_reply", json={"ticket": 5110, "text": "Still broken."})
    assert answer.json() == {"ok": True, "status": "Open"}
    saved = ticket(agent, 5110)
    assert saved["status"] == "Open" and saved["comments"][-1]["author"] == "Noah Wilson"
    stale = submit(agent, 5110, "solved", "Refunded.", token=token)
    assert STALE in text(stale.text)
    [reply] = events(agent, "customer_reply")
    assert (reply["ticket"], reply["from"], reply["to"]) == (5110, "Solved", "Open")
    pending = next(t for t in state(agent)["tickets"] if t["status"] == "Pending")["id"]
    agent.post("__mock__/customer_reply", json={"ticket": pending, "text": "Any news?"})
    assert ticket(agent, pending)["status"] == "Open"
    agent.post("__mock__/customer_reply", json={"ticket": "#5201", "text": "Hello?"})
    assert ticket(agent, 5201)["status"] == "New"  # New stays New
    assert agent.post("__mock__/customer_reply", json={"ticket": 1}).status_code == 400
    assert agent.post("__mock__/customer_reply", json={"ticket": 1, "text": "x"}).status_code == 404


# --- faults -------------------------------------------------------------------------------


def test_commit_then_error_saves_then_answers_502(agent: httpx.Client) -> None:
    agent.post("__mock__/faults", json={"commit_then_error": 1})
    answer = submit(agent, 5201, "solved", "We have refunded you.")
    assert answer.status_code == 502
    assert (
        '<p role="alert" class="alert">Something went wrong. Please try again.</p>' in answer.text
    )
    assert ticket(agent, 5201)["status"] == "Solved"
    assert len(events(agent, "comment")) == 1
    assert submit(agent, 5202, "pending", "Next one.").status_code == 303  # one use only


def test_error_rate_maintenance_and_session_ttl(agent: httpx.Client) -> None:
    agent.post("__mock__/faults", json={"error_rate": 1})
    failed = submit(agent, 5201, "solved", "Refunded.", token="1")
    assert failed.status_code == 500 and "Something went wrong" in failed.text
    assert ticket(agent, 5201)["status"] == "New" and events(agent, "comment") == []
    agent.post("__mock__/faults", json={"maintenance": True})
    down = agent.get("agent/filters/your-unsolved")
    assert down.status_code == 503 and "<h1>Zendesk is down for maintenance</h1>" in down.text
    assert agent.get("__mock__/state").status_code == 200
    agent.post("__mock__/faults", json={"session_ttl_s": 0.2})
    login(agent)
    assert agent.get("agent/tickets/5201").status_code == 200
    time.sleep(0.3)
    assert "login?return_to=" in agent.get("agent/tickets/5201").headers["location"]


def test_cookie_banner_slow_list_latency_and_drift(agent: httpx.Client) -> None:
    agent.post(
        "__mock__/faults",
        json={
            "cookie_banner": True,
            "slow_list_ms": 300,
            "latency_ms": 50,
            "drift": {"Unassigned tickets": "Tickets nobody has"},
        },
    )
    started = time.monotonic()
    html = agent.get("agent/filters/all-unsolved").text
    assert time.monotonic() - started >= 0.05
    assert "Cookie consent" in html and "Accept" in html
    assert 'data-delay="300"' in html and "<template data-list-from>" in html
    assert "Tickets nobody has" in html and "Unassigned tickets" not in html


# --- markup b -----------------------------------------------------------------------------


def test_markup_b_says_the_same_words_otherwise(inbox: httpx.Client) -> None:
    inbox.post("__mock__/reset", json={"markup": "b"}).raise_for_status()
    assert login(inbox).status_code == 303
    view = inbox.get("agent/filters/all-unsolved").text
    assert "<table" not in view and 'role="table"' in view and 'role="columnheader">ID<' in view
    assert 'aria-label="Views"' in view and "All unsolved tickets</a> <small>(46)" in view
    found = text(inbox.get("agent/search", params={"q": "ESG-1001234"}).text)
    assert 'Results for "ESG-1001234"' in found and "Any status" in found
    html = inbox.get("agent/tickets/5154").text
    page = text(html)
    assert 'role="heading" aria-level="1"' in html and "<h1>" not in html
    assert "#5154" in page and 'role="article"' in html and "Internal note" in page
    assert 'href="mailto:ruby.turner@example.com"' in html and 'role="list"' in html
    assert "Public reply" in page and "Select status" in page and "Submit as Open" in page
    assert submit(inbox, 5154, "solved", "Replaced.").status_code == 303
    assert "Ticket #5154 updated." in text(inbox.get("agent/tickets/5154").text)
