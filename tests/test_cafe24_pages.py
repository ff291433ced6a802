"""The Cafe24 admin page objects, with pytest-playwright's own `page`, on both markups of the
spec. The orders are the shared shop's (fixtures/_kr_shop/scenarios.py); what really
happened is read from the mock's `__mock__/state`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, login
from playwright.sync_api import Page

from fixtures._kr_shop.scenarios import CHAIN, E1, E2, E4, E5, MODE_B_DONE, OVER_3_MONTHS
from pages.cafe24 import CAFE24, NoSuchOrder, OrderDetail, OrderList, SignInPage
from portalpilot import Answer, GuardBypassed, LoginRejected
from portalpilot._guard import Change, ChangeLog, Guard, Seen

USER, PASSWORD = "demoshop", "cafe24-demo"


@pytest.fixture(params=["a", "b"])
def cafe24(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/cafe24/")
    portal.reset(markup=request.param)
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, cafe24: MockPortal) -> Page:
    CAFE24.prepare(page)
    CAFE24.sign_in(page, login(cafe24.url, USER, PASSWORD))
    return page


def guard(tmp_path: Path) -> Guard:
    return Guard(ChangeLog(tmp_path), "cafe24-test", "test", "run-1", open=set())


def order_state(portal: MockPortal, number: str) -> dict[str, Any]:
    return next(o for o in portal.state()["orders"] if o["주문번호"] == number)


def test_sign_in_rejects_a_wrong_password(page: Page, cafe24: MockPortal) -> None:
    with pytest.raises(LoginRejected, match=re.escape("아이디 또는 비밀번호가 일치하지 않습니다.")):
        SignInPage(page).open(cafe24.url).log_in(USER, "wrong")
    assert len(cafe24.events("login_failed")) == 1


def test_the_list_searches_numbers_whole_names_in_part_within_3_months(
    signed_in: Page, cafe24: MockPortal
) -> None:
    orders = OrderList(signed_in).open(cafe24.url)
    [e5] = orders.search(E5.number)
    assert (e5.order, e5.orderer) == (E5.number, E5.orderer.name)
    assert e5.paid > 0 and e5.state
    assert orders.search(E5.number[:-1]) == []
    assert orders.search(E2.number, period="7일") == []  # ordered 12 days ago
    assert orders.search(OVER_3_MONTHS.number) == []  # 100 days ago
    assert {row.order for row in orders.search("홍길동", by="수령자명")} == {
        E4.number, E5.number}  # fmt: skip
    assert {row.order for row in orders.search("홍길동", by="주문자명")} == {E4.number}
    [line] = orders.search(f"{E5.number}-02", by="품목별 주문번호")
    assert line.order == E5.number
    orders.search("홍길동", by="주문자명")
    assert orders.find(E5.number) is None and orders.find(E4.number) is not None


def test_order_details_read_every_part(signed_in: Page, cafe24: MockPortal) -> None:
    detail = OrderDetail(signed_in).open_by_number(cafe24.url, E5.number)
    order = detail.read()
    state = order_state(cafe24, E5.number)
    assert order.order == E5.number
    assert (order.orderer.mobile, order.recipient.mobile) == (E5.orderer.phone, E5.recipient.phone)
    assert order.recipient.address == E5.recipient.address
    assert (order.orderer.name, order.recipient.name) == (E5.orderer.name, "홍길동")
    assert [
        (i.line, i.product, i.option, i.quantity, i.price, i.state, i.carrier, i.tracking)
        for i in order.items
    ] == [
        (x["품목별 주문번호"], x["상품명"], x["옵션"], x["수량"], x["판매가"], x["주문상태"],
         x["배송업체"], x["송장번호"])
        for x in state["lines"]
    ]  # fmt: skip
    [exchange] = order.exchanges
    assert (exchange.original, exchange.new) == (f"{E5.number}-01", f"{E5.number}-02")
    assert exchange.claim.startswith("B")
    assert [(h.at.isoformat(timespec="minutes"), h.line, h.text, h.by) for h in order.history] == [
        (h["일시"], h["품목별 주문번호"], h["내용"], h["처리자"]) for h in state["history"]
    ]

    plain = OrderDetail(signed_in).open(cafe24.url, E1.number).read()
    assert plain.exchanges == ()
    chain = OrderDetail(signed_in).open(cafe24.url, CHAIN.number).read()
    assert [(x.original[-2:], x.new[-2:]) for x in chain.exchanges] == [("01", "02"), ("02", "03")]
    with pytest.raises(NoSuchOrder):
        OrderDetail(signed_in).open_by_number(cafe24.url, "20250399-0000999")
    with pytest.raises(NoSuchOrder):
        OrderDetail(signed_in).open(cafe24.url, "20250399-0000999")


def test_the_tracking_dialog_refuses_in_its_words_and_saves_only_through_the_guard(
    signed_in: Page, cafe24: MockPortal, tmp_path: Path
) -> None:
    detail = OrderDetail(signed_in).open(cafe24.url, E5.number)
    line = f"{E5.number}-02"
    dialog = detail.start_tracking(line)
    assert dialog.shows(line, "운동화")
    assert dialog.carrier() == "-선택-"
    with pytest.raises(GuardBypassed):
        dialog.save()

    refusals = [
        (None, "651234567890", "배송업체를 선택해 주세요."),
        ("롯데택배", "", "송장번호를 입력해 주세요."),
        ("롯데택배", "6512-3456-7890", "송장번호는 숫자만 입력해 주세요."),
        ("롯데택배", "65123456789", "송장번호 자릿수가 올바르지 않습니다."),
    ]
    for carrier, number, words in refusals:
        if carrier:
            dialog.choose_carrier(carrier)
        dialog.type_number(number)
        refused = guard(tmp_path).commit(Change(f"e5/{words}", lambda: Seen.ABSENT), dialog.save)
        assert (refused.reply.answer, refused.reply.message) == (Answer.REFUSED, words)
        if not dialog.dialog.is_visible():
            dialog = OrderDetail(signed_in).open(cafe24.url, E5.number).start_tracking(line)

    original = OrderDetail(signed_in).open(cafe24.url, E5.number).start_tracking(f"{E5.number}-01")
    original.choose_carrier("롯데택배")
    original.type_number("651234567890")
    refused = guard(tmp_path).commit(Change("e5/-01", lambda: Seen.ABSENT), original.save)
    assert refused.reply.message == "송장번호를 입력할 수 없는 주문상태입니다."
    assert cafe24.events("tracking_saved") == []

    def read() -> Seen:
        item = OrderDetail(signed_in).open(cafe24.url, E5.number).read().item(line)
        assert item is not None
        return Seen.DONE if item.tracking == "651234567890" else Seen.ABSENT

    dialog = OrderDetail(signed_in).open(cafe24.url, E5.number).start_tracking(line)
    dialog.choose_carrier("롯데택배")
    dialog.type_number("651234567890")
    saved = guard(tmp_path).commit(Change("e5/save", read), dialog.save)
    assert (saved.reply.answer, saved.reply.message, saved.seen) == (
        Answer.DONE, "저장되었습니다.", Seen.DONE)  # fmt: skip
    [event] = cafe24.events("tracking_saved")
    assert (event["line"], event["carrier"], event["number"]) == (line, "롯데택배", "651234567890")
    item = OrderDetail(signed_in).open(cafe24.url, E5.number).read().item(line)
    assert item is not None and (item.carrier, item.state) == ("롯데택배", "배송중")


def test_the_same_number_is_saved_already_and_another_is_never_confirmed(
    signed_in: Page, cafe24: MockPortal, tmp_path: Path
) -> None:
    line = f"{MODE_B_DONE.number}-02"
    dialog = OrderDetail(signed_in).open(cafe24.url, MODE_B_DONE.number).start_tracking(line)
    dialog.choose_carrier("한진택배")
    dialog.type_number("412345670108")
    same = guard(tmp_path).commit(Change("b/same", lambda: Seen.DONE), dialog.save)
    assert (same.reply.answer, same.reply.message) == (Answer.DONE, "이미 등록된 송장번호입니다.")

    dialog = OrderDetail(signed_in).open(cafe24.url, MODE_B_DONE.number).start_tracking(line)
    dialog.choose_carrier("한진택배")
    dialog.type_number("412345670199")
    other = guard(tmp_path).commit(Change("b/other", lambda: Seen.ABSENT), dialog.save)
    assert other.reply.answer is Answer.REFUSED
    assert "변경하시겠습니까" in other.reply.message
    item = OrderDetail(signed_in).open(cafe24.url, MODE_B_DONE.number).read().item(line)
    assert item is not None and item.tracking == "412345670108"
    assert cafe24.events("tracking_saved") == [] and cafe24.events("tracking_replaced") == []
