"""The EasyAdmin CS window mock over plain HTTP, on both markups: sign-in, the C/S page's
search (numbers whole, names and phones any part, periods by collection date, nothing
over six months), the order view, 상품교환 by the line's 상태 and every refusal, C/S남기기,
스마트알림, the scenarios E1–E6 at reset, the controls `collect` and `ship` and what they
change in the Cafe24 mock, one reset for both, every fault knob. One browser test checks
the roles and names a page object relies on.

The server's contract per shared/portals/easyadmin-cs.md, each test from a fresh reset.
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
    SCENARIOS,
    SEVEN_MONTHS,
)

DEMO = {"domain": "demo", "user": "cs01", "password": "ezadmin-demo"}
CAFE24_DEMO = {"email": "demoshop", "password": "cafe24-demo"}
MARKUPS = ["a", "b"]
ONCE = pytest.mark.parametrize("markup", ["a"])  # the rule is the server's, not the markup's


# --- helpers ---------------------------------------------------------------------------------


def text(html: str) -> str:
    """The page's words, tags and scripts aside, whitespace squashed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shown(html: str) -> str:
    """The words a person sees at once: a `<template>` (a list filled in later) aside."""
    return text(re.sub(r"<template\b.*?</template>", " ", html, flags=re.S))


def role_text(html: str, role: str) -> list[str]:
    """The words of every element with this role (`alert`, `status`)."""
    found = re.findall(rf'<(\w+)\b[^>]*\brole="{role}"[^>]*>(.*?)</\1>', html, flags=re.S)
    return [text(inner) for _, inner in found]


def names(html: str) -> str:
    """The page's words and its aria-labels: the names a screen reader has."""
    labels = " ".join(unescape(x) for x in re.findall(r'aria-label="([^"]+)"', html))
    return f"{text(html)} {labels}"


def alert(html: str) -> str:
    [found] = role_text(html, "alert")
    return found


def dialogs(html: str) -> list[str]:
    """The accessible names of the page's dialogs (native `<dialog>` or role=dialog)."""
    names = [unescape(n) for n in re.findall(r'role="dialog"[^>]*aria-label="([^"]+)"', html)]
    for ref in re.findall(r'<dialog\b[^>]*aria-labelledby="([^"]+)"', html):
        heading = re.search(rf'id="{re.escape(ref)}"[^>]*>(.*?)</', html, flags=re.S)
        assert heading, ref
        names.append(text(heading.group(1)))
    return names


def dialog_html(html: str) -> str:
    """From the open dialog on (the dialog comes last on its page)."""
    found = re.search(r'<dialog\b|role="dialog"', html)
    assert found, text(html)
    return html[found.start() :]


def results(html: str) -> list[int]:
    """The 관리번호 buttons of the table "주문 목록", in order."""
    return [int(n) for n in re.findall(r'<button[^>]*\bname="order" value="(\d+)"', html)]


def rows(html: str) -> list[str]:
    """The words of each table row (`<tr>` or role=row)."""
    found = re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, flags=re.S)
    found += re.findall(r'<div role="row"[^>]*>(.*?)</div>', html, flags=re.S)
    return [text(row) for row in found]


def row_with(html: str, *values: str) -> str:
    """The one row that has every value (in any order of columns)."""
    [found] = [row for row in rows(html) if all(v in row.split(" ") or v in row for v in values)]
    return found


def radios(html: str) -> list[str]:
    """The names of the line radios (aria-label, or the cell aria-labelledby points at)."""
    names = re.findall(r'type="radio" name="line"[^>]*aria-label="([^"]+)"', html)
    for ref in re.findall(r'type="radio" name="line"[^>]*aria-labelledby="([^"]+)"', html):
        cell = re.search(rf'id="{re.escape(ref)}"[^>]*>(.*?)</', html, flags=re.S)
        assert cell, ref
        names.append(text(cell.group(1)))
    return names


def state(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("__mock__/state")
    answer.raise_for_status()
    return answer.json()


def events(client: httpx.Client, type_: str | None = None) -> list[dict[str, Any]]:
    return of(state(client), type_)


def of(snapshot: dict[str, Any], type_: str | None = None) -> list[dict[str, Any]]:
    """The events of one type in a `__mock__/state`."""
    return [e for e in snapshot["events"] if type_ is None or e["type"] == type_]


def orders_of(snapshot: dict[str, Any], number: str) -> list[dict[str, Any]]:
    """EasyAdmin's orders of one 주문번호 in a `__mock__/state`, the original first."""
    found = [o for o in snapshot["orders"] if o["주문번호"] == number]
    return sorted(found, key=lambda o: o["관리번호"])


def ez_order(snapshot: dict[str, Any], number: int) -> dict[str, Any]:
    return next(o for o in snapshot["orders"] if o["관리번호"] == number)


def c24_order(snapshot: dict[str, Any], number: str) -> dict[str, Any]:
    return next(o for o in snapshot["orders"] if o["주문번호"] == number)


def c24_line(snapshot: dict[str, Any], number: str) -> dict[str, Any]:
    order = c24_order(snapshot, number.rsplit("-", 1)[0])
    return next(line for line in order["lines"] if line["품목별 주문번호"] == number)


def numbers(snapshot: dict[str, Any], *scenarios: Any) -> set[int]:
    """The 관리번호 of every EasyAdmin order of these scenarios."""
    wanted = {sc.number for sc in scenarios}
    return {o["관리번호"] for o in snapshot["orders"] if o["주문번호"] in wanted}


def first(snapshot: dict[str, Any], sc: Any) -> int:
    """The 관리번호 of a scenario's (original) order."""
    return orders_of(snapshot, sc.number)[0]["관리번호"]


def search(client: httpx.Client, field: str, q: str, period: str = "1개월") -> str:
    params = {"field": field, "q": q, "period": period, "go": "1"}
    return client.get("cs", params=params).text


def found(client: httpx.Client, field: str, q: str, period: str = "1개월") -> set[int]:
    """The 관리번호 a search finds."""
    return set(results(search(client, field, q, period)))


def view(client: httpx.Client, number: int, **params: Any) -> str:
    return client.get("cs", params={"order": number, **params}).text


def exchange(client: httpx.Client, number: int, line: int, product: str, **fields: str) -> Any:
    data = {"order": str(number), "line": str(line), "product": product, "qty": "1", **fields}
    return client.post("cs/exchange", data=data)


def line_index(order: dict[str, Any], detail: str) -> int:
    return [line["주문상세번호"] for line in order["lines"]].index(detail)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(params=MARKUPS)
def markup(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def seeded(base_url: str) -> Iterator[dict[str, Any]]:
    """The shop's state after a reset (the same for every test: each one resets), and a
    reset when the module is done, so the next tests find the defaults."""
    with httpx.Client(base_url=f"{base_url}/easyadmin/", timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield state(client)
        client.post("__mock__/reset").raise_for_status()


@pytest.fixture
def ez(base_url: str, markup: str, seeded: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client on `/easyadmin/` after a reset in `markup` (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/easyadmin/", timeout=10) as client:
        client.post("__mock__/reset", json={"markup": markup}).raise_for_status()
        yield client


@pytest.fixture
def cs(ez: httpx.Client) -> httpx.Client:
    """Signed in as the demo CS agent."""
    assert ez.post("login", data=DEMO).status_code == 303
    return ez


@pytest.fixture
def cafe24(base_url: str, ez: httpx.Client) -> Iterator[httpx.Client]:
    """The Cafe24 mock of the same shop, signed in (the EasyAdmin reset reset it too)."""
    with httpx.Client(base_url=f"{base_url}/cafe24/", timeout=10) as client:
        assert client.post("login", data=CAFE24_DEMO).status_code == 303
        yield client


# --- signing in ------------------------------------------------------------------------------
# --- signing in ------------------------------------------------------------------------------


def test_login_asks_domain_id_password_and_refuses_in_korean(ez: httpx.Client) -> None:
    away = ez.get("cs", params={"q": "x"})
    assert away.status_code == 303
    assert away.headers["location"] == "/easyadmin/login?next=/easyadmin/cs%3Fq%3Dx"
    page = ez.get("login").text
    assert '<html lang="ko">' in page
    assert re.search(r"이지어드민 로그인 .*도메인 .*아이디 .*비밀번호", text(page))
    assert re.search(
        r'<button type="submit"[^>]*>로그인</button>|type="submit" value="로그인"', page
    )
    for wrong in ({**DEMO, "password": "x"}, {**DEMO, "domain": "other"}, {**DEMO, "user": "cs02"}):
        answer = ez.post("login", data=wrong)
        assert (
            answer.status_code == 200
            and alert(answer.text) == "아이디 또는 비밀번호를 확인해 주세요."
        )
    for _ in range(4):  # failures count per domain and ID: the 5th locks cs01 of demo
        ez.post("login", data={**DEMO, "password": "x"})
    locked = ez.post("login", data=DEMO)
    assert "잠겼습니다" in alert(locked.text)  # even the right password, once locked
    failed = events(ez)
    assert [(e["account"], e["domain"], e["locked"]) for e in failed[:3]] == [
        ("cs01", "demo", False), ("cs01", "other", False), ("cs02", "demo", False)]  # fmt: skip
    assert [e["type"] for e in failed] == ["login_failed"] * 8 and failed[-1]["locked"]


def test_login_returns_to_the_page_asked_for_and_has_the_menu(ez: httpx.Client) -> None:
    answer = ez.post("login", data={**DEMO, "domain": " DEMO ", "next": "/easyadmin/cs?q=1"})
    assert answer.status_code == 303 and answer.headers["location"] == "/easyadmin/cs?q=1"
    home = ez.get("").text
    assert re.search(r'aria-haspopup="menu"[^>]*>CS관리</button>', home)
    assert re.search(r'role="menu"[^>]*aria-label="CS관리"', home)
    assert re.search(r'role="menuitem"[^>]*href="/easyadmin/cs"[^>]*>C/S<', home)
    assert ez.post("logout").headers["location"] == "/easyadmin/login"
    assert ez.get("cs").status_code == 303
    [event] = events(ez)
    assert (event["type"], event["account"], event["domain"]) == ("login", "cs01", "DEMO")


# --- the C/S page ----------------------------------------------------------------------------


def test_every_visit_starts_at_주문번호_and_1개월(cs: httpx.Client) -> None:
    page = cs.get("cs").text
    words = text(page)
    assert (
        "C/S" in words
        and "검색조건 주문번호 주문상세번호 관리번호 수령자 주문자 전화번호 송장번호" in words
    )
    assert "기간 1주일 1개월 3개월 6개월" in words and "검색어" in words
    assert re.search(r"<option selected>주문번호</option>", page)
    assert re.search(r"<option selected>1개월</option>", page)
    assert results(page) == [] and "주문 목록" not in names(page)  # nothing until 검색
    searched = search(cs, "수령자", "홍길동", "6개월")
    assert re.search(r"<option selected>수령자</option>", searched)
    assert re.search(r"<option selected>6개월</option>", searched)
    assert 'value="홍길동"' in searched
    again = cs.get("cs").text  # a new visit: the defaults again
    assert re.search(r"<option selected>주문번호</option>", again)
    assert re.search(r"<option selected>1개월</option>", again)


def test_results_have_the_spec_columns_and_one_row_per_order(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    page = search(cs, "주문번호", E4.number)
    words = names(page)
    assert "주문 목록" in words
    for header in ("관리번호", "판매처", "주문번호", "주문자", "수령자", "발주일", "상태", "C/S"):
        assert header in words
    original, made = orders_of(seeded, E4.number)
    assert results(page) == [made["관리번호"], original["관리번호"]]  # newest collected first
    row = row_with(page, str(made["관리번호"]))
    assert all(v in row for v in ("카페24", E4.number, "홍길동", "배송", "정상"))
    assert re.search(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\b", words)
    nothing = search(cs, "주문번호", "20250399-0000999")
    assert results(nothing) == [] and "검색된 주문이 없습니다." in text(nothing)
    first_search, second_search = events(cs, "search")
    assert (first_search["field"], first_search["q"], first_search["period"]) == (
        "주문번호", E4.number, "1개월")  # fmt: skip
    assert (first_search["count"], second_search["count"]) == (2, 0)
    # The 관리번호 buttons load the order and keep the search; no new search is logged.
    loaded = view(cs, original["관리번호"], field="주문번호", q=E4.number, s="1")
    assert results(loaded) == results(page) and "주문 정보" in names(loaded)
    assert len(events(cs, "search")) == 2


@ONCE
@pytest.mark.parametrize(
    ("field", "query", "expected"),
    [
        ("주문번호", E4.number, [E4]),
        ("주문번호", f"  {E4.number} ", [E4]),
        ("주문번호", "20250304-000010", []),  # a part of a number finds nothing
        ("주문번호", "20250304", []),
        ("주문상세번호", E6.detail, [E6]),
        ("주문상세번호", "-02", []),
        ("수령자", "홍길동", [E4, E5]),
        ("수령자", "길동", [E4, E5]),
        ("수령자", "홍 길 동", [E4, E5]),
        ("주문자", "홍길동", [E4]),  # E5 was ordered by someone else
        ("주문자", "김영희", [E5]),
        ("전화번호", "010-2468-1357", [E4]),
        ("전화번호", "01024681357", [E4]),
        ("전화번호", "2468-13", [E4]),
        ("전화번호", "86429753", [E5]),
        ("송장번호", "651234567890", ["E5 교환주문"]),
        ("송장번호", "65123456789", []),
        ("송장번호", "651-234-567-890", []),
    ],
)  # fmt: skip
def test_numbers_match_whole_names_and_phones_any_part(
    cs: httpx.Client, seeded: dict[str, Any], field: str, query: str, expected: list[Any]
) -> None:
    if expected == ["E5 교환주문"]:
        want = {orders_of(seeded, E5.number)[1]["관리번호"]}
    else:
        want = numbers(seeded, *expected)
    page = search(cs, field, query)
    assert set(results(page)) == want
    assert ("검색된 주문이 없습니다." in text(page)) is not bool(want)


@ONCE
def test_관리번호_matches_whole(cs: httpx.Client, seeded: dict[str, Any]) -> None:
    number = first(seeded, E1)
    assert found(cs, "관리번호", str(number)) == {number}
    assert found(cs, "관리번호", str(number)[:-1]) == set()
    assert found(cs, "관리번호", f"0{number}") == set()


@ONCE
def test_periods_count_from_the_collection_date_and_six_months_is_the_end(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    today = dt.date.fromisoformat(seeded["today"])

    def collected_within(days: int) -> set[int]:
        start = dt.datetime.combine(today - dt.timedelta(days=days), dt.time())
        return {
            o["관리번호"]
            for o in seeded["orders"]
            if dt.datetime.fromisoformat(o["발주일"]) >= start
        }

    every = {
        period: found(cs, "주문번호", "", period) for period in ("1주일", "1개월", "3개월", "6개월")
    }
    assert every["1주일"] == collected_within(7)
    assert every["1개월"] == collected_within(30)  # since 15 April
    assert every["3개월"] == collected_within(89)  # since 15 February
    assert every["6개월"] == collected_within(181)  # since 15 November
    assert every["1주일"] < every["1개월"] < every["3개월"] < every["6개월"]
    assert numbers(seeded, E1) <= every["1주일"]  # collected 6 days ago
    assert numbers(seeded, E5).isdisjoint(every["1주일"])  # 25 days ago
    assert numbers(seeded, E5) <= every["1개월"]
    [old] = orders_of(seeded, OVER_3_MONTHS.number)  # collected 100 days ago
    assert old["관리번호"] not in every["3개월"] and old["관리번호"] in every["6개월"]
    # Collected seven months ago: never found, not even by its 관리번호, nor shown.
    [seven] = orders_of(seeded, SEVEN_MONTHS.number)
    assert all(seven["관리번호"] not in found_ for found_ in every.values())
    assert found(cs, "관리번호", str(seven["관리번호"]), "6개월") == set()
    assert found(cs, "주문번호", SEVEN_MONTHS.number, "6개월") == set()
    page = view(cs, seven["관리번호"])
    assert role_text(page, "alert") == ["검색된 주문이 없습니다."]
    assert "주문 정보" not in names(page)


def test_order_view_shows_주문_정보_상품리스트_and_CS이력(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    original, made = orders_of(seeded, E4.number)
    page = view(cs, original["관리번호"])
    words = names(page)
    assert re.search(r'aria-labelledby="([^"]+)"[^>]*>\s*<(h2|div role="heading")', page)
    facts = (("관리번호", str(original["관리번호"])), ("주문번호", E4.number),
             ("판매처", "카페24"), ("주문자", "홍길동"), ("수령자", "홍길동"),
             ("휴대폰", E4.recipient.phone), ("주소", E4.recipient.address))  # fmt: skip
    for label, value in facts:
        assert re.search(rf"{label} {re.escape(value)}", words), label
    assert "원주문 관리번호" not in words
    assert "상품리스트" in words and "C/S이력" in words
    for header in ("선택", "주문상세번호", "상품명", "옵션", "수량", "상태", "C/S", "택배사",
                   "송장번호", "보류", "일시", "작업자", "구분", "내용"):  # fmt: skip
        assert header in words, header
    assert radios(page) == [E4.detail]
    assert (
        "청바지 스트레이트 30 1 배송 교환" in words
        or "청바지 스트레이트 30 1 배송 교환" in text(page)
    )
    assert all(
        f">{b}<" in page or f'value="{b}"' in page for b in ("상품교환", "C/S남기기", "스마트알림")
    )
    # The 교환주문 names its original; C/S이력 newest first.
    made_page = text(view(cs, made["관리번호"]))
    assert re.search(rf"원주문 관리번호 {original['관리번호']}", made_page)
    assert [row["구분"] for row in made["C/S이력"]] == [
        "판매처 송장등록",
        "배송",
        "송장",
        "상품교환",
    ]
    kinds = re.findall(r"판매처 송장등록|배송 CJ|송장 CJ|상품교환 청바지", made_page)
    assert kinds == ["판매처 송장등록", "배송 CJ", "송장 CJ", "상품교환 청바지"]


# --- the scenarios at reset ------------------------------------------------------------------


def test_E1_to_E6_at_reset(seeded: dict[str, Any], base_url: str) -> None:
    assert [sc.name for sc in SCENARIOS] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    ez = seeded
    c24 = httpx.get(f"{base_url}/cafe24/__mock__/state").json()  # the reset of `seeded`
    claims = {x["원 품목별 주문번호"]: x for x in c24["exchanges"]}

    # E1: -01 배송, 정상, the number sent to Cafe24; no Cafe24 exchange.
    [e1] = orders_of(ez, E1.number)
    [line] = e1["lines"]
    assert (line["주문상세번호"], line["상태"], line["C/S"]) == (E1.detail, "배송", "정상")
    assert e1["C/S이력"][0]["구분"] == "판매처 송장등록"
    assert c24_line(c24, E1.detail)["송장번호"] == line["송장번호"] == "612300001011"
    assert E1.detail not in claims and len(c24_order(c24, E1.number)["lines"]) == 1

    # E2: collected, -01 배송 정상 here; Cafe24 exchanged it after (-01 → -02).
    [e2] = orders_of(ez, E2.number)
    assert [(x["상태"], x["C/S"]) for x in e2["lines"]] == [("배송", "정상")]
    assert claims[E2.detail]["교환 품목별 주문번호"] == f"{E2.number}-02"
    assert c24_line(c24, E2.detail)["주문상태"] == "교환처리중"
    new = c24_line(c24, f"{E2.number}-02")
    assert (new["주문상태"], new["송장번호"], new["옵션"]) == (
        "교환접수 - 교환상품",
        "",
        "화이트/XL",
    )

    # E3: not collected; Cafe24 exchanged -01 → -02.
    assert orders_of(ez, E3.number) == [] and E3.number in ez["uncollected"]
    assert c24_line(c24, E3.detail)["주문상태"] == "교환완료"
    assert c24_line(c24, f"{E3.number}-02")["주문상태"] == "교환접수 - 교환상품"

    # E4: 교환주문 배송, its number sent to Cafe24's -01 (old product), no 스마트알림.
    original, made = orders_of(ez, E4.number)
    assert [(x["상태"], x["C/S"]) for x in original["lines"]] == [("배송", "교환")]
    assert made["원주문"] == original["관리번호"]
    [line] = made["lines"]
    assert (line["주문상세번호"], line["옵션"], line["상태"], line["C/S"]) == (
        E4.detail, "32", "배송", "정상")  # fmt: skip
    assert (line["택배사"], line["송장번호"]) == ("CJ대한통운", "612345670104")
    assert made["C/S이력"][0]["구분"] == "판매처 송장등록"
    everything = original["C/S이력"] + made["C/S이력"]
    assert not [row for row in everything if row["구분"] == "스마트알림"]
    sent = c24_line(c24, E4.detail)
    assert (sent["송장번호"], sent["옵션"]) == ("612345670104", "30")  # 교환 미반영
    assert c24_order(c24, E4.number)["history"][0]["처리자"] == "이지어드민"
    assert E4.detail not in claims

    # E5: mode b: 교환주문 배송 롯데택배 651234567890, the send failed; Cafe24 -02 empty.
    original, made = orders_of(ez, E5.number)
    assert (made["lines"][0]["택배사"], made["lines"][0]["송장번호"]) == (
        "롯데택배",
        "651234567890",
    )
    assert made["lines"][0]["상태"] == "배송"
    assert made["C/S이력"][0]["구분"] == "판매처 송장등록 실패"
    assert original["수령자"]["이름"] == made["수령자"]["이름"] == "홍길동"
    assert original["수령자"]["휴대폰"] != orders_of(ez, E4.number)[0]["수령자"]["휴대폰"]
    assert c24_line(c24, f"{E5.number}-02")["송장번호"] == ""
    assert claims[E5.detail]["교환상태"] in ("교환처리중", "교환완료")

    # E6: three lines, -01 and -02 one product in two options, all 송장, not on hold.
    [e6] = orders_of(ez, E6.number)
    lines = e6["lines"]
    assert [x["주문상세번호"] for x in lines] == [f"{E6.number}-0{i}" for i in (1, 2, 3)]
    assert {x["상태"] for x in lines} == {"송장"} and not e6["보류"]
    assert lines[0]["상품명"] == lines[1]["상품명"] and lines[0]["옵션"] != lines[1]["옵션"]


def test_every_상태_and_CS_and_the_seeded_traps(seeded: dict[str, Any]) -> None:
    lines = [line for o in seeded["orders"] for line in o["lines"]]
    assert {line["상태"] for line in lines} == {"접수", "송장", "배송"}
    assert {line["C/S"] for line in lines} == {"정상", "교환", "취소"}
    assert {(line["상태"], line["C/S"]) for line in lines} >= {
        ("접수", "정상"), ("접수", "교환"), ("접수", "취소"), ("송장", "정상"), ("송장", "교환"),
        ("배송", "정상"), ("배송", "교환")}  # fmt: skip
    assert any(o["보류"] for o in seeded["orders"])
    assert all(o["판매처"] == "카페24" for o in seeded["orders"])
    managed = [o["관리번호"] for o in seeded["orders"]]
    assert len(set(managed)) == len(managed) == len(seeded["orders"]) >= 40
    assert [p["재고"] for p in seeded["products"] if p["옵션"] == "블루/XL"] == [0]
    today = dt.date.fromisoformat(seeded["today"])
    [seven] = orders_of(seeded, SEVEN_MONTHS.number)
    collected = dt.date.fromisoformat(seven["발주일"][:10])
    assert dt.timedelta(days=200) < today - collected < dt.timedelta(days=230)
    chain, done = orders_of(seeded, CHAIN.number), orders_of(seeded, MODE_B_DONE.number)
    assert [o["C/S이력"][0]["구분"] for o in chain + done] == [
        "상품교환", "판매처 송장등록 실패", "상품교환", "판매처 송장등록 실패"]  # fmt: skip


# --- 상품교환 ------------------------------------------------------------------------------------


def test_the_exchange_dialog_steps_keep_what_was_typed(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    number = first(seeded, E6)
    none_chosen = view(cs, number, dialog="exchange")
    assert alert(none_chosen) == "상품을 선택해 주세요." and dialogs(none_chosen) == []
    opened = view(cs, number, dialog="exchange", line="1")
    assert dialogs(opened) == ["상품교환"] and not role_text(dialog_html(opened), "alert")
    inside = text(dialog_html(opened))
    for words in ("교환전 상품", "린넨 셔츠", "블랙/L", "교환후 상품", "수량", "C/S내용"):
        assert words in inside, words
    buttons = dialog_html(opened)
    for button in ("검색/선택", "교환", "닫기"):
        assert f">{button}<" in buttons or f'value="{button}"' in buttons, button
    assert "상품코드" not in inside  # the product search opens with 검색/선택
    picking = view(cs, number, dialog="exchange", line="1", pick="1", qty="1", memo="고객 요청")
    inside = names(dialog_html(picking))
    assert "상품명" in inside and ">검색<" in dialog_html(picking) and "상품코드" not in inside
    listed = view(cs, number, dialog="exchange", line="1", pick="1", psearch="1", pq="린넨",
                  memo="고객 요청")  # fmt: skip
    inside = names(dialog_html(listed))
    assert "상품 검색 결과" in inside and all(h in inside for h in ("상품코드", "재고"))
    assert dialog_html(listed).count(">선택</button>") == 7 and "면 티셔츠" not in inside
    assert re.search(r"P1001-07 린넨 셔츠 블루/XL 0|블루/XL 린넨 셔츠 0 P1001-07", inside)  # 재고 0
    chosen = view(cs, number, dialog="exchange", line="1", ps="1", pq="린넨", choose="P1001-06",
                  memo="고객 요청", qty="1")  # fmt: skip
    inside = dialog_html(chosen)
    assert "블랙/XL" in text(inside).split("교환후 상품")[1]
    assert 'name="product" value="P1001-06"' in inside and "고객 요청" in inside
    assert 'value="린넨"' in inside  # what was typed stays
    after = state(cs)
    assert after["orders"] == seeded["orders"] and of(after, "exchange") == []


def test_exchange_in_접수_replaces_the_line_in_place(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    order = next(o for o in seeded["orders"] if o["lines"][0]["상태"] == "접수"
                 and o["lines"][0]["C/S"] == "정상" and not o["보류"]
                 and o["원주문"] is None)  # fmt: skip
    number, line = order["관리번호"], order["lines"][0]
    answer = exchange(cs, number, 0, "P1010-01", qty=str(line["수량"]))
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/easyadmin/cs?") and f"order={number}" in location
    page = cs.get(location.removeprefix("/easyadmin/")).text
    assert role_text(page, "status") == ["교환 처리되었습니다."]
    assert role_text(cs.get(location.removeprefix("/easyadmin/")).text, "status") == []  # once
    after = state(cs)
    changed = ez_order(after, number)["lines"][0]
    assert (changed["주문상세번호"], changed["상품명"], changed["옵션"], changed["C/S"]) == (
        line["주문상세번호"], "머플러", "카멜/FREE", "교환")  # fmt: skip
    assert changed["상태"] == "접수" and not ez_order(after, number)["보류"]
    assert len(after["orders"]) == len(seeded["orders"])
    top = ez_order(after, number)["C/S이력"][0]
    assert (top["작업자"], top["구분"], top["내용"]) == (
        "cs01", "상품교환", f"{line['상품명']} {line['옵션']} → 머플러 카멜/FREE")  # fmt: skip
    [event] = of(after, "exchange")
    assert (event["관리번호"], event["line"], event["new_관리번호"], event["상태"]) == (
        number, line["주문상세번호"], None, "접수")  # fmt: skip
    assert (event["after"], event["account"]) == ("머플러 카멜/FREE", "cs01")


def test_exchange_in_송장_replaces_in_place_and_holds_the_order(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    number = first(seeded, E6)
    answer = exchange(cs, number, 1, "P1001-06", memo="  사이즈   교환 요청 ")
    assert answer.status_code == 303
    after = state(cs)
    order = ez_order(after, number)
    assert order["보류"] and all(line["보류"] for line in order["lines"])
    assert [(x["옵션"], x["C/S"], x["상태"]) for x in order["lines"]] == [
        ("블랙/M", "정상", "송장"), ("블랙/XL", "교환", "송장"),
        ("네이비/FREE", "정상", "송장")]  # fmt: skip
    rows = [(r["구분"], r["내용"]) for r in order["C/S이력"][:2]]
    assert ("상품교환", "린넨 셔츠 블랙/L → 린넨 셔츠 블랙/XL") in rows
    assert ("C/S메모", "사이즈 교환 요청") in rows
    assert len(orders_of(after, E6.number)) == 1
    stock = {p["상품코드"]: p["재고"] for p in seeded["products"]}
    assert {p["상품코드"]: p["재고"] for p in after["products"]}["P1001-06"] == stock[
        "P1001-06"
    ] - 1
    page = text(view(cs, number))
    assert re.search(r"블랙/XL 1 송장 교환 (CJ대한통운 612300001066 보류|보류 CJ대한통운)", page)


def test_exchange_after_배송_makes_a_교환주문(cs: httpx.Client, seeded: dict[str, Any]) -> None:
    number = first(seeded, E1)
    highest = max(o["관리번호"] for o in seeded["orders"])
    assert exchange(cs, number, 0, "P1001-03").status_code == 303
    after = state(cs)
    original, made = orders_of(after, E1.number)
    assert original["관리번호"] == number
    assert [(x["상태"], x["C/S"], x["옵션"]) for x in original["lines"]] == [
        ("배송", "교환", "블루/M")
    ]
    assert made["관리번호"] == highest + 1 and made["원주문"] == number
    assert made["주문번호"] == E1.number and made["수령자"] == original["수령자"]
    [line] = made["lines"]
    assert (line["주문상세번호"], line["상품명"], line["옵션"], line["상태"], line["C/S"]) == (
        E1.detail, "린넨 셔츠", "블루/L", "접수", "정상")  # fmt: skip
    assert (line["택배사"], line["송장번호"]) == ("", "")
    assert original["C/S이력"][0]["내용"] == "린넨 셔츠 블루/M → 린넨 셔츠 블루/L"
    assert made["C/S이력"][0]["구분"] == "상품교환"
    [event] = of(after, "exchange")
    assert (event["new_관리번호"], event["before"], event["after"], event["상태"]) == (
        made["관리번호"], "린넨 셔츠 블루/M", "린넨 셔츠 블루/L", "배송")  # fmt: skip
    # One 주문번호, two rows; the 교환주문 shows its original.
    assert results(search(cs, "주문번호", E1.number)) == [made["관리번호"], number]
    assert re.search(rf"원주문 관리번호 {number}", text(view(cs, made["관리번호"])))


@ONCE
def test_a_part_of_a_line_exchanged_before_shipping_splits_it(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    order = next(o for o in seeded["orders"] if o["lines"][0]["상태"] == "접수"
                 and o["lines"][0]["C/S"] == "정상" and o["lines"][0]["수량"] == 2)  # fmt: skip
    number, line = order["관리번호"], order["lines"][0]
    assert exchange(cs, number, 0, "P1010-01", qty="1").status_code == 303
    one, other = ez_order(state(cs), number)["lines"][:2]
    assert (one["수량"], one["C/S"], one["옵션"]) == (1, "정상", line["옵션"])
    assert (other["수량"], other["C/S"], other["옵션"]) == (1, "교환", "카멜/FREE")
    assert one["주문상세번호"] == other["주문상세번호"] == line["주문상세번호"]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("already exchanged", "이미 교환 처리된 상품입니다."),
        ("cancelled", "취소된 상품은 교환할 수 없습니다."),
        ("no product", "교환할 상품을 선택해 주세요."),
        ("unknown product", "교환할 상품을 선택해 주세요."),
        ("no quantity", "교환 수량을 확인해 주세요."),
        ("too many", "교환 수량을 확인해 주세요."),
        ("not a number", "교환 수량을 확인해 주세요."),
        ("no line", "상품을 선택해 주세요."),
    ],
)
def test_refusals_show_their_alert_and_change_nothing(
    cs: httpx.Client, seeded: dict[str, Any], case: str, message: str
) -> None:
    cancelled = next(o for o in seeded["orders"] if o["lines"][0]["C/S"] == "취소")
    number, line, fields = first(seeded, E1), "0", {"product": "P1001-03", "qty": "1"}
    if case == "already exchanged":
        number = first(seeded, E4)
    elif case == "cancelled":
        number = cancelled["관리번호"]
    elif case == "no product":
        fields["product"] = ""
    elif case == "unknown product":
        fields["product"] = "P9999-01"
    elif case == "no quantity":
        fields["qty"] = "0"
    elif case == "too many":
        fields["qty"] = "2"
    elif case == "not a number":
        fields["qty"] = "한 개"
    else:
        line = ""
    data = {"order": str(number), "line": line, "memo": "x", **fields}
    answer = cs.post("cs/exchange", data=data)
    assert answer.status_code == 200 and alert(answer.text) == message
    if case != "no line":
        assert dialogs(answer.text) == ["상품교환"]  # the dialog again, its alert inside
        assert message in text(dialog_html(answer.text))
    after = state(cs)
    assert after["orders"] == seeded["orders"]
    [refused] = of(after, "exchange_refused")
    assert refused["reason"] == message and of(after, "exchange") == []


def test_a_line_already_exchanged_or_cancelled_says_so_when_the_dialog_opens(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    page = view(cs, first(seeded, E4), dialog="exchange", line="0")
    assert dialogs(page) == ["상품교환"] and alert(page) == "이미 교환 처리된 상품입니다."
    cancelled = next(o for o in seeded["orders"] if o["lines"][0]["C/S"] == "취소")
    page = view(cs, cancelled["관리번호"], dialog="exchange", line="0")
    assert alert(page) == "취소된 상품은 교환할 수 없습니다."
    # Exchanged once here, never twice: the second submit of the same form is refused.
    e2 = first(seeded, E2)
    assert exchange(cs, e2, 0, "P1002-04").status_code == 303
    again = exchange(cs, e2, 0, "P1002-04")
    assert alert(again.text) == "이미 교환 처리된 상품입니다."
    after = state(cs)
    assert len(orders_of(after, E2.number)) == 2 and len(of(after, "exchange")) == 1


# --- C/S남기기 and 스마트알림 ----------------------------------------------------------------


def test_cs_note_is_kept_in_CS이력(cs: httpx.Client, seeded: dict[str, Any]) -> None:
    number = first(seeded, E6)
    page = view(cs, number, dialog="note")
    assert dialogs(page) == ["C/S남기기"] and "C/S내용" in names(dialog_html(page))
    assert ">닫기<" in dialog_html(page) and (">저장<" in page or 'value="저장"' in page)
    empty = cs.post("cs/note", data={"order": str(number), "memo": "   "})
    assert alert(empty.text) == "C/S내용을 입력해 주세요." and dialogs(empty.text) == ["C/S남기기"]
    saved = cs.post("cs/note", data={"order": str(number), "memo": "고객 통화: 교환 요청"})
    assert saved.status_code == 303
    page = cs.get(saved.headers["location"].removeprefix("/easyadmin/")).text
    assert role_text(page, "status") == ["저장되었습니다."]
    after = state(cs)
    top = ez_order(after, number)["C/S이력"][0]
    assert (top["작업자"], top["구분"], top["내용"]) == ("cs01", "C/S메모", "고객 통화: 교환 요청")
    [event] = of(after, "cs_note")
    assert (event["관리번호"], event["text"]) == (number, "고객 통화: 교환 요청")


def test_smart_notification_previews_the_exchange_and_sends(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    original, made = orders_of(seeded, E4.number)
    number = original["관리번호"]
    page = view(cs, number, dialog="smart")
    assert dialogs(page) == ["스마트알림"]
    inside = dialog_html(page)
    assert re.search(r"<option selected>교환 안내</option>\s*<option>배송 안내</option>", inside)
    assert f'value="{E4.recipient.phone}"' in inside
    preview = names(inside)
    for fact in ("템플릿", "수신번호", "미리보기", "홍길동님", "청바지 스트레이트 32",
                 "택배사: CJ대한통운", "송장번호: 612345670104"):  # fmt: skip
        assert fact in preview, fact
    assert "readonly" in inside and ("전송" in inside and "취소" in inside)
    other = view(cs, number, dialog="smart", template="배송 안내")
    assert re.search(r"<option selected>배송 안내</option>", other)
    assert "[배송 안내]" in text(dialog_html(other))
    for bad in ("", "010-123", "02-123-4567", "abc", "010-2468-13579"):
        data = {"order": str(number), "template": "교환 안내", "to": bad}
        refused = cs.post("cs/smart", data=data)
        assert alert(refused.text) == "수신번호를 확인해 주세요.", bad
        assert dialogs(refused.text) == ["스마트알림"]
    for to in (E4.recipient.phone, "01024681357"):  # resending is allowed
        sent = cs.post("cs/smart", data={"order": str(number), "template": "교환 안내", "to": to})
        assert sent.status_code == 303
    page = cs.get(sent.headers["location"].removeprefix("/easyadmin/")).text
    assert role_text(page, "status") == ["전송되었습니다."]
    after = state(cs)
    rows = [(r["작업자"], r["구분"], r["내용"]) for r in ez_order(after, number)["C/S이력"]]
    assert rows[:2] == [("cs01", "스마트알림", "스마트알림: 교환 안내")] * 2
    one, two = of(after, "smart_notification")
    assert (one["template"], one["number"], two["number"]) == (
        "교환 안내", E4.recipient.phone, "01024681357")  # fmt: skip
    assert "612345670104" in one["text"] and "홍길동" in one["text"]
    # On the 교환주문 itself, the same facts; before it ships, 미등록.
    assert "송장번호: 612345670104" in text(view(cs, made["관리번호"], dialog="smart"))
    e1 = first(seeded, E1)
    exchange(cs, e1, 0, "P1001-03")
    waiting = text(view(cs, e1, dialog="smart"))
    assert "린넨 셔츠 블루/L" in waiting and "택배사: 미등록" in waiting
    assert "송장번호: 미등록" in waiting


# --- what passes between EasyAdmin and Cafe24 ----------------------------------------------


@ONCE
def test_collect_brings_the_new_paid_orders_once(
    cs: httpx.Client, cafe24: httpx.Client, seeded: dict[str, Any]
) -> None:
    unpaid = {o["주문번호"] for o in state(cafe24)["orders"] if o["결제일"] is None}
    assert unpaid < set(seeded["uncollected"]) and E3.number in seeded["uncollected"]
    assert found(cs, "주문번호", E3.number) == set()
    answer = cs.post("__mock__/collect")
    assert answer.status_code == 200
    collected = answer.json()["collected"]
    assert {c["주문번호"] for c in collected} == set(seeded["uncollected"]) - unpaid
    assert cs.post("__mock__/collect").json()["collected"] == []
    after = state(cs)
    assert set(after["uncollected"]) == unpaid  # unpaid orders wait
    [e3] = orders_of(after, E3.number)
    [line] = e3["lines"]  # only the exchange's line: -01 was exchanged away in Cafe24
    assert (line["주문상세번호"], line["옵션"], line["상태"], line["C/S"]) == (
        f"{E3.number}-02", "그레이/FREE", "접수", "정상")  # fmt: skip
    assert e3["관리번호"] > max(o["관리번호"] for o in seeded["orders"])
    assert found(cs, "주문번호", E3.number, "1주일") == {e3["관리번호"]}
    one, two = of(after, "collect")
    assert one["count"] == len(collected) and two["count"] == 0
    assert [o["수집"] for o in state(cafe24)["orders"] if o["주문번호"] == E3.number] == [True]


@ONCE
def test_ship_in_mode_a_saves_the_number_on_cafe24s_original_line(
    cs: httpx.Client, cafe24: httpx.Client, seeded: dict[str, Any]
) -> None:
    exchange(cs, first(seeded, E1), 0, "P1001-03")
    made = max(o["관리번호"] for o in seeded["orders"]) + 1
    body = {"관리번호": made, "택배사": "CJ대한통운", "송장번호": "612345678901"}
    answer = cs.post("__mock__/ship", json=body)
    assert answer.status_code == 200
    assert answer.json()["sent"] == [{"line": E1.detail, "ok": True, "previous": "612300001011"}]
    after = state(cs)
    shipped = ez_order(after, made)
    assert [(x["상태"], x["택배사"], x["송장번호"]) for x in shipped["lines"]] == [
        ("배송", "CJ대한통운", "612345678901")]  # fmt: skip
    assert [r["구분"] for r in shipped["C/S이력"][:3]] == ["판매처 송장등록", "배송", "송장"]
    assert [e["type"] for e in after["events"]][-2:] == ["ship", "channel_tracking_sent"]
    [sent] = of(after, "channel_tracking_sent")
    assert (sent["line"], sent["ok"], sent["관리번호"]) == (E1.detail, True, made)
    shop = state(cafe24)
    line = c24_line(shop, E1.detail)
    assert (line["배송업체"], line["송장번호"], line["옵션"]) == (
        "CJ대한통운",
        "612345678901",
        "블루/M",
    )
    assert len(c24_order(shop, E1.number)["lines"]) == 1  # Cafe24 shows no exchange
    top = c24_order(shop, E1.number)["history"][0]
    assert (top["품목별 주문번호"], top["내용"], top["처리자"]) == (
        E1.detail, "송장번호 입력: CJ대한통운 612345678901", "이지어드민")  # fmt: skip
    [saved] = of(shop, "tracking_saved")
    assert (saved["by"], saved["number"], saved["previous"], saved["account"]) == (
        "이지어드민", "612345678901", "612300001011", None)  # fmt: skip
    detail = text(cafe24.get("admin/order/detail", params={"order_id": E1.number}).text)
    assert "송장번호 입력: CJ대한통운 612345678901" in detail and "이지어드민" in detail


@ONCE
def test_ship_in_mode_b_fails_and_cafe24_is_unchanged(
    cs: httpx.Client, cafe24: httpx.Client, seeded: dict[str, Any]
) -> None:
    exchange(cs, first(seeded, E2), 0, "P1002-04")
    made = max(o["관리번호"] for o in seeded["orders"]) + 1
    before = c24_order(state(cafe24), E2.number)
    body = {"관리번호": str(made), "택배사": "롯데택배", "송장번호": "650000000002"}
    answer = cs.post("__mock__/ship", json=body)
    assert answer.json()["sent"] == [{"line": E2.detail, "ok": False, "previous": ""}]
    after = state(cs)
    shipped = ez_order(after, made)
    assert shipped["lines"][0]["상태"] == "배송"
    assert shipped["C/S이력"][0]["구분"] == "판매처 송장등록 실패"
    [sent] = of(after, "channel_tracking_sent")
    assert sent["ok"] is False
    shop = state(cafe24)
    assert c24_order(shop, E2.number) == before and of(shop, "tracking_saved") == []
    page = text(view(cs, made))
    assert "판매처 송장등록 실패" in page and "650000000002" in page


@ONCE
@pytest.mark.parametrize(
    ("which", "body", "status"),
    [
        ("none", {"관리번호": 1, "택배사": "CJ대한통운", "송장번호": "612345678901"}, 404),
        ("none", {"관리번호": "없음", "택배사": "CJ대한통운", "송장번호": "612345678901"}, 404),
        ("none", {"택배사": "CJ대한통운", "송장번호": "612345678901"}, 400),
        ("E6", {"택배사": "대한통운", "송장번호": "612345678901"}, 400),
        ("E6", {"택배사": "CJ대한통운", "송장번호": "6123-4567"}, 400),
        ("E6", {"택배사": "CJ대한통운", "송장번호": ""}, 400),
        ("E1", {"택배사": "CJ대한통운", "송장번호": "612345678901"}, 409),  # all 배송
        ("held", {"택배사": "CJ대한통운", "송장번호": "612345678901"}, 409),  # 보류
    ],
)
def test_ship_refuses_what_cannot_be_shipped(
    cs: httpx.Client, seeded: dict[str, Any], which: str, body: dict[str, Any], status: int
) -> None:
    if which == "E1":
        body = {**body, "관리번호": first(seeded, E1)}
    elif which == "E6":
        body = {**body, "관리번호": first(seeded, E6)}
    elif which == "held":
        body = {**body, "관리번호": next(o for o in seeded["orders"] if o["보류"])["관리번호"]}
    answer = cs.post("__mock__/ship", json=body)
    assert answer.status_code == status and answer.json()["error"]
    after = state(cs)
    assert after["orders"] == seeded["orders"] and of(after, "ship") == []


@ONCE
def test_ship_a_plain_order_sends_every_line(
    cs: httpx.Client, cafe24: httpx.Client, seeded: dict[str, Any]
) -> None:
    order = next(o for o in seeded["orders"]
                 if all(x["상태"] == "접수" and x["C/S"] == "정상" for x in o["lines"])
                 and not o["보류"] and len(o["lines"]) == 2)  # fmt: skip
    body = {"관리번호": order["관리번호"], "택배사": "우체국택배", "송장번호": "6012345678901"}
    assert [s["ok"] for s in cs.post("__mock__/ship", json=body).json()["sent"]] == [True, True]
    shop = state(cafe24)
    for line in order["lines"]:
        got = c24_line(shop, line["주문상세번호"])
        assert (got["송장번호"], got["주문상태"]) == ("6012345678901", "배송중")
    assert cs.post("__mock__/ship", content=b"[1]").status_code == 400


# --- one shop, one reset ------------------------------------------------------------------------


@ONCE
def test_a_reset_of_either_mock_resets_both(
    cs: httpx.Client, cafe24: httpx.Client, seeded: dict[str, Any]
) -> None:
    fresh_c24 = state(cafe24)["orders"]
    exchange(cs, first(seeded, E1), 0, "P1001-03")
    data = {"order_id": E5.number, "line": f"{E5.number}-02", "carrier": "롯데택배",
            "number": "651234567890"}  # fmt: skip
    assert cafe24.post("admin/order/tracking", data=data).status_code == 303
    cafe24.post("__mock__/faults", json={"maintenance": True}).raise_for_status()
    cs.post("__mock__/reset", json={"markup": "b", "today": "2026-06-01"}).raise_for_status()
    for client in (cs, cafe24):
        now = state(client)
        assert (now["today"], now["markup"], now["events"], now["faults"]) == (
            "2026-06-01", "b", [], {})  # fmt: skip
    assert cafe24.get("admin/order/list").status_code == 303  # sessions of both are gone
    cafe24.post("__mock__/reset").raise_for_status()  # and the other way round
    ez_now = state(cs)
    assert ez_now["orders"] == seeded["orders"] and ez_now["markup"] == "a"
    assert state(cafe24)["orders"] == fresh_c24


@ONCE
def test_reset_today_moves_every_date_and_seed_moves_the_filler(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    cs.post("__mock__/reset", json={"today": "2026-05-25"}).raise_for_status()
    later = state(cs)
    for sc in (E1, E2, E4, E5, E6):
        before = dt.datetime.fromisoformat(orders_of(seeded, sc.number)[0]["발주일"])
        after = dt.datetime.fromisoformat(orders_of(later, sc.number)[0]["발주일"])
        assert after - before == dt.timedelta(days=10), sc.name
    cs.post("__mock__/reset", json={"seed": 7}).raise_for_status()
    seeded_7 = {o["주문번호"] for o in state(cs)["orders"]}
    assert seeded_7 != {o["주문번호"] for o in seeded["orders"]}  # other filler orders
    assert {sc.number for sc in SCENARIOS} - {E3.number} <= seeded_7
    assert cs.post("__mock__/reset", json={"markup": "c"}).status_code == 400
    assert cs.post("__mock__/reset", json={"today": "15/05/2026"}).status_code == 400
    assert cs.post("__mock__/reset", json={"color": 1}).status_code == 400


# --- faults ------------------------------------------------------------------------------------


def test_maintenance_errors_and_commit_then_error(cs: httpx.Client, seeded: dict[str, Any]) -> None:
    e1 = first(seeded, E1)
    cs.post("__mock__/faults", json={"maintenance": True}).raise_for_status()
    down = cs.get("cs")
    assert down.status_code == 503 and "시스템 점검 중" in text(down.text)
    cs.post("__mock__/faults", json={"error_rate": 1, "seed": 3}).raise_for_status()
    failed = exchange(cs, e1, 0, "P1001-03")
    assert failed.status_code == 500 and "일시적인 오류가 발생했습니다" in text(failed.text)
    cs.post("__mock__/faults", json={"commit_then_error": 1}).raise_for_status()
    ambiguous = exchange(cs, e1, 0, "P1001-03")
    assert ambiguous.status_code == 502 and "일시적인 오류가 발생했습니다" in text(ambiguous.text)
    again = exchange(cs, e1, 0, "P1001-03")
    assert alert(again.text) == "이미 교환 처리된 상품입니다."
    after = state(cs)
    assert len(orders_of(after, E1.number)) == 2 and len(of(after, "exchange")) == 1  # it happened
    assert after["faults"] == {}  # used up
    assert cs.post("__mock__/faults", json={"nope": 1}).status_code == 400
    assert cs.post("__mock__/faults", json={"latency_ms": -1}).status_code == 400


def test_sessions_cookies_slow_lists_latency_and_drift(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    cs.post("__mock__/faults", json={"cookie_banner": True}).raise_for_status()
    page = text(cs.get("cs").text)
    assert "쿠키 사용 안내" in page and "동의" in page
    cs.post("__mock__/faults", json={"slow_list_ms": 300, "latency_ms": 100}).raise_for_status()
    start = time.monotonic()
    slow = search(cs, "수령자", "홍길동")
    assert time.monotonic() - start >= 0.1
    assert 'aria-busy="true"' in slow and 'data-delay="300"' in slow
    assert "홍길동" not in shown(slow).split("검색어")[1] and "홍길동" in text(slow)  # filled later
    drift = {"상품교환": "교환하기", "C/S이력": "CS 이력"}
    cs.post("__mock__/faults", json={"drift": drift}).raise_for_status()
    drifted = names(view(cs, first(seeded, E4)))
    assert "교환하기" in drifted and "CS 이력" in drifted and "상품교환" not in drifted
    cs.post("__mock__/faults", json={"session_ttl_s": 0.001}).raise_for_status()
    time.sleep(0.01)
    gone = cs.get("cs")
    assert gone.status_code == 303 and "/easyadmin/login?next=" in gone.headers["location"]
    assert exchange(cs, first(seeded, E1), 0, "P1001-03").status_code == 303  # to log in
    after = state(cs)
    assert after["orders"] == seeded["orders"] and of(after, "exchange_refused") == []


@pytest.mark.parametrize("markup", ["b"])
def test_markup_b_keeps_the_words_in_other_elements(
    cs: httpx.Client, seeded: dict[str, Any]
) -> None:
    e6 = first(seeded, E6)
    params = {"field": "주문번호", "q": E6.number, "s": "1", "dialog": "exchange", "line": "1"}
    page = view(cs, e6, **params)
    again = view(cs, e6, **params)
    ids = re.compile(r'\bid="([^"]+)"')
    assert set(ids.findall(page)).isdisjoint(ids.findall(again))  # new on every load
    assert "<dialog" not in page and "<caption" not in page and "<label" not in page
    assert 'role="table" aria-label="주문 목록"' in page
    assert dialogs(page) == ["상품교환"]
    assert radios(page) == [f"{E6.number}-0{i}" for i in (1, 2, 3)]
    words = names(page)
    assert words.index("C/S이력") < words.index("주문 정보")  # another order of regions
    assert words.index("스마트알림") < words.index("상품교환")
    # The 관리번호 buttons submit the search form from outside it.
    form = re.search(r'<form method="get" action="/easyadmin/cs" id="(\w+)"', page)
    assert form and f'form="{form.group(1)}" name="order" value="{e6}"' in page


# --- in a browser: the roles and names a page object relies on ------------------------------


@pytest.mark.parametrize("look", MARKUPS)
def test_roles_and_names_in_a_browser(page: Page, base_url: str, look: str) -> None:
    httpx.post(f"{base_url}/easyadmin/__mock__/reset", json={"markup": look}).raise_for_status()
    page.goto(f"{base_url}/easyadmin/login")
    page.get_by_label("도메인").fill("demo")
    page.get_by_label("아이디").fill("cs01")
    page.get_by_label("비밀번호").fill("ezadmin-demo")
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("button", name="CS관리").click()
    page.get_by_role("menuitem", name="C/S").click()
    expect(page.get_by_role("heading", name="C/S", level=1)).to_be_visible()
    expect(page.get_by_label("검색조건")).to_have_value("주문번호")
    expect(page.get_by_label("기간")).to_have_value("1개월")
    page.get_by_label("검색어").fill(E6.number)
    page.get_by_role("button", name="검색", exact=True).click()
    page.get_by_role("table", name="주문 목록").get_by_role("button").click()
    expect(page.get_by_role("region", name="주문 정보")).to_contain_text(E6.number)
    expect(page.get_by_role("region", name="C/S이력")).to_be_visible()
    page.get_by_role("button", name="상품교환").click()
    expect(page.get_by_role("alert")).to_have_text("상품을 선택해 주세요.")
    page.get_by_role("table", name="상품리스트").get_by_role("radio", name=E6.detail).check()
    page.get_by_role("button", name="상품교환").click()
    dialog = page.get_by_role("dialog", name="상품교환")
    dialog.get_by_role("button", name="검색/선택").click()
    dialog.get_by_label("상품명").fill("린넨")
    dialog.get_by_role("button", name="검색", exact=True).click()
    dialog.get_by_role("row").filter(has_text="블랙/XL").get_by_role("button", name="선택").click()
    dialog.get_by_label("C/S내용").fill("사이즈 교환")
    dialog.get_by_role("button", name="교환", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("교환 처리되었습니다.")
    expect(page.get_by_role("table", name="C/S이력")).to_contain_text("린넨 셔츠 블랙/XL")
    page.get_by_role("button", name="스마트알림").click()
    dialog = page.get_by_role("dialog", name="스마트알림")
    expect(dialog.get_by_label("수신번호")).to_have_value(E6.recipient.phone)
    dialog.get_by_label("템플릿").select_option("배송 안내")
    expect(dialog.get_by_label("미리보기")).to_have_value(re.compile(r"^\[배송 안내\]"))
    dialog.get_by_role("button", name="전송").click()
    expect(page.get_by_role("status")).to_have_text("전송되었습니다.")
