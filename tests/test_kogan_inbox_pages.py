"""The Kogan inbox page objects, with pytest-playwright's own `page`, on both markups.

Markup "b" renders the same spec otherwise (ARIA tables in another column order, lists
filled in by script, the composer before the conversation, "Requester: name <email>" on
one line, a status menu built when opened): page objects that read only what the spec
promises work on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page

from pages.kogan_inbox import (
    KOGAN_INBOX,
    Comment,
    NoSuchTicket,
    Person,
    SearchPage,
    SignInPage,
    Ticket,
    TicketPage,
    ViewsPage,
)
from portalpilot import (
    Answer,
    Change,
    GuardBypassed,
    LoginRejected,
    PortalDown,
    PortalFailure,
    Reply,
    Seen,
)
from portalpilot._guard import ChangeLog, Guard

EMAIL, PASSWORD = "agent@example.com", "inbox-demo"
REPLY = "Hi Jane, we have refunded your desk lamp. Sorry for the trouble!"
STALE = "This ticket has been updated since you opened it. Review the changes and submit again."


@pytest.fixture(params=["a", "b"])
def inbox(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/kogan-inbox/")
    portal.reset(markup=request.param)
    assert portal.state().get("markup", request.param) == request.param
    yield portal
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, inbox: MockPortal) -> Page:
    KOGAN_INBOX.prepare(page)
    KOGAN_INBOX.sign_in(page, login(inbox.url, EMAIL, PASSWORD))
    return page


def guard(tmp_path: Path) -> Guard:
    return Guard(ChangeLog(tmp_path), EMAIL, "kogan_inbox.test", "run-1", open=set())


def solved_with(page: Page, url: str, ticket_id: int, text: str) -> Seen:
    """The guard's reading: the ticket is Solved and shows the public reply."""
    ticket = TicketPage(page).load(url, ticket_id).read()
    return Seen.DONE if ticket.status == "Solved" and ticket.public_replies(text) else Seen.ABSENT


def test_sign_in_rejects_a_wrong_password(page: Page, inbox: MockPortal) -> None:
    with pytest.raises(LoginRejected, match="Invalid email or password"):
        SignInPage(page).open(inbox.url).log_in(EMAIL, "wrong")
    assert len(inbox.events("login_failed")) == 1


def test_views_count_and_page_through_a_list_that_fills_in_late(
    signed_in: Page, inbox: MockPortal
) -> None:
    inbox.faults(slow_list_ms=300, cookie_banner=True)
    tickets = inbox.state()["tickets"]
    unsolved = {t["id"] for t in tickets if t["status"] in ("New", "Open", "Pending", "On-hold")}
    view = ViewsPage(signed_in, "all-unsolved").open(inbox.url)
    counts = view.counts()
    assert counts["All unsolved tickets"] == len(unsolved)
    assert counts["Pending tickets"] == sum(t["status"] == "Pending" for t in tickets)
    first = view.rows()
    assert len(first) == 30 and view.has_next_page() and not view.has_previous_page()
    assert {row.status for row in first} <= {"New", "Open", "Pending", "On-hold"}
    row = next(row for row in first if row.id == 5201)
    assert (row.status, row.subject, row.requester) == (
        "New",
        "Refund request ESG-20481234",
        "Jane Citizen",
    )
    assert row.requested <= row.updated
    view.next_page()
    assert {r.id for r in first} | {r.id for r in view.rows()} == unsolved
    assert view.has_previous_page() and not view.has_next_page()


def test_search_from_the_top_bar_then_by_status(signed_in: Page, inbox: MockPortal) -> None:
    search = SearchPage(signed_in)
    both = search.search("ESG-1001234")
    assert sorted(row.id for row in both) == [5202, 5203]  # check the ticket, not the row
    [only] = search.search("ESG-1001234", status="Open")
    assert (only.id, only.status, only.requester) == (5202, "Open", "Liam Nguyen")
    assert search.search("no such words") == []
    found = SearchPage(signed_in).open(inbox.url, "noah.w@example.com", "Solved").rows()
    assert [row.id for row in found] == [5110]


def test_ticket_page_reads_the_whole_ticket(signed_in: Page, inbox: MockPortal) -> None:
    market = TicketPage(signed_in).open(inbox.url, 5204).read()
    assert (market.id, market.subject, market.status, market.assignee) == (
        5204,
        "Refund request ESG-20485501",
        "New",
        None,
    )
    assert market.requester == Person("Kogan Marketplace", "marketplace@kogan.example")
    assert market.from_marketplace and market.tags == ("kogan", "marketplace", "refund")
    block = market.marketplace_block()
    assert block is not None and block.customer_name == "Jane Doe"
    assert (block.customer_email, block.order) == ("Jane.Doe@Example.com", "ESG-20485501")
    assert market.customer_email() == "Jane.Doe@Example.com"
    [first] = market.comments
    assert first.author == "Kogan Marketplace" and first.public
    assert first.text.splitlines()[1] == "Customer name: Jane Doe"

    noted = TicketPage(signed_in).open(inbox.url, 5154).read()
    assert [(c.author, c.public) for c in noted.comments] == [
        ("Ruby Turner", True),
        ("Sam Agent", False),
    ]
    assert noted.comments[1].text == "Found her order in Electronic Cart: ESG-20477730."
    assert noted.references() == [] and noted.assignee == "Sam Agent"

    photo = TicketPage(signed_in).open(inbox.url, 5153).read()
    assert photo.requester == Person("Zoë Ngọc", "zoe.ngoc@example.com")
    assert photo.comments[0].attachments == ("parcel-photo.jpg (1.2 MB)",)
    assert photo.comments[0].text.endswith("see the photo.")
    assert TicketPage(signed_in).open(inbox.url, 5203).read().references() == ["ESG-10012345"]
    assert TicketPage(signed_in).open(inbox.url, 5150).read().references() == [
        "ESG-20100",
        "ESG-20475510",
    ]

    closed = next(t["id"] for t in inbox.state()["tickets"] if t["status"] == "Closed")
    shut = TicketPage(signed_in).open(inbox.url, closed)
    assert shut.is_closed() and shut.read().status == "Closed" and not shut.comment.count()
    with pytest.raises(NoSuchTicket):
        TicketPage(signed_in).open(inbox.url, 9999)


def test_reply_and_solve_only_through_the_guard(
    signed_in: Page, inbox: MockPortal, tmp_path: Path
) -> None:
    ticket = TicketPage(signed_in).open(inbox.url, 5201)
    with pytest.raises(GuardBypassed):
        ticket.reply_and_submit(REPLY, "Solved")
    assert inbox.events("comment") == []

    change = Change("5201/reply_and_solve", lambda: solved_with(signed_in, inbox.url, 5201, REPLY))
    committed = guard(tmp_path).commit(change, lambda: ticket.reply_and_submit(REPLY, "Solved"))
    assert committed.reply == Reply(Answer.DONE, "Ticket #5201 updated.")
    assert committed.seen is Seen.DONE
    done = TicketPage(signed_in).open(inbox.url, 5201).read()
    assert (done.status, done.assignee) == ("Solved", "Alex Agent")
    assert done.comments[-1].author == "Alex Agent" and done.comments[-1].public
    [comment] = inbox.events("comment")
    assert (comment["ticket"], comment["public"], comment["text"]) == (5201, True, REPLY)
    assert inbox.events("policy_violation") == []

    again = TicketPage(signed_in).open(inbox.url, 5201)
    second = Change("5201/again", lambda: Seen.ABSENT)
    refused = guard(tmp_path / "2").commit(
        second, lambda: again.reply_and_submit("Again", "Solved")
    )
    assert refused.reply == Reply(Answer.REFUSED, "This ticket is already solved.")
    assert len(inbox.events("comment")) == 1


def test_a_stale_page_and_a_failed_answer_are_told_apart(
    signed_in: Page, inbox: MockPortal, tmp_path: Path
) -> None:
    ticket = TicketPage(signed_in).open(inbox.url, 5208)
    inbox.http.post("__mock__/customer_reply", json={"ticket": 5208, "text": "Any news?"})
    stale = guard(tmp_path).commit(
        Change("5208/stale", lambda: Seen.ABSENT),
        lambda: ticket.reply_and_submit("Refunded.", "Solved"),
    )
    assert stale.reply == Reply(Answer.REFUSED, STALE)
    assert inbox.events("comment") == [] and inbox.events("status_change") == []

    inbox.faults(commit_then_error=1)
    ticket = TicketPage(signed_in).open(inbox.url, 5208)
    change = Change("5208/solve", lambda: solved_with(signed_in, inbox.url, 5208, "Refunded."))
    failed = guard(tmp_path / "2").commit(
        change, lambda: ticket.reply_and_submit("Refunded.", "Solved")
    )
    assert failed.reply.answer is Answer.FAILED and failed.seen is Seen.DONE  # saved after all
    assert [e["to"] for e in inbox.events("status_change")] == ["Solved"]

    inbox.faults(maintenance=True)
    with pytest.raises(PortalDown):
        TicketPage(signed_in).open(inbox.url, 5208)


# --- readings that need no browser --------------------------------------------------------


def _ticket(subject: str, *texts: str, requester: Person | None = None) -> Ticket:
    comments = tuple(Comment("Someone", True, text, dt.datetime(2026, 5, 15)) for text in texts)
    return Ticket(1, subject, "Open", requester or Person("A", "a@example.com"), None, (), comments)


def test_references_and_marketplace_blocks_are_read_strictly() -> None:
    assert _ticket("Refund ESG-1001234", "About ESG-10012345 too").references() == [
        "ESG-1001234",
        "ESG-10012345",
    ]
    assert _ticket("ESG-123456789012", "XESG-20481234").references() == []  # 12 digits, a word
    assert _ticket("Hi", "no block here").marketplace_block() is None
    kogan = Person("Kogan Marketplace", "marketplace@kogan.example")
    half = _ticket("Refund", "Customer name: Jane Doe\nOrder: ESG-20485501", requester=kogan)
    with pytest.raises(PortalFailure, match="Customer email"):
        half.customer_email()
    with pytest.raises(PortalFailure, match="names no customer"):
        _ticket("Refund", "Please refund.", requester=kogan).customer_email()
