"""The mirakl.* flows through the runner and the CLI, against the mock in a real Chromium.

Every test that changes something asserts on the mock's `__mock__/state`: what really
happened, not what the page said.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, run_cli
from pydantic import ValidationError

from flows import FLOWS
from portalpilot import Outcome, PortalSettings, Result, Settings
from portalpilot._cli_inputs import describe_errors
from portalpilot._runner import Robot
from portalpilot._settings import RetrySettings

EMAIL, PASSWORD = "shop@example.com", "mirakl-demo"


@pytest.fixture
def mirakl(base_url: str, request: pytest.FixtureRequest) -> Iterator[MockPortal]:
    """The mock, reset; on markup "a" unless a test asks for others (`BOTH_MARKUPS`)."""
    portal = MockPortal(f"{base_url}/mirakl/")
    portal.reset(markup=getattr(request, "param", "a"))
    yield portal
    portal.reset()
    portal.http.close()


# Flow tests run on both markups of the spec; CLI, batch and input tests on one.
BOTH_MARKUPS = pytest.mark.parametrize("mirakl", ["a", "b"], indirect=True)


def mirakl_settings(state_dir: Path, url: str, password: str = PASSWORD) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        mirakl=PortalSettings(base_url=url, email=EMAIL, password=password),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def robot(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Robot]:
    """One browser for the module; after each test's reset the runner signs in again once."""
    state = tmp_path_factory.mktemp("mirakl-state")
    with Robot(mirakl_settings(state, f"{base_url}/mirakl/")) as robot:
        yield robot


def run(robot: Robot, flow: str, **values: Any) -> Result:
    return robot.run(FLOWS[flow], FLOWS[flow].input_model.model_validate(values))


def refunds(mirakl: MockPortal) -> list[tuple[str, float]]:
    return [(e["order_id"], e["amount"]) for e in mirakl.events("refund")]


def order(mirakl: MockPortal, order_id: str) -> dict[str, Any]:
    return next(o for o in mirakl.state()["orders"] if o["order_id"] == order_id)


def thread(mirakl: MockPortal, thread_id: str) -> dict[str, Any]:
    return next(t for t in mirakl.state()["threads"] if t["thread_id"] == thread_id)


# --- refunds ---------------------------------------------------------------------------------


@BOTH_MARKUPS
def test_full_refund_once_then_already_refunded(robot: Robot, mirakl: MockPortal) -> None:
    first = run(robot, "mirakl.refund", order_id="8817455903-a", reason="ITEM RETURNED", full=True)
    second = run(robot, "mirakl.refund", order_id="8817455903-A", reason="Item returned", full=True)

    assert (first.outcome, first.status) == (Outcome.DONE, "refunded"), first.message
    assert first.fields()["amount"] == Decimal("88.29")
    assert [i["item"] for i in first.fields()["items"]] == ["LMP-DESK-01", "BLB-E27-4", "shipping"]
    assert (second.outcome, second.status) == (Outcome.DONE, "already_refunded")
    assert refunds(mirakl) == [("8817455903-A", 88.29)]
    [note] = mirakl.state()["notifications"]
    assert note["customer"] == "Emma Laurent"
    assert order(mirakl, "8817455903-A")["state"] == "REFUNDED"


@BOTH_MARKUPS
def test_partial_refund_by_units(robot: Robot, mirakl: MockPortal) -> None:
    result = run(robot, "mirakl.refund", order_id="8817455904-A", reason="Item returned",
                 lines=["MUG-STONE-2:2"])  # fmt: skip
    again = run(robot, "mirakl.refund", order_id="8817455904-A", reason="Item returned",
                lines=["mug-stone-2:2"])  # fmt: skip

    assert result.status == "refunded", result.message
    assert (result.fields()["amount"], result.fields()["still_refundable"]) == (
        Decimal("39.98"), Decimal("24.89"))  # fmt: skip
    [event] = mirakl.events("refund")
    assert event["lines"] == [{"sku": "MUG-STONE-2", "quantity": 2, "amount": 39.98}]
    assert again.status == "already_refunded" and "R-" in again.message
    assert len(mirakl.events("refund")) == 1


@BOTH_MARKUPS
def test_partial_refund_by_amount_and_shipping(robot: Robot, mirakl: MockPortal) -> None:
    result = run(robot, "mirakl.refund", order_id="8817455905-A", reason="agreement found with "
                 "the vendor", lines="THR-WOOL-GR=15", shipping="€6.50")  # fmt: skip

    assert result.status == "refunded", result.message
    [event] = mirakl.events("refund")
    assert (event["amount"], event["shipping"], event["reason"]) == (
        21.5, 6.5, "Agreement found with the vendor")  # fmt: skip
    assert event["lines"] == [{"sku": "THR-WOOL-GR", "quantity": 0, "amount": 15.0}]


@BOTH_MARKUPS
def test_portal_rules_are_refused_before_any_click(robot: Robot, mirakl: MockPortal) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"order_id": "8817455909-A", "full": True}, "too_late", "200 days"),
        ({"order_id": "8817455908-A", "full": True}, "closed", "CLOSED"),
        ({"order_id": "8817455906-B", "lines": ["VAS-GLASS-L:2"]}, "units_exceeded", "1 of 2"),
        ({"order_id": "8817455906-B", "lines": ["VAS-GLASS-L=30"]}, "amount_exceeded", "€27.00"),
        ({"order_id": "8817455903-A", "shipping": "6"}, "amount_exceeded", "€5.99"),
        ({"order_id": "8817455903-A", "lines": ["NOPE:1"]}, "not_found", "LMP-DESK-01"),
        ({"order_id": "8817455999-A", "full": True}, "not_found", "no order"),
    ]
    for values, status, words in cases:
        result = run(robot, "mirakl.refund", reason="Item returned", **values)
        assert (result.outcome, result.status) == (Outcome.REFUSED, status), result.message
        assert words in result.message
    assert mirakl.events("refund") == []
    assert len(mirakl.events("login")) == 1


@BOTH_MARKUPS
def test_window_last_day_and_unshipped_order_are_refunded(robot: Robot, mirakl: MockPortal) -> None:
    last_day = run(
        robot, "mirakl.refund", order_id="8817455910-A", reason="Item returned", full=True
    )
    unshipped = run(
        robot, "mirakl.refund", order_id="8817455911-A", reason="Out of stock", full=True
    )

    assert (last_day.status, unshipped.status) == ("refunded", "refunded")
    assert refunds(mirakl) == [("8817455910-A", 53.5), ("8817455911-A", 54.9)]


@BOTH_MARKUPS
def test_dry_run_changes_nothing(robot: Robot, mirakl: MockPortal) -> None:
    result = run(robot, "mirakl.refund", order_id="8817455917-A", reason="Item returned",
                 full=True, dry_run=True)  # fmt: skip

    assert (result.status, result.fields()["amount"]) == ("dry_run", Decimal("78.39"))
    [change] = result.fields()["changes"]
    assert change.startswith("refund €78.39 of 8817455917-A")
    assert mirakl.events("refund") == []


@BOTH_MARKUPS
def test_error_after_the_click_is_verified_not_repeated(robot: Robot, mirakl: MockPortal) -> None:
    mirakl.faults(commit_then_error=1)
    result = run(robot, "mirakl.refund", order_id="8817455904-A", reason="Item returned",
                 lines=["MUG-STONE-2:1"])  # fmt: skip

    assert (result.outcome, result.status) == (Outcome.DONE, "refunded"), result.message
    assert refunds(mirakl) == [("8817455904-A", 19.99)]
    again = run(robot, "mirakl.refund", order_id="8817455904-A", reason="Item returned",
                lines=["MUG-STONE-2:1"])  # fmt: skip
    assert again.status == "already_refunded"
    assert refunds(mirakl) == [("8817455904-A", 19.99)]


def test_server_errors_are_retried_on_a_fresh_page(robot: Robot, mirakl: MockPortal) -> None:
    mirakl.faults(error_rate=0.2, seed=5)
    robot.settings.retries.attempts = 8
    try:
        result = run(robot, "mirakl.refund", order_id="8817455917-A", reason="Item returned",
                     full=True)  # fmt: skip
    finally:
        robot.settings.retries.attempts = 3

    assert result.status == "refunded", result.message
    assert refunds(mirakl) == [("8817455917-A", 78.39)]


def test_wrong_password_is_tried_once(tmp_path: Path, mirakl: MockPortal) -> None:
    with Robot(mirakl_settings(tmp_path, mirakl.url, password="guess")) as robot:
        result = run(robot, "mirakl.overdue")

    assert (result.outcome, result.status, result.attempts) == (
        Outcome.REFUSED, "login_rejected", 1)  # fmt: skip
    assert len(mirakl.events("login_failed")) == 1


# --- incidents and messages ------------------------------------------------------------------


@BOTH_MARKUPS
def test_solve_incident_then_already_done(robot: Robot, mirakl: MockPortal) -> None:
    mirakl.faults(commit_then_error=1)
    solved = run(robot, "mirakl.solve_incident", order_id="8817455912-A",
                 message="Re-shipped with a new tracking number.")  # fmt: skip
    again = run(robot, "mirakl.solve_incident", order_id="8817455912-A", message="Again")
    earlier = run(robot, "mirakl.solve_incident", order_id="8817455914-A", message="x")
    never = run(robot, "mirakl.solve_incident", order_id="8817455915-A", message="x")

    assert (solved.status, solved.fields()["incident"]) == ("solved", "Item not received")
    assert (again.status, earlier.status) == ("already_done", "already_done")
    assert (never.outcome, never.status) == (Outcome.REFUSED, "no_incident")
    [event] = mirakl.events("incident_solved")
    assert event["message"] == "Re-shipped with a new tracking number."
    incident = order(mirakl, "8817455912-A")["incidents"][0]
    assert incident["status"] == "Solved – awaiting operator"


@BOTH_MARKUPS
def test_reply_with_an_attachment_once(robot: Robot, mirakl: MockPortal, tmp_path: Path) -> None:
    invoice = tmp_path / "invoice-8817455905-A.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    mirakl.faults(commit_then_error=1)
    sent = run(robot, "mirakl.reply", thread_id="TH-10003", text="Here is your invoice.",
               attachments=[str(invoice)])  # fmt: skip
    again = run(robot, "mirakl.reply", thread_id="TH-10003", text="Here is your  invoice.")

    assert (sent.outcome, sent.status) == (Outcome.DONE, "sent"), sent.message
    assert again.status == "already_sent"
    [event] = mirakl.events("message")
    assert (event["thread_id"], event["attachments"]) == ("TH-10003", [invoice.name])
    replied = thread(mirakl, "TH-10003")
    assert replied["status"] == "Answered"
    assert replied["messages"][-1]["attachments"][0]["size"] == invoice.stat().st_size


@BOTH_MARKUPS
def test_message_starts_a_conversation_once(robot: Robot, mirakl: MockPortal) -> None:
    values = {"order_id": "8817455915-A", "recipient": "both", "topic": "invoice",
              "text": "Your invoice will follow today."}  # fmt: skip
    sent = run(robot, "mirakl.message", **values)
    again = run(robot, "mirakl.message", **values)
    other = run(robot, "mirakl.message", **{**values, "recipient": "Operator"})

    assert (sent.status, again.status, other.status) == ("sent", "already_sent", "sent")
    events = mirakl.events("message")
    assert [(e["order_id"], e["recipients"], e["subject"]) for e in events] == [
        ("8817455915-A", "Customer and operator", "Invoice"),
        ("8817455915-A", "Operator", "Invoice"),
    ]
    assert thread(mirakl, sent.fields()["thread_id"])["status"] == "Answered"


@BOTH_MARKUPS
def test_overdue_lists_threads_waiting_too_long(robot: Robot, mirakl: MockPortal) -> None:
    default = run(robot, "mirakl.overdue")
    day = run(robot, "mirakl.overdue", hours="24")
    three_days = run(robot, "mirakl.overdue", hours=72)

    rows = default.fields()["threads"]
    assert [r["thread_id"] for r in rows] == ["TH-10010", "TH-10006", "TH-10002", "TH-10001"]
    assert [r["age_hours"] for r in rows] == [150, 100, 60, 50]
    assert rows[-1] == {**rows[-1], "order_id": "8817455903-A", "customer": "Emma Laurent",
                        "subject": "Where is my parcel?", "status": "Unread"}  # fmt: skip
    assert (default.status, default.reference) == ("overdue", "messages awaiting reply > 48 h")
    assert [r["thread_id"] for r in day.fields()["threads"]][-1] == "TH-10003"
    assert day.fields()["count"] == 5 and three_days.fields()["count"] == 2
    assert thread(mirakl, "TH-10001")["status"] == "Unread"  # read-only: nothing was opened
    assert {e["type"] for e in mirakl.events()} == {"login"}


# --- exactly once when the outcome cannot be seen ---------------------------------------------

# One state-changing flow each: its input, and the event that counts its changes.
CHANGES: dict[str, tuple[str, dict[str, Any], str]] = {
    "refund": ("mirakl.refund", {"order_id": "8817455904-A", "reason": "Item returned",
                                 "lines": ["MUG-STONE-2:1"]}, "refund"),
    "solve": ("mirakl.solve_incident", {"order_id": "8817455913-A",
                                        "message": "Replaced the mirror."}, "incident_solved"),
    "reply": ("mirakl.reply", {"thread_id": "TH-10002", "text": "Blue mugs are on their way."},
              "message"),
    "message": ("mirakl.message", {"order_id": "8817455915-A", "recipient": "Customer",
                                   "topic": "Delivery", "text": "Shipped today."}, "message"),
}  # fmt: skip


@BOTH_MARKUPS
def test_a_message_whose_answer_is_lost_is_read_not_resent(
    robot: Robot, mirakl: MockPortal
) -> None:
    flow, values, kind = CHANGES["message"]
    mirakl.faults(commit_then_error=1)
    sent = run(robot, flow, **values)
    again = run(robot, flow, **values)

    assert (sent.outcome, sent.status) == (Outcome.DONE, "sent"), sent.message
    assert again.status == "already_sent"
    assert len(mirakl.events(kind)) == 1


# Slow by nature (every reading is tried again before the outcome is called unknown): each
# flow on one markup, the reply (a message sent three times, once) on both.
UNREADABLE = [("reply", "a"), ("reply", "b"), ("refund", "b"), ("solve", "a"), ("message", "b")]


@pytest.mark.parametrize(("change", "mirakl"), UNREADABLE, indirect=["mirakl"])
def test_a_change_that_cannot_be_read_back_is_unknown_and_never_repeated(
    robot: Robot, mirakl: MockPortal, change: str
) -> None:
    """The change is made and confirmed, then the page parts that would show it fail to
    load: the outcome is unknown (never retried), and a second run does not click again."""
    flow, values, kind = CHANGES[change]
    mirakl.reset(markup=mirakl.state().get("markup"), blind_after_change=True)
    first = run(robot, flow, **values)

    assert (first.outcome, first.status) == (Outcome.UNKNOWN, "unknown"), first.message
    assert len(mirakl.events(kind)) == 1
    robot.settings.retries.attempts = 1
    try:
        again = run(robot, flow, **values)
    finally:
        robot.settings.retries.attempts = 3
    assert again.outcome in (Outcome.UNKNOWN, Outcome.FAILED), again.message
    assert len(mirakl.events(kind)) == 1


# --- the command line --------------------------------------------------------------------------


def env(mirakl: MockPortal, state_dir: Path, **extra: str) -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith("PORTALPILOT_")}
    found.update(
        PORTALPILOT_MIRAKL__BASE_URL=mirakl.url,
        PORTALPILOT_MIRAKL__EMAIL=EMAIL,
        PORTALPILOT_MIRAKL__PASSWORD=PASSWORD,
        PORTALPILOT_STATE_DIR=str(state_dir),
        # The retries of mirakl_settings; a test may ask for others in `extra`.
        PORTALPILOT_RETRIES__ATTEMPTS="3",
        PORTALPILOT_RETRIES__BACKOFF_S="0.05",
        PORTALPILOT_RETRIES__BACKOFF_MAX_S="0.2",
    )
    found.update(extra)
    return found


def test_cli_refund_json_then_again(tmp_path: Path, mirakl: MockPortal) -> None:
    args = ("mirakl", "refund", "8817455918-A", "--full", "--reason", "Item returned", "--json")
    first = run_cli(*args, env=env(mirakl, tmp_path), cwd=tmp_path)
    second = run_cli(*args, env=env(mirakl, tmp_path), cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    answer = json.loads(first.stdout)
    assert (answer["flow"], answer["status"], answer["reference"], answer["amount"]) == (
        "mirakl.refund", "refunded", "8817455918-A", "24.89")  # fmt: skip
    assert (second.returncode, json.loads(second.stdout)["status"]) == (0, "already_refunded")
    assert refunds(mirakl) == [("8817455918-A", 24.89)]


def test_cli_overdue_prints_a_table(tmp_path: Path, mirakl: MockPortal) -> None:
    done = run_cli("mirakl", "overdue", "--hours", "72", env=env(mirakl, tmp_path), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "2 threads awaiting reply for more than 72 h" in done.stdout
    lines = [line for line in done.stdout.splitlines() if "TH-100" in line]
    assert [line.split()[0] for line in lines] == ["TH-10010", "TH-10006"]
    assert "Wrong item" in lines[0] and "150" in lines[0]


def test_cli_maintenance_exits_3(tmp_path: Path, mirakl: MockPortal) -> None:
    mirakl.faults(maintenance=True)
    done = run_cli("mirakl", "solve-incident", "8817455913-A", "--message", "Replaced.",
                   "--json", env=env(mirakl, tmp_path), cwd=tmp_path)  # fmt: skip

    assert done.returncode == 3
    assert json.loads(done.stdout)["status"] == "maintenance"
    assert mirakl.events("incident_solved") == []


def test_cli_unknown_outcome_exits_4_and_a_rerun_sends_nothing(
    tmp_path: Path, mirakl: MockPortal
) -> None:
    mirakl.reset(blind_after_change=True)
    args = ("mirakl", "reply", "TH-10002", "--text", "Blue mugs are on their way.", "--json")
    first = run_cli(*args, env=env(mirakl, tmp_path), cwd=tmp_path)
    once = env(mirakl, tmp_path, PORTALPILOT_RETRIES__ATTEMPTS="1")
    second = run_cli(*args, env=once, cwd=tmp_path)

    assert first.returncode == 4, first.stderr[-2000:]
    assert json.loads(first.stdout)["status"] == "unknown"
    assert second.returncode in (3, 4), second.stderr[-2000:]
    assert len(mirakl.events("message")) == 1


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["refund", "8817455903", "--full", "--reason", "Item returned"], "ORDER_ID"),
        (
            ["refund", "8817455903-A", "--full", "--line", "A:1", "--reason", "Out of stock"],
            "--full",
        ),
        (["reply", "TH-10001", "--text", "Hi", "--attach", "missing.pdf"], "--attach"),
    ],
)
def test_bad_input_exits_2_without_a_browser(
    tmp_path: Path, mirakl: MockPortal, args: list[str], field: str
) -> None:
    marker, spy = tmp_path / "browser-started", tmp_path / "chromium-spy"
    spy.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    spy.chmod(0o755)
    spied = env(mirakl, tmp_path, PORTALPILOT_BROWSER__EXECUTABLE_PATH=str(spy))
    done = run_cli("mirakl", *args, "--json", env=spied, cwd=tmp_path)

    assert done.returncode == 2, done.stdout + done.stderr
    assert [e["field"] for e in json.loads(done.stdout)["errors"]] == [field]
    assert not marker.exists()
    assert mirakl.events() == []


@pytest.mark.parametrize(
    ("flow", "values", "field", "words"),
    [
        ("mirakl.refund", {"order_id": "1-A", "full": True}, "order_id", "e.g. 8817455903-A"),
        ("mirakl.refund", {"full": True, "reason": "broken"}, "reason", "Item returned"),
        ("mirakl.refund", {"lines": ["MUG"]}, "lines[1]", "MUG:UNITS or MUG=AMOUNT"),
        ("mirakl.refund", {"lines": ["MUG:1", "mug=2"]}, "lines", "listed twice"),
        ("mirakl.refund", {"shipping": "5,99"}, "shipping", "with a dot"),
        ("mirakl.refund", {}, "full", "say what to refund"),
        ("mirakl.message", {"recipient": "shop"}, "recipient", "Customer and operator"),
        ("mirakl.message", {"topic": "bill"}, "topic", "Invoice"),
        ("mirakl.overdue", {"hours": 0}, "hours", "greater than or equal to 1"),
    ],
)
def test_bad_input_names_the_field_and_what_is_accepted(
    flow: str, values: dict[str, Any], field: str, words: str
) -> None:
    base = {
        "mirakl.refund": {"order_id": "8817455903-A", "reason": "Item returned"},
        "mirakl.message": {"order_id": "8817455903-A", "recipient": "Customer",
                           "topic": "Invoice", "text": "Hello"},
        "mirakl.overdue": {},
    }[flow]  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        FLOWS[flow].input_model.model_validate({**base, **values})
    [problem] = describe_errors(raised.value)
    assert problem["field"] == field and words in problem["problem"]


def test_batch_of_refunds_one_event_per_refundable_row(tmp_path: Path, mirakl: MockPortal) -> None:
    batch = tmp_path / "refunds.csv"
    batch.write_text(
        "order_id,reason,full,lines,shipping\n"
        "8817455918-A,Item returned,yes,,\n"
        "8817455919-A,Item returned,,CUS-LIN-45:1,3.90\n"
        "8817455920-A,item not received,,VAS-GLASS-L=10;,\n"
        "8817455909-A,Item returned,yes,,\n"
        "8817455918-A,Item returned,true,,\n",
        encoding="utf-8",
    )
    done = run_cli("batch", str(batch), "--flow", "mirakl.refund", "--workers", "1", "--json",
                   env=env(mirakl, tmp_path / "state"), cwd=tmp_path)  # fmt: skip

    assert done.returncode == 1, done.stderr[-2000:]  # one row refused (200 days), none failed
    summary = json.loads(done.stdout)
    assert summary["counts"]["refunded"] == 3
    assert summary["counts"]["too_late"] == summary["counts"]["duplicate"] == 1
    assert sorted(refunds(mirakl)) == [
        ("8817455918-A", 24.89), ("8817455919-A", 18.4), ("8817455920-A", 10.0)]  # fmt: skip
