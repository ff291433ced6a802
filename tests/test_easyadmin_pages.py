"""The EasyAdmin page objects, with pytest-playwright's own `page`, on both markups of the spec.

The orders are the shared shop's scenarios E1–E6 and traps (fixtures/_kr_shop/scenarios.py);
what really happened is read from the mock's `__mock__/state`, not from the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal
from playwright.sync_api import Page
from pydantic import SecretStr

from fixtures._kr_shop.scenarios import E1, E2, E3, E4, E6, SEVEN_MONTHS
from pages.easyadmin import (
    EASYADMIN,
    CsWindow,
    EasyAdminSettings,
    ExchangeDialog,
    ProductChoice,
    SignInPage,
    exchange_sides,
)
from portalpilot import Answer, ConfigError, GuardBypassed, Login, LoginRejected
from portalpilot._guard import Change, ChangeLog, Guard, Seen

USER, PASSWORD, DOMAIN = "cs01", "ezadmin-demo", "demo"


def ez_login(url: str, user: str = USER, password: str = PASSWORD, domain: str = DOMAIN) -> Login:
    settings = EasyAdminSettings(base_url=url, email=user, password=password, domain=domain)
    return Login(url, user, SecretStr(password), settings)


@pytest.fixture(params=["a", "b"])
def easyadmin(request: pytest.FixtureRequest, base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/easyadmin/")
    portal.reset(markup=request.param)
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture
def signed_in(page: Page, easyadmin: MockPortal) -> Page:
    EASYADMIN.prepare(page)
    EASYADMIN.sign_in(page, ez_login(easyadmin.url))
    return page


def guard(tmp_path: Path) -> Guard:
    return Guard(ChangeLog(tmp_path), "easyadmin-test", "test", "run-1", open=set())


def orders_of(portal: MockPortal, number: str) -> list[dict[str, Any]]:
    return [o for o in portal.state()["orders"] if o["주문번호"] == number]


def cs_order(page: Page, url: str, number: str, exchange_order: bool = False) -> CsWindow:
    """The C/S window with the original (or its 교환주문) of `number` loaded."""
    cs = CsWindow(page).open(url)
    rows = cs.search(number)
    loaded = [cs.load(row.number) for row in rows]
    wanted = next(o for o in loaded if o.is_exchange_order == exchange_order)
    if loaded[-1] is not wanted:
        cs.load(wanted.number)
    return cs


def test_the_domain_is_a_setting_of_its_own() -> None:
    settings = EasyAdminSettings(base_url="http://x.test/easyadmin/", email=USER, password="p")
    with pytest.raises(ConfigError, match="PORTALPILOT_EASYADMIN__DOMAIN") as missing:
        settings.require("easyadmin")
    assert "PORTALPILOT_EASYADMIN__EMAIL" not in str(missing.value)
    whole = settings.model_copy(update={"domain": "demo"})
    assert whole.require("easyadmin")[:2] == ("http://x.test/easyadmin/", USER)


def test_sign_in_rejects_a_wrong_password_or_domain(page: Page, easyadmin: MockPortal) -> None:
    words = "아이디 또는 비밀번호를 확인해 주세요."
    with pytest.raises(LoginRejected, match=words):
        SignInPage(page).open(easyadmin.url).log_in(DOMAIN, USER, "wrong")
    with pytest.raises(LoginRejected, match=words):
        SignInPage(page).open(easyadmin.url).log_in("other", USER, PASSWORD)
    assert len(easyadmin.events("login_failed")) == 2
    EASYADMIN.sign_in(page, ez_login(easyadmin.url))
    assert [e["domain"] for e in easyadmin.events("login")] == [DOMAIN]


def test_search_matches_numbers_whole_and_names_in_part(
    signed_in: Page, easyadmin: MockPortal
) -> None:
    cs = CsWindow(signed_in).open(easyadmin.url)
    e4 = cs.search(E4.number)
    assert {row.order for row in e4} == {E4.number} and len(e4) == 2  # the original, its 교환주문
    assert {row.number for row in e4} == {
        str(o["관리번호"]) for o in orders_of(easyadmin, E4.number)
    }
    assert {(row.channel, row.recipient, row.state) for row in e4} == {("카페24", "홍길동", "배송")}
    assert cs.search(E4.number[:-1]) == []  # a number matches whole
    assert cs.search(E3.number) == []  # not collected
    assert cs.search(SEVEN_MONTHS.number, period="6개월") == []  # collected 7 months ago

    recipients = {row.order for row in cs.search("홍길동", by="수령자")}
    assert recipients == {"20250304-0000104", "20250305-0000105"}
    assert {row.order for row in cs.search("길동", by="주문자")} >= {E4.number}
    assert "20250305-0000105" not in {row.order for row in cs.search("홍길동", by="주문자")}
    for phone in (E4.recipient.phone, E4.recipient.phone.replace("-", "")):
        assert {row.order for row in cs.search(phone, by="전화번호")} == {E4.number}
    assert cs.search(E2.number, period="1주일") == []  # collected 12 days ago
    assert [row.order for row in cs.search(E2.number, period="1개월")] == [E2.number]
    assert [row.order for row in cs.search(f"{E6.number}-02", by="주문상세번호")] == [E6.number]


def test_an_order_loads_with_its_facts_lines_and_history(
    signed_in: Page, easyadmin: MockPortal
) -> None:
    state = {o["관리번호"]: o for o in orders_of(easyadmin, E4.number)}
    original = next(o for o in state.values() if o["원주문"] is None)
    made = next(o for o in state.values() if o["원주문"] is not None)

    cs = CsWindow(signed_in).open(easyadmin.url)
    cs.search(E4.number)
    first = cs.load(str(original["관리번호"]))
    info = first.info
    assert (info.order, info.channel, info.recipient, info.orderer) == (
        E4.number, "카페24", "홍길동", "홍길동")  # fmt: skip
    assert (info.mobile, info.address) == (E4.recipient.phone, E4.recipient.address)
    assert info.original is None and not first.is_exchange_order
    [line] = first.lines
    assert (line.line, line.product, line.option, line.quantity) == (
        E4.detail, "청바지 스트레이트", "30", 1)  # fmt: skip
    assert (line.state, line.cs, line.carrier, line.tracking, line.hold) == (
        "배송", "교환", "CJ대한통운", "612300001044", False)  # fmt: skip
    assert [(r.at.isoformat(timespec="minutes"), r.by, r.kind, r.text) for r in first.history] == [
        (r["일시"], r["작업자"], r["구분"], r["내용"]) for r in original["C/S이력"]
    ]
    [exchanged] = [row for row in first.history if row.kind == "상품교환"]
    assert exchange_sides(exchanged.text) == ("청바지 스트레이트 30", "청바지 스트레이트 32")

    second = cs.load(str(made["관리번호"]))
    assert second.info.original == str(original["관리번호"]) and second.is_exchange_order
    assert [(x.product, x.option, x.state, x.tracking) for x in second.lines] == [
        ("청바지 스트레이트", "32", "배송", "612345670104")
    ]

    e6 = cs_order(signed_in, easyadmin.url, E6.number).read(
        str(orders_of(easyadmin, E6.number)[0]["관리번호"])
    )
    assert [(x.line, x.option, x.state, x.cs) for x in e6.lines] == [
        (f"{E6.number}-01", "블랙/M", "송장", "정상"),
        (f"{E6.number}-02", "블랙/L", "송장", "정상"),
        (f"{E6.number}-03", "네이비/FREE", "송장", "정상"),
    ]


def test_the_exchange_dialog_reads_the_line_and_the_products(
    signed_in: Page, easyadmin: MockPortal
) -> None:
    cs = cs_order(signed_in, easyadmin.url, E1.number)
    cs.exchange_button.click()  # no line chosen
    assert cs.alert.first.inner_text().strip() == "상품을 선택해 주세요."

    cs = cs_order(signed_in, easyadmin.url, E1.number)
    dialog = cs.start_exchange(E1.detail)
    assert "린넨 셔츠" in dialog.before() and "블루/M" in dialog.before()
    found = dialog.search_products("린넨 셔츠")
    stock = {p["상품코드"]: p["재고"] for p in easyadmin.state()["products"]}
    assert ProductChoice("P1001-07", "린넨 셔츠", "블루/XL", 0) in found
    assert {c.code: c.stock for c in found} == {
        code: n for code, n in stock.items() if code.startswith("P1001-")
    }
    assert dialog.search_products("없는 상품") == []
    found = dialog.search_products("린넨")
    chosen = next(c for c in found if c.option == "블루/L")
    dialog.choose(chosen)
    assert "블루/L" in dialog.after()
    assert dialog.quantity_value() == 1
    dialog.close()
    assert easyadmin.events("exchange") == []


def test_exchange_only_through_the_guard_and_the_portals_refusals(
    signed_in: Page, easyadmin: MockPortal, tmp_path: Path
) -> None:
    number = str(orders_of(easyadmin, E6.number)[0]["관리번호"])
    cs = cs_order(signed_in, easyadmin.url, E6.number)
    dialog = cs.start_exchange(f"{E6.number}-02")
    with pytest.raises(GuardBypassed):
        dialog.exchange()
    refused = guard(tmp_path).commit(Change("e6/none", lambda: Seen.ABSENT), dialog.exchange)
    assert (refused.reply.answer, refused.reply.message) == (
        Answer.REFUSED, "교환할 상품을 선택해 주세요.")  # fmt: skip

    def read() -> Seen:
        page = cs_order(signed_in, easyadmin.url, E6.number).read(number)
        line = page.line(f"{E6.number}-02")
        assert line is not None
        return Seen.DONE if line.cs == "교환" else Seen.ABSENT

    dialog = ExchangeDialog(signed_in)
    if not dialog.dialog.is_visible():
        dialog = cs_order(signed_in, easyadmin.url, E6.number).start_exchange(f"{E6.number}-02")
    dialog.choose(next(c for c in dialog.search_products("린넨 셔츠") if c.option == "블랙/XL"))
    dialog.write_cs("고객 요청: 사이즈 교환")
    committed = guard(tmp_path).commit(Change("e6/exchange", read), dialog.exchange)
    assert (committed.reply.answer, committed.reply.message) == (
        Answer.DONE,
        "교환 처리되었습니다.",
    )
    assert committed.seen is Seen.DONE
    [event] = easyadmin.events("exchange")
    assert (event["line"], event["after"]) == (f"{E6.number}-02", "린넨 셔츠 블랙/XL")
    after = cs_order(signed_in, easyadmin.url, E6.number).read(number)
    line = after.line(f"{E6.number}-02")
    assert line is not None and (line.option, line.cs, line.hold) == ("블랙/XL", "교환", True)
    assert after.history[0].kind in ("상품교환", "C/S메모")

    again = cs_order(signed_in, easyadmin.url, E4.number).start_exchange(E4.detail)
    again.choose(next(c for c in again.search_products("청바지") if c.option == "28"))
    refused = guard(tmp_path).commit(Change("e4/again", lambda: Seen.ABSENT), again.exchange)
    assert (refused.reply.answer, refused.reply.message) == (
        Answer.REFUSED, "이미 교환 처리된 상품입니다.")  # fmt: skip
    assert len(easyadmin.events("exchange")) == 1


def test_the_smart_notification_dialog(
    signed_in: Page, easyadmin: MockPortal, tmp_path: Path
) -> None:
    cs = cs_order(signed_in, easyadmin.url, E4.number)
    dialog = cs.start_notification(E4.detail)
    dialog.choose_template("교환 안내")
    assert dialog.template() == "교환 안내"
    assert dialog.number().replace("-", "") == E4.recipient.phone.replace("-", "")
    preview = dialog.preview()
    for words in ("홍길동", "청바지 스트레이트 32", "CJ대한통운", "612345670104"):
        assert words in preview
    with pytest.raises(GuardBypassed):
        dialog.send()
    dialog.set_number("12")
    bad = guard(tmp_path).commit(Change("e4/bad", lambda: Seen.ABSENT), dialog.send)
    assert (bad.reply.answer, bad.reply.message) == (Answer.REFUSED, "수신번호를 확인해 주세요.")
    assert easyadmin.events("smart_notification") == []

    cs = cs_order(signed_in, easyadmin.url, E4.number)
    dialog = cs.start_notification(E4.detail)
    dialog.choose_template("교환 안내")
    sent = guard(tmp_path).commit(Change("e4/notice", lambda: Seen.DONE), dialog.send)
    assert (sent.reply.answer, sent.reply.message) == (Answer.DONE, "전송되었습니다.")
    [event] = easyadmin.events("smart_notification")
    assert (event["template"], event["number"]) == ("교환 안내", E4.recipient.phone)
    history = CsWindow(signed_in).history()
    assert any(row.words.endswith("스마트알림: 교환 안내") for row in history)
