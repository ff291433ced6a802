"""The Cafe24 shop admin mock over plain HTTP, on both markups: sign-in and menu,
전체주문조회 (fields, periods and the 3-month limit, 20 a page), 주문상세정보 (주문상품,
교환 정보 and the exchange chain, history), the 송장번호 입력 dialog with every refusal,
"already saved", the replace-confirmation and the move to 배송중, 교환 관리, the seed shared
with EasyAdmin, every fault knob. One browser test checks the roles and names.

The server's contract per shared/portals/cafe24-admin.md, each test from a fresh reset.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from fixtures._kr_shop.scenarios import (
    CHAIN,
    E1,
    E2,
    E3,
    E4,
    E5,
    E6,
    MODE_B_DONE,
    OVER_3_MONTHS,
    SEVEN_MONTHS,
)

DEMO = {"email": "demoshop", "password": "cafe24-demo"}
MARKUPS = ["a", "b"]
ONCE = pytest.mark.parametrize("markup", ["a"])  # the rule is the server's, not the markup's
STATES = ("입금전", "상품준비중", "배송준비중", "배송대기", "배송보류", "배송중", "배송완료",
          "교환접수", "교환접수 - 교환상품", "교환처리중", "교환완료", "취소완료")  # fmt: skip
CARRIERS = ["CJ대한통운", "롯데택배", "한진택배", "우체국택배", "로젠택배"]
LIST, DETAIL = "admin/order/list", "admin/order/detail"


# --- helpers ---------------------------------------------------------------------------------


def text(html: str) -> str:
    """The page's words, tags and scripts aside, whitespace squashed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def names(html: str) -> str:
    """The page's words, its aria-labels and its input buttons' values."""
    labels = re.findall(r'aria-label="([^"]+)"|type="submit"[^>]*value="([^"]+)"', html)
    extra = " ".join(unescape(a or b) for a, b in labels)
    return f"{text(html)} {extra}"


def role_text(html: str, role: str) -> list[str]:
    found = re.findall(rf'<(\w+)\b[^>]*\brole="{role}"[^>]*>(.*?)</\1>', html, flags=re.S)
    return [text(inner) for _, inner in found]


def alert(html: str) -> str:
    [found] = role_text(html, "alert")
    return found


def dialogs(html: str) -> list[str]:
    """The accessible names of the page's dialogs (native `<dialog>` or role=dialog)."""
    found = [unescape(n) for n in re.findall(r'role="dialog"[^>]*aria-label="([^"]+)"', html)]
    for ref in re.findall(r'<dialog\b[^>]*aria-labelledby="([^"]+)"', html):
        heading = re.search(rf'id="{re.escape(ref)}"[^>]*>(.*?)</', html, flags=re.S)
        assert heading, ref
        found.append(text(heading.group(1)))
    return found


def dialog_html(html: str) -> str:
    found = re.search(r'<dialog\b|role="dialog"', html)
    assert found, text(html)
    return html[found.start() :]


def rows(html: str) -> list[str]:
    """The words of each table row (`<tr>` or role=row)."""
    found = re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, flags=re.S)
    found += re.findall(r'<div role="row"[^>]*>(.*?)</div>', html, flags=re.S)
    return [text(row) for row in found]


def listed(html: str) -> list[str]:
    """The order numbers the list links to, in order."""
    return re.findall(rf'href="/cafe24/{DETAIL}\?order_id=([\d-]+)"', html)


def field(html: str, name: str) -> str:
    """The value of the form field `name`."""
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert found, name
    return unescape(found.group(1))


def pressed(html: str) -> list[str]:
    """The period buttons pressed."""
    return re.findall(r'name="period" value="([^"]+)"[^>]*aria-pressed="true"', html)


def tracking_buttons(html: str) -> list[str]:
    """The names of the "송장번호 입력 LINE" buttons (aria-label, or their words)."""
    found = re.findall(r'aria-label="(송장번호 입력 [\d-]+)"', html)
    found += [text(b) for b in re.findall(r"<button[^>]*>(송장번호 입력<span.*?)</button>", html)]
    return found


def state(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("__mock__/state")
    answer.raise_for_status()
    return answer.json()


def of(snapshot: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [e for e in snapshot["events"] if e["type"] == type_]


def order(snapshot: dict[str, Any], number: str) -> dict[str, Any]:
    return next(o for o in snapshot["orders"] if o["주문번호"] == number)


def line(snapshot: dict[str, Any], number: str) -> dict[str, Any]:
    found = order(snapshot, number.rsplit("-", 1)[0])
    return next(x for x in found["lines"] if x["품목별 주문번호"] == number)


def lines_in(snapshot: dict[str, Any], state_: str) -> list[dict[str, Any]]:
    return [x for o in snapshot["orders"] for x in o["lines"] if x["주문상태"] == state_]


def orders_list(client: httpx.Client, **params: Any) -> str:
    return client.get(LIST, params=params).text


def detail(client: httpx.Client, number: str, **params: str) -> str:
    return client.get(DETAIL, params={"order_id": number, **params}).text


def save(client: httpx.Client, number: str, carrier: str, tracking: str, **extra: str) -> Any:
    data = {"order_id": number.rsplit("-", 1)[0], "line": number, "carrier": carrier,
            "number": tracking, **extra}  # fmt: skip
    return client.post("admin/order/tracking", data=data)


def after_redirect(client: httpx.Client, answer: httpx.Response) -> str:
    assert answer.status_code == 303, text(answer.text)
    return client.get(answer.headers["location"].removeprefix("/cafe24/")).text


def months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    return day.replace(year=year, month=month)


def between(
    snapshot: dict[str, Any], start: dt.date, end: dt.date, key: str = "주문일"
) -> set[str]:
    low = dt.datetime.combine(start, dt.time())
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    return {
        o["주문번호"]
        for o in snapshot["orders"]
        if o[key] and low <= dt.datetime.fromisoformat(o[key]) < high
    }


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(params=MARKUPS)
def markup(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def seeded(base_url: str) -> Iterator[dict[str, Any]]:
    """The shop after a reset (each test resets), and a reset when the module is done."""
    with httpx.Client(base_url=f"{base_url}/cafe24/", timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield state(client)
        client.post("__mock__/reset").raise_for_status()


@pytest.fixture
def c24(base_url: str, markup: str, seeded: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client on `/cafe24/` after a reset in `markup` (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/cafe24/", timeout=10) as client:
        client.post("__mock__/reset", json={"markup": markup}).raise_for_status()
        yield client


@pytest.fixture
def admin(c24: httpx.Client) -> httpx.Client:
    """Signed in as the demo shop admin."""
    assert c24.post("login", data=DEMO).status_code == 303
    return c24


@pytest.fixture
def today(seeded: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(seeded["today"])


# --- the seed ------------------------------------------------------------------------------


def test_the_seed_has_every_state_and_the_traps(seeded: dict[str, Any], today: dt.date) -> None:
    orders = seeded["orders"]
    assert len(orders) >= 40 and len({o["주문번호"] for o in orders}) == len(orders)
    assert {x["주문상태"] for o in orders for x in o["lines"]} == set(STATES)
    hongs = {o["수령자"]["휴대전화"] for o in orders if o["수령자"]["이름"] == "홍길동"}
    hong_orders = {o["주문번호"] for o in orders if o["수령자"]["이름"] == "홍길동"}
    assert len(hongs) == 2 and hong_orders == {E4.number, E5.number}
    e6 = order(seeded, E6.number)["lines"]
    assert len(e6) == 3 and e6[0]["상품명"] == e6[1]["상품명"] and e6[0]["옵션"] != e6[1]["옵션"]
    claims = {x["원 품목별 주문번호"]: x for x in seeded["exchanges"]}
    for sc in (E2, E3, E5):  # exchanged here: -01 교환완료 or 교환처리중, -02 without a number
        first, second = order(seeded, sc.number)["lines"]
        assert first["주문상태"] in ("교환완료", "교환처리중")
        assert claims[sc.detail]["교환상태"] == first["주문상태"]
        assert (second["주문상태"], second["송장번호"]) == ("교환접수 - 교환상품", "")
    for sc in (E1, E4, E6):
        assert sc.detail not in claims
    # The chain -01 → -02 → -03, and a mode b exchange already done (-02 has the number).
    chain = [(x["원 품목별 주문번호"][-2:], x["교환 품목별 주문번호"][-2:])
             for x in seeded["exchanges"] if x["주문번호"] == CHAIN.number]  # fmt: skip
    assert sorted(chain) == [("01", "02"), ("02", "03")]
    assert line(seeded, f"{CHAIN.number}-03")["주문상태"] == "교환접수 - 교환상품"
    done = line(seeded, f"{MODE_B_DONE.number}-02")
    assert (done["배송업체"], done["송장번호"]) == ("한진택배", "412345670108")
    assert order(seeded, MODE_B_DONE.number)["history"][0]["처리자"] == "demoshop"
    assert re.fullmatch(r"B\d{8}-\d{7}", seeded["exchanges"][0]["클레임번호"])
    ages = {(today - dt.date.fromisoformat(o["주문일"][:10])).days for o in orders}
    assert min(ages) == 0 and any(8 < a < 80 for a in ages) and max(ages) > 200
    ordered = dt.date.fromisoformat(order(seeded, OVER_3_MONTHS.number)["주문일"][:10])
    assert (today - ordered).days == 100
    assert all(re.fullmatch(r"\d{8}-\d{7}", o["주문번호"]) for o in orders)
    assert all(re.fullmatch(rf"{o['주문번호']}-\d\d", x["품목별 주문번호"])
               for o in orders for x in o["lines"])  # fmt: skip


# --- signing in ------------------------------------------------------------------------------


def test_login_refuses_locks_and_returns_with_the_menu(c24: httpx.Client) -> None:
    away = c24.get(LIST)
    assert away.status_code == 303
    assert away.headers["location"] == f"/cafe24/login?next=/cafe24/{LIST}"
    page = c24.get("login").text
    assert '<html lang="ko">' in page
    assert re.search(r"쇼핑몰 관리자 로그인 .*아이디 .*비밀번호", text(page))
    wrong = c24.post("login", data={**DEMO, "password": "nope"})
    assert (
        wrong.status_code == 200
        and alert(wrong.text) == "아이디 또는 비밀번호가 일치하지 않습니다."
    )
    for _ in range(4):
        c24.post("login", data={**DEMO, "password": "nope"})
    assert "잠금" in alert(c24.post("login", data=DEMO).text)
    c24.post("__mock__/reset", json={"markup": state(c24)["markup"]}).raise_for_status()
    answer = c24.post("login", data={**DEMO, "next": f"/cafe24/{DETAIL}?order_id={E5.number}"})
    assert answer.headers["location"] == f"/cafe24/{DETAIL}?order_id={E5.number}"
    home = c24.get("").text
    assert re.search(r'aria-haspopup="menu"[^>]*>주문관리</button>', home)
    assert re.search(r'role="menu"[^>]*aria-label="주문관리"', home)
    for item, path in (("전체주문조회", LIST), ("배송준비중 관리", "admin/order/delivery"),
                       ("교환 관리", "admin/order/exchange")):  # fmt: skip
        assert re.search(rf'role="menuitem"[^>]*"/cafe24/{path}"[^>]*>{item}<', home), item
        assert c24.get(path).status_code == 200
    [event] = of(state(c24), "login")
    assert event["account"] == "demoshop"


# --- 전체주문조회 -------------------------------------------------------------------------------


def test_every_visit_starts_at_주문번호_주문일_and_7일(
    admin: httpx.Client, seeded: dict[str, Any], today: dt.date
) -> None:
    page = orders_list(admin)
    words = names(page)
    assert "전체주문조회" in words
    assert "검색항목 주문번호 품목별 주문번호 운송장번호 주문자명 수령자명 수령자 휴대전화" in words
    assert "기간 주문일 결제일 송장번호입력일" in words
    for word in (
        "검색어",
        "시작일",
        "종료일",
        "검색",
        "초기화",
        *["오늘", "어제", "3일", "7일", "15일", "1개월", "3개월"],
    ):
        assert word in words, word
    assert re.search(r"<option selected>주문번호</option>", page)
    assert re.search(r"<option selected>주문일</option>", page)
    assert pressed(page) == ["7일"] and page.count('aria-pressed="false"') == 6
    week = (today - dt.timedelta(days=7)).isoformat()
    assert (field(page, "start"), field(page, "end")) == (week, today.isoformat())
    expected = between(seeded, today - dt.timedelta(days=7), today)
    assert re.search(rf"검색결과 {len(expected)} ?건", text(page))
    newest = sorted(expected, key=lambda n: order(seeded, n)["주문일"], reverse=True)
    assert listed(page) == newest[:20]
    for header in ("주문일(결제일)", "주문번호", "주문자", "상품명", "결제금액", "주문상태"):
        assert header in words
    assert "이전" not in text(page) and ("다음" in text(page)) is (len(expected) > 20)
    assert E4.number not in expected and E6.number in listed(page)  # 20 days ago: not in 7일
    assert of(state(admin), "search") == []  # opening the page is no search


def test_20_orders_a_page_with_이전_and_다음(
    admin: httpx.Client, seeded: dict[str, Any], today: dt.date
) -> None:
    page = orders_list(admin, period="3개월")
    everything = between(seeded, months_before(today, 3), today)
    assert len(everything) > 40 and re.search(rf"검색결과 {len(everything)} ?건", text(page))
    pages = [page]
    while found := re.search(r'href="([^"]+)"[^>]*>다음<', pages[-1]):
        pages.append(admin.get(unescape(found.group(1)).removeprefix("/cafe24/")).text)
    shown = [listed(p) for p in pages]
    assert [len(numbers) for numbers in shown] == [20, 20, len(everything) - 40]
    assert ["이전" in text(p) for p in pages] == [False, True, True]
    assert ["다음" in text(p) for p in pages] == [True, True, False]
    every = [n for numbers in shown for n in numbers]
    assert len(every) == len(set(every)) and set(every) == everything
    dates = [order(seeded, n)["주문일"] for n in every]
    assert dates == sorted(dates, reverse=True)  # newest first
    back = re.search(r'href="([^"]+)"[^>]*>이전<', pages[-1])
    assert back and listed(admin.get(unescape(back.group(1)).removeprefix("/cafe24/")).text) == (
        shown[1])  # fmt: skip
    assert [e["count"] for e in of(state(admin), "search")] == [len(everything)]  # paging: none


@ONCE
def test_each_period_button_and_its_dates(
    admin: httpx.Client, seeded: dict[str, Any], today: dt.date
) -> None:
    ranges = {
        "오늘": (today, today),
        "어제": (today - dt.timedelta(days=1), today - dt.timedelta(days=1)),
        "3일": (today - dt.timedelta(days=3), today),
        "7일": (today - dt.timedelta(days=7), today),
        "15일": (today - dt.timedelta(days=15), today),
        "1개월": (months_before(today, 1), today),
        "3개월": (months_before(today, 3), today),
    }
    for period, (start, end) in ranges.items():
        page = orders_list(admin, period=period, page=9)  # a page past the end: the last
        assert (field(page, "start"), field(page, "end")) == (start.isoformat(), end.isoformat())
        assert pressed(page) == [period]
        # What the button's script sets, without a search:
        assert re.search(
            rf'value="{period}" data-period data-start="{start}" data-end="{end}"', page
        )
        expected = between(seeded, start, end)
        assert re.search(rf"검색결과 {len(expected)} ?건", text(page)), period
    # Dates typed: the button whose dates they are is pressed, or none.
    page = orders_list(admin, start=ranges["15일"][0].isoformat(), end=today.isoformat(), go=1)
    assert pressed(page) == ["15일"]
    page = orders_list(admin, start="2026-05-01", end="2026-05-02", go=1)
    assert pressed(page) == []
    assert len(of(state(admin), "search")) == 9


@ONCE
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-02-14", "2026-05-15", "검색기간은 최대 3개월까지 설정할 수 있습니다."),
        ("2025-01-01", "2026-05-15", "검색기간은 최대 3개월까지 설정할 수 있습니다."),
        ("2025-10-01", "2026-01-02", "검색기간은 최대 3개월까지 설정할 수 있습니다."),
        ("2026-05-15", "2026-05-01", "검색기간을 확인해 주세요."),
        ("2026/05/01", "2026-05-15", "검색기간을 확인해 주세요."),
        ("", "2026-05-15", "검색기간을 확인해 주세요."),
    ],
)
def test_over_3_months_or_bad_dates_are_refused(
    admin: httpx.Client, start: str, end: str, message: str
) -> None:
    page = orders_list(admin, field="주문번호", keyword="", start=start, end=end, go=1)
    assert alert(page) == message
    assert listed(page) == [] and "검색결과" not in text(page)
    assert of(state(admin), "search") == []


@ONCE
def test_three_months_back_in_time_and_the_other_dates(
    admin: httpx.Client, seeded: dict[str, Any], today: dt.date
) -> None:
    exactly = orders_list(admin, start="2026-02-15", end="2026-05-15", go=1)
    assert role_text(exactly, "alert") == [] and "검색결과" in text(exactly)
    old = order(seeded, SEVEN_MONTHS.number)["주문일"][:10]
    start = (dt.date.fromisoformat(old) - dt.timedelta(days=30)).isoformat()
    back = orders_list(admin, start=start, end=old, field="주문번호", keyword=SEVEN_MONTHS.number,
                       go=1)  # fmt: skip
    assert listed(back) == [SEVEN_MONTHS.number]
    three = orders_list(admin, period="3개월", field="주문번호", keyword=OVER_3_MONTHS.number)
    assert listed(three) == [] and "검색된 주문내역이 없습니다." in text(three)
    # 결제일: an unpaid order has none; 송장번호입력일: when a number was saved.
    week = (today - dt.timedelta(days=7)).isoformat(), today.isoformat()
    paid = orders_list(admin, date_type="결제일", start=week[0], end=week[1], go=1)
    unpaid = {o["주문번호"] for o in seeded["orders"] if o["결제일"] is None}
    assert unpaid and not unpaid & set(listed(paid))
    assert set(listed(paid)) == between(seeded, today - dt.timedelta(days=7), today, "결제일")
    typed = orders_list(admin, date_type="송장번호입력일", start=week[0], end=week[1], go=1)
    dated = {o["주문번호"] for o in seeded["orders"]
             if any((x["송장번호입력일"] or "")[:10] >= week[0] for x in o["lines"])}  # fmt: skip
    assert set(listed(typed)) == dated and E1.number in dated and E6.number not in dated
    assert re.search(r"<option selected>송장번호입력일</option>", typed)


@ONCE
@pytest.mark.parametrize(
    ("field", "keyword", "expected"),
    [
        ("주문번호", E5.number, {E5.number}),
        ("주문번호", f" {E5.number} ", {E5.number}),
        ("주문번호", E5.number[:-1], set()),
        ("주문번호", "20250305", set()),
        ("품목별 주문번호", f"{E5.number}-02", {E5.number}),
        ("품목별 주문번호", E5.number, set()),
        ("운송장번호", "612345670104", {E4.number}),
        ("운송장번호", "61234567010", set()),
        ("운송장번호", "612-345-670-104", set()),
        ("주문자명", "홍길동", {E4.number}),
        ("주문자명", "김영", {E5.number}),
        ("수령자명", "홍길동", {E4.number, E5.number}),
        ("수령자명", "길동", {E4.number, E5.number}),
        ("수령자 휴대전화", "010-8642-9753", {E5.number}),
        ("수령자 휴대전화", "01086429753", {E5.number}),
        ("수령자 휴대전화", "8642-97", {E5.number}),
        ("수령자 휴대전화", "010-7531-8642", set()),  # the orderer's, not the recipient's
    ],
)  # fmt: skip
def test_numbers_match_whole_names_and_mobiles_any_part(
    admin: httpx.Client, field: str, keyword: str, expected: set[str]
) -> None:
    page = orders_list(admin, field=field, keyword=keyword, period="3개월")
    assert set(listed(page)) == expected
    assert ("검색된 주문내역이 없습니다." in text(page)) is not bool(expected)
    assert re.search(rf"<option selected>{field}</option>", page)
    [event] = of(state(admin), "search")
    assert (event["field"], event["keyword"], event["count"]) == (field, keyword.strip(),
                                                                   len(expected))  # fmt: skip


def test_a_row_reads_첫_상품_외_2건_money_dates_and_links(admin: httpx.Client) -> None:
    page = orders_list(admin, field="주문번호", keyword=E6.number, go=1)
    [row] = [r for r in rows(page) if E6.number in r]
    assert "린넨 셔츠 외 2건" in row and "90,900원" in row and "배송대기" in row and "최유나" in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d \d\d:\d\d\)", row)
    assert f'href="/cafe24/{DETAIL}?order_id={E6.number}"' in page
    assert "주문 목록" in names(page)
    one = orders_list(admin, field="주문번호", keyword=E1.number, go=1)
    [row] = [r for r in rows(one) if E1.number in r]
    assert "린넨 셔츠 39,000원" in row and " 외 " not in row


# --- 주문상세정보 -------------------------------------------------------------------------------


def test_order_details_show_people_lines_exchanges_and_history(admin: httpx.Client) -> None:
    page = detail(admin, E5.number)
    words = names(page)
    assert "주문상세정보" in words and f"주문번호 {E5.number}" in words
    for title, person in (("주문자 정보", E5.orderer), ("수령자 정보", E5.recipient)):
        after = r"(?: 주문자| 수령자| 처리상태| 주문상품| 결제금액|$)"
        found = re.search(rf"{title} 이름 (\S+) 휴대전화 (\S+) 주소 (.+?){after}", text(page))
        assert found, title
        assert found.groups() == (person.name, person.phone, person.address)
    assert re.search(r'role="region" aria-labelledby|<section class="card" aria-labelledby', page)
    for header in ("주문상품", "품목별 주문번호", "상품명", "옵션", "수량", "판매가", "주문상태",
                   "배송업체", "송장번호", "교환 정보", "클레임번호", "원 품목별 주문번호",
                   "교환 품목별 주문번호", "교환상태", "처리상태 히스토리", "일시", "내용",
                   "처리자"):  # fmt: skip
        assert header in words, header
    assert tracking_buttons(page) == [f"송장번호 입력 {E5.number}-0{i}" for i in (1, 2)]
    first = [r for r in rows(page) if f"{E5.number}-01" in r and "운동화" in r]
    assert (
        first and "화이트/260" in first[0] and "89,000원" in first[0] and "교환처리중" in first[0]
    )
    assert any(f"{E5.number}-01" in r and f"{E5.number}-02" in r and "교환처리중" in r
               for r in rows(page))  # fmt: skip
    history = [r for r in rows(page) if "이지어드민" in r or "demoshop" in r]
    assert "교환처리중" in history[0] and "송장번호 입력: CJ대한통운 612300001055" in history[-1]
    plain = detail(admin, E1.number)
    assert "교환 정보" not in names(plain) and tracking_buttons(plain) == [
        f"송장번호 입력 {E1.detail}"]  # fmt: skip
    chain = rows(detail(admin, CHAIN.number))
    assert any(f"{CHAIN.number}-01" in r and f"{CHAIN.number}-02" in r for r in chain)
    assert any(f"{CHAIN.number}-02" in r and f"{CHAIN.number}-03" in r for r in chain)
    missing = admin.get(DETAIL, params={"order_id": "20250399-0000999"})
    assert missing.status_code == 404 and "찾을 수 없습니다" in alert(missing.text)


def test_the_tracking_dialog(admin: httpx.Client) -> None:
    assert dialogs(detail(admin, E5.number)) == []
    page = detail(admin, E5.number, tracking=f"{E5.number}-02")
    assert dialogs(page) == ["송장번호 입력"]
    inside = dialog_html(page)
    words = names(inside)
    assert f"{E5.number}-02" in words and "운동화 화이트/265" in words
    assert "배송업체" in words and "송장번호" in words and "저장" in words and "취소" in words
    options = re.findall(r"<option[^>]*>([^<]+)</option>", inside)
    assert options == ["-선택-", *CARRIERS]
    assert re.search(r'<option value="">-선택-</option>', inside) and "selected" not in inside
    assert dialogs(detail(admin, E5.number, tracking="nope")) == []


# --- 송장번호 입력: the rules --------------------------------------------------------------


@pytest.mark.parametrize(
    ("carrier", "tracking", "message"),
    [
        ("", "651234567890", "배송업체를 선택해 주세요."),
        ("대한통운", "651234567890", "배송업체를 선택해 주세요."),
        ("롯데택배", "", "송장번호를 입력해 주세요."),
        ("롯데택배", "   ", "송장번호를 입력해 주세요."),
        ("롯데택배", "6512-3456-7890", "송장번호는 숫자만 입력해 주세요."),
        ("롯데택배", "6512 3456 7890", "송장번호는 숫자만 입력해 주세요."),
        ("롯데택배", " 651234567890", "송장번호는 숫자만 입력해 주세요."),
        ("롯데택배", "65123456789O", "송장번호는 숫자만 입력해 주세요."),
        ("롯데택배", "６５１２３４５６７８９０", "송장번호는 숫자만 입력해 주세요."),
        ("롯데택배", "65123456789", "송장번호 자릿수가 올바르지 않습니다."),
        ("CJ대한통운", "6123456789012", "송장번호 자릿수가 올바르지 않습니다."),
        ("한진택배", "41234567", "송장번호 자릿수가 올바르지 않습니다."),
        ("우체국택배", "651234567890", "송장번호 자릿수가 올바르지 않습니다."),
        ("로젠택배", "651234567890", "송장번호 자릿수가 올바르지 않습니다."),
    ],
)
def test_refused_numbers_show_the_dialogs_alert_and_save_nothing(
    admin: httpx.Client, seeded: dict[str, Any], carrier: str, tracking: str, message: str
) -> None:
    target = f"{E5.number}-02"
    answer = save(admin, target, carrier, tracking)
    assert answer.status_code == 200 and dialogs(answer.text) == ["송장번호 입력"]
    assert alert(answer.text) == message and message in text(dialog_html(answer.text))
    assert f'value="{tracking}"' in answer.text  # what was typed stays
    after = state(admin)
    assert after["orders"] == seeded["orders"]
    [refused] = of(after, "tracking_refused")
    assert (refused["line"], refused["reason"], refused["account"]) == (target, message, "demoshop")
    assert of(after, "tracking_saved") == []


@pytest.mark.parametrize(
    "state_", ["입금전", "상품준비중", "교환접수", "교환처리중", "교환완료", "취소완료"]
)
def test_a_line_in_a_state_without_numbers_is_refused(
    admin: httpx.Client, seeded: dict[str, Any], state_: str
) -> None:
    target = lines_in(seeded, state_)[0]["품목별 주문번호"]
    answer = save(admin, target, "CJ대한통운", "612345678901")
    assert alert(answer.text) == "송장번호를 입력할 수 없는 주문상태입니다."
    after = state(admin)
    assert after["orders"] == seeded["orders"] and len(of(after, "tracking_refused")) == 1


def test_a_saved_number_moves_the_line_to_배송중(admin: httpx.Client) -> None:
    target = f"{E5.number}-02"
    page = after_redirect(admin, save(admin, target, "롯데택배", "651234567890"))
    assert role_text(page, "status") == ["저장되었습니다."] and dialogs(page) == []
    row = next(r for r in rows(page) if target in r and "운동화" in r)
    assert "배송중" in row and "롯데택배" in row and "651234567890" in row
    assert any("송장번호 입력: 롯데택배 651234567890" in r and "demoshop" in r for r in rows(page))
    assert role_text(detail(admin, E5.number), "status") == []  # said once
    after = state(admin)
    got = line(after, target)
    assert (got["주문상태"], got["배송업체"], got["송장번호"]) == (
        "배송중",
        "롯데택배",
        "651234567890",
    )
    assert got["송장번호입력일"].startswith(after["today"])
    top = order(after, E5.number)["history"][0]
    assert (top["품목별 주문번호"], top["내용"], top["처리자"]) == (
        target, "송장번호 입력: 롯데택배 651234567890", "demoshop")  # fmt: skip
    [saved] = of(after, "tracking_saved")
    assert (saved["line"], saved["carrier"], saved["number"], saved["previous"], saved["by"]) == (
        target, "롯데택배", "651234567890", "", "demoshop")  # fmt: skip
    assert of(after, "tracking_replaced") == []
    assert line(after, E5.detail)["주문상태"] == "교환처리중"  # the original line is untouched


@ONCE
@pytest.mark.parametrize("state_", ["배송준비중", "배송대기", "배송보류", "교환접수 - 교환상품"])
def test_every_state_waiting_for_a_number_becomes_배송중(
    admin: httpx.Client, seeded: dict[str, Any], state_: str
) -> None:
    target = next(x for x in lines_in(seeded, state_) if not x["송장번호"])["품목별 주문번호"]
    assert save(admin, target, "한진택배", "4123456789").status_code == 303
    assert line(state(admin), target)["주문상태"] == "배송중"


def test_the_same_number_again_changes_nothing(admin: httpx.Client, seeded: dict[str, Any]) -> None:
    target = f"{MODE_B_DONE.number}-02"  # mode b already done: the number is there
    page = after_redirect(admin, save(admin, target, "한진택배", "412345670108"))
    assert role_text(page, "status") == ["이미 등록된 송장번호입니다."]
    after = state(admin)
    assert after["orders"] == seeded["orders"]
    assert [e["type"] for e in after["events"]] == ["login"]


def test_another_number_asks_before_replacing(admin: httpx.Client, seeded: dict[str, Any]) -> None:
    target = f"{MODE_B_DONE.number}-02"
    asked = save(admin, target, "한진택배", "412345670109")
    question = "이미 송장번호가 입력되어 있습니다. 변경하시겠습니까?"
    assert asked.status_code == 200 and dialogs(asked.text) == [question]
    inside = dialog_html(asked.text)
    assert "확인" in names(inside) and "취소" in names(inside)
    assert f'href="/cafe24/{DETAIL}?order_id={MODE_B_DONE.number}"' in inside or (
        f"/cafe24/{DETAIL}?order_id={MODE_B_DONE.number}" in inside
    )  # 취소: back, nothing saved
    assert state(admin)["orders"] == seeded["orders"]
    also = save(admin, target, "롯데택배", "412345670108")  # another carrier is another number
    assert dialogs(also.text) == [question]
    page = after_redirect(admin, save(admin, target, "한진택배", "412345670109", confirm="1"))
    assert role_text(page, "status") == ["저장되었습니다."]
    after = state(admin)
    assert line(after, target)["송장번호"] == "412345670109"
    assert order(after, MODE_B_DONE.number)["history"][0]["내용"] == (
        "송장번호 변경: 한진택배 412345670108 → 한진택배 412345670109")  # fmt: skip
    [saved], [replaced] = of(after, "tracking_saved"), of(after, "tracking_replaced")
    assert (saved["previous"], replaced["previous"], replaced["number"]) == (
        "412345670108", "412345670108", "412345670109")  # fmt: skip


def test_exchanges_page_lists_every_exchange(admin: httpx.Client, seeded: dict[str, Any]) -> None:
    page = admin.get("admin/order/exchange").text
    words = names(page)
    assert "교환 관리" in words
    for header in (
        "클레임번호",
        "주문번호",
        "원 품목별 주문번호",
        "교환 품목별 주문번호",
        "교환상태",
    ):
        assert header in words
    claims = {x["클레임번호"] for x in seeded["exchanges"]}
    assert {c for c in re.findall(r"B\d{8}-\d{7}", page)} == claims
    for sc in (E2, E3, E5, CHAIN):
        assert f'href="/cafe24/{DETAIL}?order_id={sc.number}"' in page
    assert re.findall(r'<form method="post" action="([^"]+)"', page) == ["/cafe24/logout"]


def test_ready_to_ship_lists_the_orders_in_배송준비중(
    admin: httpx.Client, seeded: dict[str, Any]
) -> None:
    page = admin.get("admin/order/delivery").text
    assert "배송준비중 관리" in text(page)
    expected = {o["주문번호"] for o in seeded["orders"]
                if any(x["주문상태"] == "배송준비중" for x in o["lines"])}  # fmt: skip
    assert set(listed(page)) == expected and expected


# --- one shop with EasyAdmin ---------------------------------------------------------------


@ONCE
def test_a_reset_here_resets_easyadmin_too(base_url: str, admin: httpx.Client) -> None:
    with httpx.Client(base_url=f"{base_url}/easyadmin/", timeout=10) as ez:
        fresh = state(ez)["orders"]
        ez.post("__mock__/collect").raise_for_status()
        assert state(ez)["orders"] != fresh
        admin.post("__mock__/reset", json={"markup": "b"}).raise_for_status()
        now = state(ez)
        assert now["orders"] == fresh and now["events"] == [] and now["markup"] == "b"


# --- faults ------------------------------------------------------------------------------------


def test_maintenance_errors_and_commit_then_error(admin: httpx.Client) -> None:
    target = f"{E5.number}-02"
    admin.post("__mock__/faults", json={"maintenance": True}).raise_for_status()
    down = admin.get(LIST)
    assert down.status_code == 503 and "서비스 점검 안내" in text(down.text)
    admin.post("__mock__/faults", json={"error_rate": 1}).raise_for_status()
    failed = save(admin, target, "롯데택배", "651234567890")
    assert failed.status_code == 500 and "일시적인 오류가 발생했습니다" in text(failed.text)
    assert line(state(admin), target)["송장번호"] == ""
    admin.post("__mock__/faults", json={"commit_then_error": 1}).raise_for_status()
    assert save(admin, target, "롯데택배", "651234567890").status_code == 502
    assert line(state(admin), target)["송장번호"] == "651234567890"  # it happened
    again = after_redirect(admin, save(admin, target, "롯데택배", "651234567890"))
    assert role_text(again, "status") == ["이미 등록된 송장번호입니다."]
    assert len(of(state(admin), "tracking_saved")) == 1


def test_sessions_cookies_slow_lists_latency_and_drift(admin: httpx.Client) -> None:
    admin.post("__mock__/faults", json={"cookie_banner": True}).raise_for_status()
    assert "쿠키 사용 안내" in text(admin.get(LIST).text)
    admin.post("__mock__/faults", json={"slow_list_ms": 250, "latency_ms": 100}).raise_for_status()
    start = time.monotonic()
    page = admin.get(LIST).text
    assert time.monotonic() - start >= 0.1
    assert 'aria-busy="true"' in page and 'data-delay="250"' in page
    hidden = re.sub(r"<template\b.*?</template>", "", page, flags=re.S)
    assert listed(hidden) == [] and listed(page)  # the rows come after the page
    exchanges = admin.get("admin/order/exchange").text
    assert 'aria-busy="true"' in exchanges
    drift = {"송장번호 입력": "운송장 등록", "주문상세정보": "주문 상세"}
    admin.post("__mock__/faults", json={"drift": drift}).raise_for_status()
    drifted = names(detail(admin, E5.number))
    assert "운송장 등록" in drifted and "주문 상세" in drifted and "송장번호 입력" not in drifted
    admin.post("__mock__/faults", json={"session_ttl_s": 0.001}).raise_for_status()
    time.sleep(0.01)
    gone = save(admin, f"{E5.number}-02", "롯데택배", "651234567890")
    assert gone.status_code == 303 and "/cafe24/login?next=" in gone.headers["location"]
    assert of(state(admin), "tracking_saved") == []


@pytest.mark.parametrize("markup", ["b"])
def test_markup_b_keeps_the_words_in_other_elements(admin: httpx.Client) -> None:
    page = detail(admin, E5.number, tracking=f"{E5.number}-02")
    again = detail(admin, E5.number, tracking=f"{E5.number}-02")
    ids = re.compile(r'\bid="([^"]+)"')
    assert set(ids.findall(page)).isdisjoint(ids.findall(again))  # new on every load
    assert "<table" not in page and "<dialog" not in page and "<label" not in page
    assert dialogs(page) == ["송장번호 입력"]
    words = names(page)
    assert words.index("수령자 정보") < words.index("주문자 정보")  # another order
    assert words.index("처리상태 히스토리") < words.index("교환 정보")
    assert 'role="table" aria-label="주문상품"' in page
    assert tracking_buttons(page) == [f"송장번호 입력 {E5.number}-0{i}" for i in (1, 2)]
    listing = orders_list(admin, period="3개월")
    assert listing.index(">다음<") < listing.index("검색결과")  # the pager above the list


# --- in a browser: the roles and names a page object relies on ------------------------------


@pytest.mark.parametrize("look", MARKUPS)
def test_roles_and_names_in_a_browser(page: Page, base_url: str, look: str) -> None:
    httpx.post(f"{base_url}/cafe24/__mock__/reset", json={"markup": look}).raise_for_status()
    page.goto(f"{base_url}/cafe24/login")
    page.get_by_label("아이디").fill("demoshop")
    page.get_by_label("비밀번호").fill("cafe24-demo")
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("button", name="주문관리").click()
    page.get_by_role("menuitem", name="전체주문조회").click()
    expect(page.get_by_role("heading", name="전체주문조회")).to_be_visible()
    expect(page.get_by_role("button", name="7일")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("검색항목")).to_have_value("주문번호")
    page.get_by_label("검색어").fill(E5.number)
    page.get_by_role("button", name="1개월").click()  # sets the dates, searches nothing
    expect(page.get_by_label("시작일")).to_have_value("2026-04-15")
    expect(page.get_by_label("종료일")).to_have_value("2026-05-15")
    expect(page.get_by_role("button", name="7일")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_label("검색어")).to_have_value(E5.number)
    page.get_by_role("button", name="검색", exact=True).click()
    expect(page.get_by_role("button", name="1개월")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("table", name="주문 목록").get_by_role("link", name=E5.number).click()
    expect(page.get_by_role("heading", name="주문상세정보")).to_be_visible()
    expect(page.get_by_role("region", name="수령자 정보")).to_contain_text("010-8642-9753")
    expect(page.get_by_role("table", name="교환 정보")).to_contain_text(f"{E5.number}-02")
    page.get_by_role("button", name=f"송장번호 입력 {E5.number}-02").click()
    dialog = page.get_by_role("dialog", name="송장번호 입력")
    dialog.get_by_label("배송업체").select_option("롯데택배")
    dialog.get_by_label("송장번호").fill("6512-3456-7890")
    dialog.get_by_role("button", name="저장").click()
    dialog = page.get_by_role("dialog", name="송장번호 입력")
    expect(dialog.get_by_role("alert")).to_have_text("송장번호는 숫자만 입력해 주세요.")
    dialog.get_by_label("송장번호").fill("651234567890")
    dialog.get_by_role("button", name="저장").click()
    expect(page.get_by_role("status")).to_have_text("저장되었습니다.")
    expect(page.get_by_role("table", name="주문상품")).to_contain_text("651234567890")
    page.get_by_role("button", name=f"송장번호 입력 {E5.number}-02").click()
    dialog = page.get_by_role("dialog", name="송장번호 입력")
    dialog.get_by_label("배송업체").select_option("롯데택배")
    dialog.get_by_label("송장번호").fill("651234567891")
    dialog.get_by_role("button", name="저장").click()
    question = page.get_by_role(
        "dialog", name="이미 송장번호가 입력되어 있습니다. 변경하시겠습니까?"
    )
    question.get_by_role("button", name="취소").click()
    expect(page.get_by_role("table", name="주문상품")).to_contain_text("651234567890")
    expect(page.get_by_role("dialog")).to_have_count(0)
