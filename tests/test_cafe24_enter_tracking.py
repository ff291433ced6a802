"""cafe24.enter_tracking in a real Chromium, through the runner and the CLI, on both markups.

Every test asserts on the mock's `__mock__/state`: the `tracking_saved` events and the
lines, not on what the page said. The orders are the shared shop's (E5, the chained
exchange, mode b done, E1 in mode a: fixtures/_kr_shop/scenarios.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, cli_env, run_cli
from pydantic import ValidationError

from fixtures._kr_shop.scenarios import CHAIN, E1, E5, MODE_B_DONE, OVER_3_MONTHS
from flows.cafe24_enter_tracking import (
    FLOW,
    Cafe24EnterTracking,
    already_there,
    follow_chain,
)
from pages.cafe24 import Cafe24Order, Exchange, OrderedItem, Party
from portalpilot import Outcome, PortalSettings, Refusal, Result, Settings
from portalpilot._runner import Robot
from portalpilot._settings import RetrySettings

USER, PASSWORD = "demoshop", "cafe24-demo"


@pytest.fixture(scope="module")
def mock(base_url: str) -> Iterator[MockPortal]:
    portal = MockPortal(f"{base_url}/cafe24/")
    yield portal
    portal.reset()
    portal.http.close()


@pytest.fixture(scope="module", params=["a", "b"])
def markup(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cafe24(mock: MockPortal, markup: str) -> MockPortal:
    mock.reset(markup=markup)
    return mock


def make_settings(state_dir: Path, url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        cafe24=PortalSettings(base_url=url, email=USER, password=PASSWORD),
    )


@pytest.fixture(scope="module")
def shared_robot(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Robot]:
    state = tmp_path_factory.mktemp("cafe24-state")
    with Robot(make_settings(state, f"{base_url}/cafe24/")) as robot:
        yield robot


@pytest.fixture
def robot(shared_robot: Robot, cafe24: MockPortal) -> Robot:
    return shared_robot


def enter(robot: Robot, order: str, line: str, carrier: str, number: str, **values: Any) -> Result:
    item = Cafe24EnterTracking.model_validate(
        {"order": order, "line": line, "carrier": carrier, "number": number, **values}
    )
    return robot.run(FLOW, item)


def saved(portal: MockPortal, number: str) -> list[tuple[str, str, str]]:
    return [
        (e["line"], e["carrier"], e["number"])
        for e in portal.events("tracking_saved")
        if e["line"].startswith(number)
    ]


def line_state(portal: MockPortal, line: str) -> dict[str, Any]:
    order = next(o for o in portal.state()["orders"] if line.startswith(o["주문번호"]))
    return next(x for x in order["lines"] if x["품목별 주문번호"] == line)


# --- the input and the rules, without a browser ------------------------------------------


def test_input_checks_the_carrier_and_its_number_of_digits() -> None:
    item = Cafe24EnterTracking.model_validate(
        {"order": E5.number, "line": "1", "carrier": " lotte ", "number": "6512 3456-7890"}
    )
    assert (item.line, item.carrier.value, item.number) == (E5.detail, "롯데택배", "651234567890")
    assert item.key == f"{E5.number}/{E5.detail}/tracking"
    korean = Cafe24EnterTracking.model_validate(
        {"order": E5.number, "line": E5.detail, "carrier": "우체국택배", "number": "6" * 13}
    )
    assert korean.carrier.value == "우체국택배"

    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"number": "65123456789"}, "number", "10 or 12 digits, not 11"),
        ({"number": "65123456789O"}, "number", "digits"),
        ({"carrier": "DHL"}, "carrier", "CJ대한통운"),
        ({"carrier": "우체국", "number": "651234567890"}, "number", "13 digits"),
        ({"line": "x-01"}, "line", "주문상세번호"),
    ]
    base = {"order": E5.number, "line": "01", "carrier": "롯데택배", "number": "651234567890"}
    for bad, field, words in cases:
        with pytest.raises(ValidationError) as error:
            Cafe24EnterTracking.model_validate({**base, **bad})
        [problem] = error.value.errors()
        assert problem["loc"][0] == field and words in problem["msg"], bad


def order_with(exchanges: list[tuple[str, str]], items: list[tuple[str, str, str]]) -> Cafe24Order:
    """An order as its page reads: exchange rows (original, new) and lines (line, state,
    number)."""
    person = Party("홍길동", "010-0000-0000", "서울")
    return Cafe24Order(
        order="20250305-0000105",
        orderer=person,
        recipient=person,
        items=tuple(
            OrderedItem(line, "운동화", "화이트/265", 1, Decimal(89000), state, "", number)
            for line, state, number in items
        ),
        exchanges=tuple(
            Exchange(f"B-{i}", original, new, "교환처리중")
            for i, (original, new) in enumerate(exchanges)
        ),
        history=(),
    )


def test_the_chain_is_followed_to_its_last_line_and_its_state_checked() -> None:
    n = "20250305-0000105"
    item = Cafe24EnterTracking.model_validate(
        {"order": n, "line": "01", "carrier": "CJ", "number": "612345678901"}
    )
    chained = order_with(
        [(f"{n}-02", f"{n}-03"), (f"{n}-01", f"{n}-02")],
        [
            (f"{n}-01", "교환완료", ""),
            (f"{n}-02", "교환처리중", ""),
            (f"{n}-03", "교환접수 - 교환상품", ""),
        ],
    )
    target = follow_chain(chained, item)
    assert (target.chain, target.item.line) == ([f"{n}-01", f"{n}-02", f"{n}-03"], f"{n}-03")
    assert already_there(item, target.item) is False

    with pytest.raises(Refusal) as none:
        follow_chain(order_with([], [(f"{n}-01", "배송중", "")]), item)
    assert none.value.status == "not_mode_b"
    with pytest.raises(Refusal) as two:
        follow_chain(order_with([(f"{n}-01", f"{n}-02"), (f"{n}-01", f"{n}-03")], []), item)
    assert two.value.status == "ambiguous"

    def line(state: str, number: str = "") -> OrderedItem:
        return OrderedItem(
            f"{n}-02", "운동화", "화이트/265", 1, Decimal(1), state, "CJ대한통운", number
        )

    words = re.escape("송장번호를 입력할 수 없는 주문상태입니다.")
    with pytest.raises(Refusal, match=words) as state:
        already_there(item, line("교환처리중"))
    assert state.value.status == "not_allowed"
    assert already_there(item, line("배송중", "612345678901")) is True
    with pytest.raises(Refusal) as other:
        already_there(item, line("배송중", "612345678902"))
    assert other.value.status == "tracking_differs"


# --- in the admin, on both markups ----------------------------------------------------------


def test_e5_is_entered_on_the_exchange_line_once(robot: Robot, cafe24: MockPortal) -> None:
    original = line_state(cafe24, E5.detail)
    first = enter(robot, E5.number, "01", "롯데택배", "651234567890")
    again = enter(robot, E5.number, E5.detail, "lotte", "6512-3456-7890")

    assert (first.outcome, first.status) == (Outcome.DONE, "entered"), first.message
    fields = first.fields()
    assert (fields["target"], fields["chain"]) == (
        f"{E5.number}-02", [E5.detail, f"{E5.number}-02"])  # fmt: skip
    assert (fields["carrier"], fields["number"], fields["state"]) == (
        "롯데택배", "651234567890", "배송중")  # fmt: skip
    assert saved(cafe24, E5.number) == [(f"{E5.number}-02", "롯데택배", "651234567890")]
    assert line_state(cafe24, E5.detail) == original  # never on the original

    assert (again.outcome, again.status) == (Outcome.DONE, "already_entered"), again.message
    assert len(saved(cafe24, E5.number)) == 1


def test_the_chain_is_followed_to_its_last_line(robot: Robot, cafe24: MockPortal) -> None:
    result = enter(robot, CHAIN.number, "01", "CJ대한통운", "612345670107")
    assert (result.outcome, result.status) == (Outcome.DONE, "entered"), result.message
    assert result.fields()["target"] == f"{CHAIN.number}-03"
    assert saved(cafe24, CHAIN.number) == [(f"{CHAIN.number}-03", "CJ대한통운", "612345670107")]


def test_what_must_not_be_entered_is_not(robot: Robot, cafe24: MockPortal) -> None:
    """Mode a (no Cafe24 exchange); another number there (never replaced); the same one
    (done); a line of another order; a dry run; no such order; an order older than the
    list's 3 months, found at its address (and in mode a)."""
    mode_a = enter(robot, E1.number, "01", "CJ대한통운", "612399990101")
    other = enter(robot, MODE_B_DONE.number, "01", "한진택배", "412345670199")
    same = enter(robot, MODE_B_DONE.number, "01", "한진택배", "412345670108")
    wrong = enter(robot, E5.number, MODE_B_DONE.detail, "롯데택배", "651234567890")
    dry = enter(robot, E5.number, "01", "롯데택배", "651234567890", dry_run=True)
    unknown = enter(robot, "20250399-0000999", "01", "CJ대한통운", "612345678901")
    old = enter(robot, OVER_3_MONTHS.number, "01", "로젠택배", "30123456701")  # found: its address

    assert (mode_a.outcome, mode_a.status) == (Outcome.REFUSED, "not_mode_b"), mode_a.message
    assert (other.outcome, other.status) == (Outcome.REFUSED, "tracking_differs"), other.message
    assert "412345670108" in other.message
    assert (same.outcome, same.status) == (Outcome.DONE, "already_entered"), same.message
    assert (wrong.outcome, wrong.status) == (Outcome.REFUSED, "other_order")
    assert (unknown.status, old.status) == ("not_found", "not_mode_b"), old.message
    assert (dry.outcome, dry.status) == (Outcome.DONE, "dry_run"), dry.message
    assert dry.fields()["changes"] == [f"enter 롯데택배 651234567890 on {E5.number}-02"]
    assert cafe24.events("tracking_saved") == [] and cafe24.events("tracking_replaced") == []


def test_an_answer_lost_to_a_server_error_is_read_not_saved_again(
    robot: Robot, cafe24: MockPortal
) -> None:
    cafe24.faults(commit_then_error=1)
    result = enter(robot, E5.number, "01", "롯데택배", "651234567890")
    assert (result.outcome, result.status) == (Outcome.DONE, "entered"), result.message
    assert saved(cafe24, E5.number) == [(f"{E5.number}-02", "롯데택배", "651234567890")]


# --- the command line -----------------------------------------------------------------------


def test_cli_enters_with_json_and_korean_round_trips(tmp_path: Path, mock: MockPortal) -> None:
    mock.reset()
    environment = cli_env(
        mock.url.replace("/cafe24/", "/kogan/"),
        tmp_path / "state",
        PORTALPILOT_CAFE24__BASE_URL=mock.url,
        PORTALPILOT_CAFE24__EMAIL=USER,
        PORTALPILOT_CAFE24__PASSWORD=PASSWORD,
    )
    args = ("cafe24", "enter-tracking", E5.number, "--line", "01", "--json")
    bad = run_cli(*args, "--carrier", "롯데택배", "--number", "65123456789", env=environment)
    assert bad.returncode == 2, bad.stdout + bad.stderr[-2000:]
    assert [e["field"] for e in json.loads(bad.stdout)["errors"]] == ["--number"]
    done = run_cli(*args, "--carrier", "롯데택배", "--number", "651234567890", env=environment)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["carrier"], answer["target"]) == (
        "entered", "롯데택배", f"{E5.number}-02")  # fmt: skip
    assert saved(mock, E5.number) == [(f"{E5.number}-02", "롯데택배", "651234567890")]
