"""The monday page objects, with pytest-playwright's own `page`, on both markups of the spec.

Markup "b" renders the same spec otherwise (ARIA tables of divs, the cells in another
order, the column's name hidden inside each button, random ids): page objects that read
only what the spec promises work on both. State changes run under the guard's permit, as
`ctx.commit` gives it; what happened is checked on `__mock__/state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page, expect

from pages.monday import (
    MONDAY,
    THIS_WEEK,
    Board,
    Found,
    ItemPage,
    SignInPage,
    find_order,
    order_items,
)
from portalpilot import Answer, GuardBypassed, LoginRejected
from portalpilot._guard import _permitted

EMAIL, PASSWORD = "ops@example.com", "monday-demo"
BOARD_ID = 4120000001


@pytest.fixture(params=["a", "b"])
def monday(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/monday/")
    portal.reset(markup=request.param)
    yield portal
    portal.http.close()


@pytest.fixture
def board(page: Page, monday: MockPortal) -> Board:
    MONDAY.prepare(page)
    MONDAY.sign_in(page, login(monday.url, EMAIL, PASSWORD))
    return Board(page).open(monday.url, BOARD_ID)


def test_sign_in_rejects_a_wrong_password(page: Page, monday: MockPortal) -> None:
    with pytest.raises(LoginRejected, match="Incorrect email or password"):
        SignInPage(page).open(monday.url).log_in(EMAIL, "wrong")
    assert len(monday.events("login_failed")) == 1


def test_board_reads_groups_and_items_done_collapsed(board: Board, monday: MockPortal) -> None:
    assert board.group_names() == ["This week", "Earlier", "Done"]
    assert [board.is_expanded(g) for g in board.group_names()] == [True, True, False]
    shown = board.items()
    assert {item.group for item in shown} == {"This week", "Earlier"}
    k2 = next(item for item in shown if item.name == "#10010")
    assert (k2.status, k2.esg, k2.email, k2.amount) == (
        "Working on it",
        "ESG-10012345",
        "liam.nguyen@example.com",
        Decimal("39.00"),
    )
    assert k2.date == dt.date(2026, 5, 15) - dt.timedelta(days=7)
    blank = next(item for item in shown if item.name == "#1039")
    assert (blank.status, blank.esg, blank.amount, blank.date, blank.notes) == (None,) * 5
    board.expand("Done")
    done = [item for item in board.items() if item.group == "Done"]
    assert any(item.name == "#1044" and item.complete for item in done)
    state = {i["id"]: i for i in monday.state()["items"]}
    assert all(state[int(item.id)]["name"] == item.name for item in board.items())

    # State-changing methods refuse to run outside the guard, before touching the page.
    with pytest.raises(GuardBypassed):
        board.add_item(THIS_WEEK, "#1042")
    with pytest.raises(GuardBypassed):
        board.set_cell(k2, "Amount", "1")
    with pytest.raises(GuardBypassed):
        board.set_status(k2, "Done")
    assert monday.events("item_created") == monday.events("column_changed") == []


def test_finding_an_order_applies_the_spec_rule(board: Board, monday: MockPortal) -> None:
    k4 = find_order(board, "#1044", "ESG-20486610")
    assert k4.found is Found.ONE and k4.item.complete and k4.item.group == "Done"
    k5 = find_order(board, "#1045", "ESG-20487720")
    assert k5.found is Found.ONE and k5.item.name == "1045" and k5.item.esg is None
    assert order_items(board.search("1057"), "#1057", None).found is Found.SEVERAL
    assert order_items(board.search("1020"), "#1020", None).found is Found.POSSIBLE
    k2 = board.search("#1001")  # "#10010", and a note that mentions "#1001"
    assert [item.name for item in k2] == ["#10010", "#1029"]
    assert order_items(k2, "#1001", "ESG-1001234").found is Found.NONE
    assert board.search("no-such-thing") == [] and board.result_count() == 0
    searches = [(e["text"], e["results"]) for e in monday.events("search")]
    assert ("1045", 1) in searches and ("ESG-20487720", 0) in searches
    assert find_order(board, "#1042", "ESG-20481234").found is Found.NONE  # K1: add it


def test_recording_a_refund_adds_fills_and_reads_back(board: Board, monday: MockPortal) -> None:
    with _permitted("test/#1042"):
        added = board.add_item(THIS_WEEK, "#1042")
        assert added.answer is Answer.DONE
        item = find_order(board, "#1042", "ESG-20481234").item
        replies = [
            board.set_cell(item, "ESG number", "ESG-20481234"),  # off the page: searched
            board.set_cell(item.id, "Customer email", "jane.citizen@example.com"),
            board.set_cell(item.id, "Amount", Decimal("49.95")),
            board.set_cell(item.id, "Date", dt.date(2026, 5, 15)),
            board.set_cell(item.id, "Notes", "Refunded in Shopify — lampe défectueuse"),
            board.set_status(item.id, "Done"),
        ]
        assert [reply.answer for reply in replies] == [Answer.DONE] * 6
        refused = board.set_cell(item.id, "Amount", "forty-nine")
        assert (refused.answer, refused.message) == (Answer.REFUSED, "Numbers only")
    [back] = board.search("#1042")
    assert (back.group, back.esg, back.amount, back.date, back.status) == (
        THIS_WEEK,
        "ESG-20481234",
        Decimal("49.95"),
        dt.date(2026, 5, 15),
        "Done",
    )
    [saved] = [i for i in monday.state()["items"] if i["name"] == "#1042"]
    assert (saved["amount"], saved["notes"]) == ("49.95", "Refunded in Shopify — lampe défectueuse")
    [created] = monday.events("item_created")
    assert (created["group"], created["via"]) == (THIS_WEEK, "+ Add item")
    assert len(monday.events("column_changed")) == 6


def test_a_server_error_reverts_the_cell_and_commit_then_error_saved_it(
    board: Board, monday: MockPortal
) -> None:
    [item] = board.search("#10010")
    monday.faults(commit_then_error=1)
    with _permitted("test/#10010"):
        reply = board.set_cell(item.id, "Amount", "12")
    assert reply.answer is Answer.FAILED and "Something went wrong" in reply.message
    assert board.item(item.id).amount == Decimal("39.00")  # the cell went back...
    [again] = board.search("#10010")
    assert again.amount == Decimal("12")  # ...but it was saved: search before trying again


def test_item_page_posts_an_update_and_shows_the_activity(
    board: Board, monday: MockPortal, page: Page
) -> None:
    [item] = board.search("1045")
    page_ = ItemPage(page).open(monday.url, BOARD_ID, item.id)
    assert page_.name() == "1045"
    with _permitted("test/1045/update"):
        reply = page_.post_update("Refunded 2 × Water Bottle 1L in Shopify.")
    assert reply.answer is Answer.DONE
    assert page_.shows_update("Refunded 2 × Water Bottle 1L in Shopify.")
    assert any("created in Earlier" in line for line in page_.activity())
    [posted] = monday.events("update_posted")
    assert posted["item"] == int(item.id)


def test_new_item_creates_at_once_with_a_focused_name_field(
    board: Board, monday: MockPortal, page: Page
) -> None:
    page.get_by_role("button", name="New item", exact=True).click()
    field = page.get_by_role("textbox", name="Item name", exact=True)
    expect(field).to_be_focused()
    assert monday.events("item_created")[0]["name"] == "New item"  # before any Enter
    field.fill("#1043")
    field.press("Enter")
    expect(page.get_by_role("link", name="#1043", exact=True)).to_be_visible()
    assert board.items()[0].name == "#1043"
    assert [(e["old"], e["new"]) for e in monday.events("item_renamed")] == [("New item", "#1043")]
