"""The Chopni seller mock over plain HTTP: data, logins, the status rules, messages, faults.

The server's contract per shared/portals/chopni-seller.md, each test from a fresh reset;
the browser side is covered by tests/test_chopni.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

DEMO = {"email": "shop@example.com", "password": "chopni-demo"}
STATUSES = ("PROCESSED", "PROCESSING", "SHIPPED", "COMPLETE", "REFUNDED")
MOVE = "Невъзможна промяна на статута от {} към {}."


@pytest.fixture
def chopni(base_url: str) -> Iterator[httpx.Client]:
    """A client on `/chopni/` after a reset (no session yet)."""
    with httpx.Client(base_url=f"{base_url}/chopni/", timeout=10) as client:
        client.post("__mock__/reset").raise_for_status()
        yield client
        client.post("__mock__/reset")


def login(client: httpx.Client, password: str = DEMO["password"]) -> httpx.Response:
    return client.post("login", data={"email": DEMO["email"], "password": password})


@pytest.fixture
def seller(chopni: httpx.Client) -> httpx.Client:
    assert login(chopni).status_code == 303
    return chopni


def state(client: httpx.Client) -> dict[str, Any]:
    return client.get("__mock__/state").json()


def order(client: httpx.Client, number: str) -> dict[str, Any]:
    return next(o for o in state(client)["orders"] if o["number"] == number)


def events(client: httpx.Client, type_: str) -> list[dict[str, Any]]:
    return [e for e in state(client)["events"] if e["type"] == type_]


def text(html: str) -> str:
    """The page's words, tags and scripts aside, whitespace squashed."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def change(client: httpx.Client, number: str, status: str, comment: str = "") -> httpx.Response:
    return client.post(f"orders/{number}/status", data={"status": status, "comment": comment})


def test_seed_has_40_orders_in_every_status_cod_and_both_scripts(chopni: httpx.Client) -> None:
    orders = state(chopni)["orders"]
    counts = Counter(o["status"] for o in orders)
    assert all(counts[s] >= 40 for s in STATUSES), counts
    assert any(o["payment"] == "cod" for o in orders)
    assert any(re.search("[а-я]", o["customer"]) for o in orders)
    assert any(re.fullmatch(r"[A-Za-z ]+", o["customer"]) for o in orders)
    assert sum(len(o["lines"]) > 1 for o in orders) > len(orders) / 2
    assert all(re.fullmatch(r"\d{6}", o["number"]) for o in orders)
    assert order(chopni, "418030")["total"] == 1234.50


def test_login_refuses_then_locks_after_five_failures(chopni: httpx.Client) -> None:
    assert chopni.get("orders").headers["location"].endswith("login?next=/chopni/orders")
    page = text(login(chopni, "wrong").text)
    assert "Вход в профила на продавача" in page and "Грешен имейл или парола." in page
    for _ in range(4):
        login(chopni, "wrong")
    locked = login(chopni)  # even the right password, once locked
    assert locked.status_code == 200 and "заключен" in locked.text
    kinds = [e["type"] for e in state(chopni)["events"]]
    assert kinds == ["login_failed"] * 6


def test_orders_list_filters_searches_and_pages_by_20(seller: httpx.Client) -> None:
    assert "Поръчки" in text(seller.get("orders").text)
    first = text(seller.get("orders/table", params={"status": "SHIPPED"}).text)
    assert "Номер Дата Клиент Сума Статус" in first
    assert "Следваща" in first and "Страница 1 от 3" in first
    assert first.count(" SHIPPED ") >= 20
    rows = re.findall(r'href="/chopni/orders/(\d+)"', seller.get("orders/table").text)
    assert len(rows) == 20
    found = text(seller.get("orders/table", params={"q": "Мария Иванова"}).text)
    assert "418001" in found and "Мария Иванова" in found and "1 поръчки" in found
    last = text(seller.get("orders/table", params={"status": "SHIPPED", "page": 3}).text)
    assert "Предишна" in last and "Страница 3 от 3" in last


def test_order_page_shows_status_payment_lines_total_history(seller: httpx.Client) -> None:
    page = text(seller.get("orders/418007").text)
    assert "Поръчка №418007" in page and "Статус: PROCESSING" in page
    assert "Наложен платеж" in page
    assert "История на поръчката Дата Статус Коментар" in page
    assert "-- Изберете нов статус -- PROCESSING SHIPPED COMPLETE REFUNDED" in page
    assert "Променете статута на поръчката" in page
    assert "Започни разговор с клиент" in page and "Прикачи файл" in page
    assert "Общо: 1 234,50 €" in text(seller.get("orders/418030").text)
    complete = text(seller.get("orders/418004").text)
    assert "Платена" in complete
    completed_on = order(seller, "418004")["history"][-1]["time"][:10]
    assert completed_on == "2026-05-11"
    assert "Срок за връщане до: 25.05.2026" in complete
    assert seller.get("orders/999999").status_code == 404


def test_status_change_is_recorded_once_newest_first(seller: httpx.Client) -> None:
    answer = change(seller, "418001", "PROCESSING", "Поръчката се подготвя за изпращане.")
    assert answer.status_code == 303
    page = text(seller.get("orders/418001").text)
    assert "Статусът е променен на PROCESSING." in page and "Статус: PROCESSING" in page
    history = page.split("История на поръчката")[1]
    assert history.index("Поръчката се подготвя за изпращане.") < history.index("PROCESSED")
    again = change(seller, "418001", "PROCESSING", "Поръчката се подготвя за изпращане.")
    assert MOVE.format("PROCESSING", "PROCESSING") in text(again.text)
    [event] = events(seller, "status_change")
    assert (event["order"], event["from"], event["to"]) == ("418001", "PROCESSED", "PROCESSING")
    assert event["comment"] == "Поръчката се подготвя за изпращане."
    assert order(seller, "418001")["status"] == "PROCESSING"


@pytest.mark.parametrize(
    ("number", "status", "comment", "alert"),
    [
        ("418006", "SHIPPED", "1051234567890", MOVE.format("PROCESSED", "SHIPPED")),
        ("418005", "REFUNDED", "пак", MOVE.format("REFUNDED", "REFUNDED")),
        ("418003", "PROCESSING", "", MOVE.format("SHIPPED", "PROCESSING")),
        ("418002", "SHIPPED", "Изпратено с Еконт", "Добавете номер за проследяване в коментара."),
        ("418002", "SHIPPED", "номер ABCDEFGH", "Добавете номер за проследяване в коментара."),
        ("418004", "REFUNDED", "   ", "Добавете забележка за предприетото действие."),
        ("418001", "", "", "Изберете нов статус."),
    ],
)  # fmt: skip
def test_rules_refuse_with_the_exact_alert(
    seller: httpx.Client, number: str, status: str, comment: str, alert: str
) -> None:
    before = order(seller, number)["status"]
    answer = change(seller, number, status, comment)
    assert answer.status_code == 200
    assert re.search(rf'role="alert"[^>]*>\s*{re.escape(alert)}', answer.text)
    assert order(seller, number)["status"] == before
    assert events(seller, "status_change") == []


def test_refunded_from_any_status_and_complete_starts_return_period(seller: httpx.Client) -> None:
    assert change(seller, "418002", "SHIPPED", "Номер за проследяване: BG1051234567").is_redirect
    assert change(seller, "418002", "COMPLETE").is_redirect
    assert "Срок за връщане до: 29.05.2026" in text(seller.get("orders/418002").text)
    assert change(seller, "418002", "REFUNDED", "Заменена стока.").is_redirect
    assert "Срок за връщане до" not in text(seller.get("orders/418002").text)
    assert [e["to"] for e in events(seller, "status_change")] == ["SHIPPED", "COMPLETE", "REFUNDED"]


def test_message_with_attachments_is_shown_and_logged(seller: httpx.Client) -> None:
    files = [
        ("files", ("фактура.pdf", b"%PDF-1.4 " + b"x" * 2000, "application/pdf")),
        ("files", ("снимка.jpg", b"\xff\xd8" + b"y" * 500, "image/jpeg")),
    ]
    message = "Здравейте!\r\nПрилагаме фактурата."
    answer = seller.post("orders/418010/messages", data={"text": message}, files=files)
    assert answer.status_code == 303
    page = text(seller.get("orders/418010").text)
    assert "Съобщения" in page and "Прилагаме фактурата." in page and "фактура.pdf" in page
    [event] = events(seller, "message")
    assert event["order"] == "418010" and event["text"] == "Здравейте!\nПрилагаме фактурата."
    assert event["attachments"] == [
        {"name": "фактура.pdf", "size": 2009},
        {"name": "снимка.jpg", "size": 502},
    ]


@pytest.mark.parametrize(
    "message",
    ["Пишете на ivan.petrov@abv.bg", "Обадете се на 0888 123 456", "тел. +359 2 987 6543"],
)
def test_contact_details_are_refused(seller: httpx.Client, message: str) -> None:
    answer = seller.post("orders/418010/messages", data={"text": message})
    assert "Съобщението съдържа лична информация за контакт." in text(answer.text)
    assert events(seller, "message") == []


def test_dates_order_numbers_and_tracking_are_not_contact_details(seller: httpx.Client) -> None:
    message = "Поръчка 418010 пристига на 05.06.2026, номер за проследяване 1051234567890."
    assert seller.post("orders/418010/messages", data={"text": message}).status_code == 303
    assert len(events(seller, "message")) == 1


def test_a_file_over_5_mb_is_refused(seller: httpx.Client) -> None:
    big = ("files", ("видео.mp4", b"0" * (5 * 1024 * 1024 + 1), "video/mp4"))
    answer = seller.post("orders/418010/messages", data={"text": "Видео"}, files=[big])
    assert "по-голям от 5 MB" in text(answer.text)
    assert events(seller, "message") == []


def test_commit_then_error_changes_then_answers_502(seller: httpx.Client) -> None:
    seller.post("__mock__/faults", json={"commit_then_error": 2}).raise_for_status()
    assert change(seller, "418001", "PROCESSING").status_code == 502
    assert seller.post("orders/418010/messages", data={"text": "Здравейте"}).status_code == 502
    assert change(seller, "418003", "COMPLETE").status_code == 303  # used up
    assert order(seller, "418001")["status"] == "PROCESSING"
    assert len(events(seller, "status_change")) == 2 and len(events(seller, "message")) == 1


def test_maintenance_error_rate_and_expired_sessions(seller: httpx.Client) -> None:
    seller.post("__mock__/faults", json={"maintenance": True}).raise_for_status()
    down = seller.get("orders/418001")
    assert down.status_code == 503 and "Профилактика" in down.text
    seller.post("__mock__/faults", json={"error_rate": 1}).raise_for_status()
    failed = change(seller, "418001", "PROCESSING")
    assert failed.status_code == 500 and "Нещо се обърка" in failed.text
    seller.post("__mock__/faults", json={"session_ttl_s": 0.001}).raise_for_status()
    seller.get("orders")
    gone = change(seller, "418001", "PROCESSING")
    assert gone.headers["location"].endswith("login?next=/chopni/orders/418001")
    assert events(seller, "status_change") == []


def test_cookie_banner_is_bulgarian_and_reset_restores(seller: httpx.Client) -> None:
    seller.post("__mock__/faults", json={"cookie_banner": True}).raise_for_status()
    banner = text(seller.get("orders/418001").text)
    assert "Бисквитки" in banner and "Приемам" in banner
    change(seller, "418001", "PROCESSING")
    seller.post("__mock__/reset", json={"today": "2026-06-01"}).raise_for_status()
    fresh = state(seller)
    assert fresh["events"] == [] and fresh["faults"] == {} and fresh["today"] == "2026-06-01"
    assert order(seller, "418001")["status"] == "PROCESSED"
    assert order(seller, "418001")["placed"] == "2026-05-30"


def test_markup_b_keeps_the_promised_words_in_other_elements(chopni: httpx.Client) -> None:
    chopni.post("__mock__/reset", json={"markup": "b"}).raise_for_status()
    assert login(chopni).status_code == 303
    first, second = chopni.get("orders/418007").text, chopni.get("orders/418007").text
    # The order arrives by script from a <template>: read what it will show.
    shown = text(first.replace("<template", "<div").replace("</template>", "</div>"))
    assert "Поръчка №418007" in shown and "Статус: PROCESSING" in shown
    assert "Плащане: Наложен платеж" in shown
    assert "История на поръчката Статус Коментар Дата" in shown  # another column order
    assert "Съобщения" in shown and "Започни разговор с клиент" in shown
    assert 'role="table"' in first and "<table" not in first and "<label" not in first
    assert "<dialog" not in first  # built by script when opened
    ids = re.compile(r'\bid="([^"]+)"')
    assert set(ids.findall(first)).isdisjoint(ids.findall(second))  # new on every load
    assert state(chopni)["markup"] == "b"


def test_unreadable_after_change_hides_only_what_changed(chopni: httpx.Client) -> None:
    bad = chopni.post("__mock__/reset", json={"unreadable_after_change": "yes"})
    assert bad.status_code == 400
    chopni.post("__mock__/reset", json={"unreadable_after_change": True}).raise_for_status()
    assert login(chopni).status_code == 303
    assert change(chopni, "418001", "PROCESSING", "Подготвя се.").status_code == 303

    hidden = text(chopni.get("orders/418001").text)
    assert "Статус: —" in hidden and "Съобщения" not in hidden
    assert "Статусът е променен на PROCESSING." in hidden  # the answer itself still shows
    assert "Статус: PROCESSING" in text(chopni.get("orders/418002").text)
    assert order(chopni, "418001")["status"] == "PROCESSING"
