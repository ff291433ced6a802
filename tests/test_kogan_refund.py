"""kogan.refund through the runner, against the mock portal in a real Chromium.

Every test that refunds asserts on the mock's `__mock__/state`: what really happened.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import KOGAN_EMAIL, MockPortal, make_settings

from flows.kogan_refund import FLOW, KoganRefund
from portalpilot import Outcome, Result, Settings
from portalpilot._guard import ChangeLog
from portalpilot._runner import Robot
from portalpilot._sessions import Account
from portalpilot._settings import RetrySettings


@pytest.fixture(scope="module")
def shared_robot(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Robot]:
    """One browser for the module; each reset ends the portal's sessions, so it signs in
    again (tests that count logins make their own Robot)."""
    state = tmp_path_factory.mktemp("kogan-state")
    with Robot(make_settings(state, f"{base_url}/kogan/")) as robot:
        yield robot


@pytest.fixture
def robot(shared_robot: Robot, kogan: MockPortal, tmp_path: Path) -> Robot:
    """The module's browser, with a ledger and evidence folder of this test's own: no click
    of another test is open for it. A rejected login would be remembered by its sessions,
    so wrong passwords and locked accounts have a Robot of their own (`own_robot`)."""
    assert shared_robot.settings.kogan.base_url == kogan.url
    shared_robot.changes = ChangeLog(tmp_path / "state")
    shared_robot.run_dir = tmp_path / "runs"
    return shared_robot


@pytest.fixture
def own_robot(settings: Settings) -> Iterator[Robot]:
    """A fresh browser and sessions: for tests that count logins or lock the account."""
    with Robot(settings) as robot:
        yield robot


def refund(robot: Robot, reference: str, reason: str = "Faulty Item", **values: Any) -> Result:
    return robot.run(FLOW, KoganRefund(reference=reference, reason=reason, **values))


def refunds(kogan: MockPortal) -> list[tuple[str, str]]:
    return [(e["reference"], e["sku"]) for e in kogan.events("refund")]


def test_refunds_the_one_line_once(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-10012", comment="Speaker arrived broken")

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded")
    assert result.fields()["amount"] == Decimal("89.95")
    assert result.fields()["customer"] == "Olivia Bennett"
    assert kogan.line("ESG-10012", "KG-BT-SPK")["status"] == "Refunded"
    [event] = kogan.events("refund")
    assert (event["reference"], event["sku"], event["reason"]) == (
        "ESG-10012",
        "KG-BT-SPK",
        "Faulty Item",
    )
    assert event["comment"] == "Speaker arrived broken"
    # The prefix trap: the search also listed ESG-100123 and ESG-1001234; they are untouched.
    assert kogan.line("ESG-100123", "KG-USB-C-CBL")["status"] == "Dispatched"
    assert kogan.line("ESG-1001234", "KG-PWR-BANK")["status"] == "Dispatched"


def test_second_run_answers_already_refunded(robot: Robot, kogan: MockPortal) -> None:
    first = refund(robot, "ESG-10012")
    second = refund(robot, "ESG-10012")

    assert first.status == "refunded"
    assert (second.outcome, second.status) == (Outcome.DONE, "already_refunded")
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


def test_prefix_of_another_reference_is_matched_exactly(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-100123")

    assert result.status == "refunded"
    assert refunds(kogan) == [("ESG-100123", "KG-USB-C-CBL")]


def test_two_dispatched_lines_without_sku_is_ambiguous(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20020")

    assert (result.outcome, result.status) == (Outcome.REFUSED, "ambiguous")
    assert "KG-HDMI-2M" in result.message and "KG-USB-HUB" in result.message
    assert refunds(kogan) == []


def test_sku_picks_one_line_of_several(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20020", skus=["kg-usb-hub"])

    assert result.status == "refunded"
    assert result.fields()["amount"] == Decimal("49.00")
    assert refunds(kogan) == [("ESG-20020", "KG-USB-HUB")]
    assert kogan.line("ESG-20020", "KG-HDMI-2M")["status"] == "Dispatched"


def test_all_items_refunds_every_dispatched_line(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20020", all_items=True)

    assert result.status == "refunded"
    # Two HDMI cables at $19.90 and the hub at $49.00: whole lines, never partial.
    assert result.fields()["amount"] == Decimal("88.80")
    assert sorted(refunds(kogan)) == [("ESG-20020", "KG-HDMI-2M"), ("ESG-20020", "KG-USB-HUB")]


def test_the_one_dispatched_line_among_other_statuses(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20030")

    assert result.status == "refunded"
    assert refunds(kogan) == [("ESG-20030", "KG-LED-STRIP")]
    assert kogan.line("ESG-20030", "KG-SMART-PLUG")["status"] == "Awaiting dispatch"


def test_sku_not_on_the_order_is_refused(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20020", skus=["KG-NOPE"])

    assert (result.outcome, result.status) == (Outcome.REFUSED, "not_found")
    assert refunds(kogan) == []


def test_order_only_visible_after_widening_to_30_days(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20100")

    assert result.status == "refunded"
    assert refunds(kogan) == [("ESG-20100", kogan.lines("ESG-20100")[0]["sku"])]


def test_order_older_than_30_days_is_not_found(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20110")

    assert (result.outcome, result.status) == (Outcome.REFUSED, "not_found")
    assert "30 days" in result.message
    assert refunds(kogan) == []


def test_a_setting_widens_the_search_to_90_days(tmp_path: Any, kogan: MockPortal) -> None:
    settings = make_settings(tmp_path, kogan.url, search_days=90)
    with Robot(settings) as robot:
        assert refund(robot, "ESG-20110").status == "refunded"
        older = refund(robot, "ESG-20120")
    assert (older.status, "90 days" in older.message) == ("not_found", True)
    assert [r for r, _ in refunds(kogan)] == ["ESG-20110"]


def test_already_refunded_line_is_not_clicked(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20050")

    assert (result.outcome, result.status) == (Outcome.DONE, "already_refunded")
    assert refunds(kogan) == []


def test_awaiting_dispatch_must_be_cancelled_not_refunded(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20040")

    assert (result.outcome, result.status) == (Outcome.REFUSED, "not_dispatched")
    assert "cancelled" in result.message
    assert refunds(kogan) == []


def test_customer_mismatch_is_refused(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-10012", customer="Liam Carter")

    assert (result.outcome, result.status) == (Outcome.REFUSED, "customer_mismatch")
    assert "Olivia Bennett" in result.message
    assert refunds(kogan) == []


def test_customer_name_matches_case_and_spacing_aside(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-10012", customer="  olivia   BENNETT ")

    assert result.status == "refunded"
    assert len(refunds(kogan)) == 1


def test_two_customers_with_the_same_name(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20210", customer="Jack Smith")

    assert result.status == "refunded"
    assert result.fields()["amount"] == Decimal("32.00")
    assert [r for r, _ in refunds(kogan)] == ["ESG-20210"]
    assert kogan.lines("ESG-20200")[0]["status"] == "Dispatched"


@pytest.mark.parametrize(
    ("reference", "customer"),
    [
        ("ESG-20310", "王小明"),
        ("ESG-20320", "дмитрий иванов"),
        ("ESG-20300", "Jose\u0301 A\u0301lvarez"),  # combining accents: another Unicode form
    ],
)
def test_non_latin_names(robot: Robot, kogan: MockPortal, reference: str, customer: str) -> None:
    result = refund(robot, reference, customer=customer)

    assert result.status == "refunded", result.message
    assert [r for r, _ in refunds(kogan)] == [reference]


def test_dry_run_reads_the_amount_and_changes_nothing(robot: Robot, kogan: MockPortal) -> None:
    result = refund(robot, "ESG-20410", dry_run=True)

    assert (result.outcome, result.status, result.dry_run) == (Outcome.DONE, "dry_run", True)
    assert result.fields()["amount"] == Decimal("1234.50")
    assert len(result.fields()["changes"]) == 1  # what a plan shows will change
    assert refunds(kogan) == []
    assert kogan.lines("ESG-20410")[0]["status"] == "Dispatched"


def test_wrong_password_is_tried_once(tmp_path: Any, kogan: MockPortal) -> None:
    settings = make_settings(tmp_path, kogan.url, password="not-the-password")
    with Robot(settings) as robot:
        first = refund(robot, "ESG-10012")
        second = refund(robot, "ESG-20020", skus=["KG-USB-HUB"])

    assert (first.outcome, first.status) == (Outcome.REFUSED, "login_rejected")
    assert second.status == "login_rejected"
    assert first.attempts == 1
    # One failed login for the whole run: a retry would walk towards the lock-out.
    assert len(kogan.events("login_failed")) == 1
    assert refunds(kogan) == []


def test_locked_account_is_refused_without_retrying(own_robot: Robot, kogan: MockPortal) -> None:
    for _ in range(5):
        httpx.post(
            kogan.url + "login", data={"email": KOGAN_EMAIL, "password": "guess"}, timeout=10
        )
    result = refund(own_robot, "ESG-10012")

    assert (result.outcome, result.status) == (Outcome.REFUSED, "account_locked")
    assert "locked" in result.message
    assert len(kogan.events("login_failed")) == 6
    assert refunds(kogan) == []


def test_expired_session_is_signed_into_again(own_robot: Robot, kogan: MockPortal) -> None:
    kogan.faults(session_ttl_s=3)
    assert refund(own_robot, "ESG-10012").status == "refunded"
    time.sleep(3.5)  # the portal's session expires while the robot waits for its next item
    result = refund(own_robot, "ESG-100123")

    assert result.status == "refunded"
    assert result.attempts == 1
    assert len(kogan.events("login")) == 2
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK"), ("ESG-100123", "KG-USB-C-CBL")]


@pytest.mark.parametrize("seed", [7, 11])
def test_a_portal_failing_a_quarter_of_its_requests_refunds_once(
    tmp_path: Any, kogan: MockPortal, seed: int
) -> None:
    # Default retries: a failed page or list is reloaded in place; an attempt is spent
    # only on a confirmation the portal answered with 500. The default number of attempts;
    # short waits between them (the seeded failures follow the requests, not the clock).
    settings = make_settings(tmp_path, kogan.url)
    settings.retries = RetrySettings(attempts=RetrySettings().attempts, backoff_s=0.05,
                                     backoff_max_s=0.2)  # fmt: skip
    kogan.faults(error_rate=0.25, seed=seed)
    with Robot(settings) as robot:
        result = refund(robot, "ESG-10012")

    assert result.status == "refunded", result.message
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


@pytest.mark.parametrize("markup", ["a", "b"])
def test_a_refund_whose_outcome_cannot_be_read_is_unknown_and_never_clicked_again(
    robot: Robot, kogan: MockPortal, markup: str
) -> None:
    # "Confirm refund" goes through, then the line's status reads as a word the robot
    # does not know (the portal changed its words): the reading is no proof either way.
    kogan.reset(markup=markup)
    kogan.faults(drift={"Refunded": "Money back"})
    first = refund(robot, "ESG-10012")

    assert (first.outcome, first.status, first.attempts) == (Outcome.UNKNOWN, "unknown", 1)
    assert "check it" in first.message
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]
    assert any(path.endswith(".png") for path in first.evidence)

    again = refund(robot, "ESG-10012")  # the same command again: still one refund
    assert (again.outcome, again.status) == (Outcome.UNKNOWN, "unknown")
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]

    kogan.faults()  # the words are back: the open click is seen done, and said to be ours
    settled = refund(robot, "ESG-10012")
    assert (settled.outcome, settled.status) == (Outcome.DONE, "refunded"), settled.message
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


def test_an_earlier_click_left_open_is_read_before_clicking_again(
    settings: Settings, kogan: MockPortal
) -> None:
    # A run died after recording its click and before the portal got it: the ledger holds
    # an open click; the next run must see "Dispatched" before it may click again.
    ChangeLog(settings.state_dir).intend(
        Account("kogan", kogan.url, KOGAN_EMAIL).key, "ESG-10012/KG-BT-SPK/refund", "x", "r0"
    )
    with Robot(settings) as robot:
        result = refund(robot, "ESG-10012")

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded"), result.message
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]
    states = [row["state"] for row in ChangeLog(settings.state_dir).rows()]
    assert states == ["absent", "done"]


def test_error_after_the_click_is_verified_not_repeated(robot: Robot, kogan: MockPortal) -> None:
    kogan.faults(commit_then_error=1)
    result = refund(robot, "ESG-10012")

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded")
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


def test_maintenance_fails_with_a_clear_message_and_evidence(
    robot: Robot, kogan: MockPortal
) -> None:
    kogan.faults(maintenance=True)
    result = refund(robot, "ESG-10012")

    assert (result.outcome, result.status) == (Outcome.FAILED, "maintenance")
    assert "maintenance" in result.message
    assert result.attempts == 3
    assert refunds(kogan) == []


def test_cookie_banner_is_accepted(robot: Robot, kogan: MockPortal) -> None:
    kogan.faults(cookie_banner=True)
    result = refund(robot, "ESG-10012")

    assert result.status == "refunded", result.message
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


def test_slow_list_is_waited_for(robot: Robot, kogan: MockPortal) -> None:
    kogan.faults(slow_list_ms=1500)
    result = refund(robot, "ESG-10012")

    assert result.status == "refunded", result.message
    assert result.attempts == 1
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


def test_failed_attempt_leaves_a_screenshot(robot: Robot, kogan: MockPortal) -> None:
    kogan.faults(maintenance=True)
    result = refund(robot, "ESG-10012")

    shots = [path for path in result.evidence if path.endswith(".png")]
    assert len(shots) == result.attempts == 3
    from pathlib import Path

    assert all(Path(path).stat().st_size > 0 for path in shots)


def test_session_expiring_mid_flow_is_signed_into_again(
    own_robot: Robot, kogan: MockPortal
) -> None:
    kogan.faults(slow_list_ms=1500)
    future = own_robot.submit(FLOW, KoganRefund(reference="ESG-10012", reason="Faulty Item"))
    wait_for_events(kogan, "login", 1)
    # Signed in, the robot waits for the slow list; the session now lives one second, so
    # it is gone by the time "Confirm refund" is clicked.
    kogan.faults(slow_list_ms=1500, session_ttl_s=1)
    wait_for_events(kogan, "login", 2)
    kogan.faults()
    result = future.result()

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded"), result.message
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]
    assert len(kogan.events("login")) == 2


def test_session_expiring_again_and_again_is_not_a_login_loop(
    own_robot: Robot, kogan: MockPortal
) -> None:
    # The list takes longer to fill than the session lives: every "Confirm refund" finds
    # the robot signed out. It signs in again once per attempt, then gives up: the last
    # click's answer was never seen, so the outcome is unknown, for a person to check.
    kogan.faults(session_ttl_s=1, slow_list_ms=1300)
    result = refund(own_robot, "ESG-10012")

    assert (result.outcome, result.status) == (Outcome.UNKNOWN, "unknown")
    assert "check it" in result.message
    assert result.attempts == 3
    assert len(kogan.events("login")) == 1 + result.attempts  # bounded: never a loop
    assert refunds(kogan) == []


def wait_for_events(kogan: MockPortal, kind: str, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(kogan.events(kind)) < count:
        assert time.monotonic() < deadline, f"no {count} {kind} events in {timeout} s"
        time.sleep(0.03)
