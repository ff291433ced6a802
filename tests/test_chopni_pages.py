"""The Chopni page objects, with pytest-playwright's own `page`, on both markups of the spec.

Markup "b" renders the same spec otherwise (ARIA tables in another column order, the
status line split across elements, random ids, the order filled in by script, a dialog
built when opened): page objects that read only what the spec promises work on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page

from pages.chopni import CHOPNI, NoSuchOrder, OrderList, OrderPage, SignInPage
from portalpilot import GuardBypassed, LoginRejected, PortalFailure

EMAIL, PASSWORD = "shop@example.com", "chopni-demo"
SEEDED = "Здравейте! Пратката е изпратена днес. Благодарим за поръчката!"  # on №418011


@pytest.fixture(params=["a", "b"])
def chopni(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/chopni/")
    portal.reset(markup=request.param)
    assert portal.state().get("markup", request.param) == request.param
    yield portal
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, chopni: MockPortal) -> Page:
    CHOPNI.prepare(page)
    CHOPNI.sign_in(page, login(chopni.url, EMAIL, PASSWORD))
    return page


def order_page(page: Page, chopni: MockPortal, number: str) -> OrderPage:
    return OrderPage(page).open(chopni.url, number)


def test_sign_in_rejects_a_wrong_password(page: Page, chopni: MockPortal) -> None:
    with pytest.raises(LoginRejected, match="Грешен имейл или парола"):
        SignInPage(page).open(chopni.url).log_in(EMAIL, "wrong")
    assert len(chopni.events("login_failed")) == 1


def test_order_list_filters_searches_and_pages(signed_in: Page, chopni: MockPortal) -> None:
    chopni.faults(slow_list_ms=400)  # the table fills in after the page has loaded
    orders = OrderList(signed_in).open(chopni.url)
    assert len(orders.rows()) == 20 and not orders.has_previous_page()
    orders.filter_status("COMPLETE")
    first = orders.rows()
    assert {row.status for row in first} == {"COMPLETE"}
    orders.next_page()
    assert orders.has_previous_page() and first[0] not in orders.rows()
    orders.filter_status("")  # "Всички"
    orders.search("Красимир")
    [row] = orders.rows()
    assert (row.number, row.customer, row.total) == (
        "418030",
        "Красимир Ангелов",
        Decimal("1234.50"),
    )
    assert row.placed <= dt.date(2026, 5, 15)


def test_order_page_reads_status_payment_history_and_deadline(
    signed_in: Page, chopni: MockPortal
) -> None:
    complete = order_page(signed_in, chopni, "418004")
    assert (complete.status(), complete.payment()) == ("COMPLETE", "Платена")
    assert complete.customer() == "Николай Стоянов"
    history = complete.history()
    assert history[0].status == "COMPLETE"  # newest first
    assert [row.at for row in history] == sorted((row.at for row in history), reverse=True)
    assert complete.return_deadline() is not None

    cash = order_page(signed_in, chopni, "418007")
    assert (cash.status(), cash.payment(), cash.return_deadline()) == (
        "PROCESSING",
        "Наложен платеж",
        None,
    )
    with pytest.raises(NoSuchOrder):
        order_page(signed_in, chopni, "999999")


def test_messages_are_read_under_their_heading(signed_in: Page, chopni: MockPortal) -> None:
    sent = order_page(signed_in, chopni, "418011")
    assert sent.shows_message(SEEDED)
    assert sent.shows_message("Пратката е изпратена днес.\nБлагодарим")  # line breaks aside
    assert not sent.shows_message("Пратката пристига утре.")
    assert not order_page(signed_in, chopni, "418010").shows_message(SEEDED)


def test_a_change_nobody_can_read_raises_instead_of_answering(
    signed_in: Page, chopni: MockPortal
) -> None:
    chopni.reset(markup=chopni.state().get("markup"), unreadable_after_change=True)
    CHOPNI.sign_in(signed_in, login(chopni.url, EMAIL, PASSWORD))  # a reset ends the session
    form: dict[str, str | float | bool] = {"status": "PROCESSING", "comment": "Подготвя се."}
    assert signed_in.request.post(f"{chopni.url}orders/418001/status", form=form).ok
    hidden = order_page(signed_in, chopni, "418001")

    with pytest.raises(PortalFailure, match="status line"):
        hidden.status()
    with pytest.raises(PortalFailure, match="Съобщения"):
        hidden.shows_message(SEEDED)
    assert order_page(signed_in, chopni, "418002").status() == "PROCESSING"  # others unharmed


def test_state_changing_clicks_refuse_to_run_outside_the_guard(
    signed_in: Page, chopni: MockPortal
) -> None:
    page = order_page(signed_in, chopni, "418001")
    page.fill_status_form("PROCESSING", "Подготвя се.")
    with pytest.raises(GuardBypassed):
        page.submit_status_change("PROCESSING")

    dialog = page.start_conversation()
    dialog.write("Здравейте! Поръчката се подготвя.")
    with pytest.raises(GuardBypassed):
        dialog.send()
    dialog.close()

    assert chopni.events("status_change") == chopni.events("message") == []
    state = next(o for o in chopni.state()["orders"] if o["number"] == "418001")
    assert (state["status"], state["messages"]) == ("PROCESSED", [])
