"""chopni.set_status and chopni.message in a real Chromium, through the runner and the CLI.

Every test that changes something asserts on the mock's `__mock__/state`: what really
happened, not what the page said. Order numbers are the fixed ones of
fixtures/chopni/data.py. Flow tests run on both markups of the spec ("a" and "b");
command-line, batch and input tests, which add nothing per markup, on "a" only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal, cli_env, run_cli
from pydantic import ValidationError

from flows.chopni_message import FLOW as MESSAGE
from flows.chopni_message import ChopniMessage
from flows.chopni_set_status import FLOW as SET_STATUS
from flows.chopni_set_status import ChopniSetStatus, Status
from portalpilot import Outcome, PortalSettings, Result, Settings
from portalpilot._cli_inputs import describe_errors
from portalpilot._runner import Robot
from portalpilot._settings import RetrySettings

EMAIL, PASSWORD = "shop@example.com", "chopni-demo"
MARKUPS = ["a", "b"]


@pytest.fixture
def mock(base_url: str) -> Iterator[MockPortal]:
    """The mock on markup "a": for the command line, batches and input checks."""
    portal = MockPortal(f"{base_url}/chopni/")
    portal.reset()
    yield portal
    portal.http.close()


@pytest.fixture(params=MARKUPS)
def chopni(request: pytest.FixtureRequest, mock: MockPortal) -> MockPortal:
    """The mock on each markup of the spec: every flow test runs on both."""
    mock.reset(markup=request.param)
    return mock


def make_settings(
    state_dir: Path, url: str, password: str = PASSWORD, attempts: int = 3
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        retries=RetrySettings(attempts=attempts, backoff_s=0.05, backoff_max_s=0.2),
        chopni=PortalSettings(base_url=url, email=EMAIL, password=password),
    )


@pytest.fixture(scope="module")
def shared_robot(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Robot]:
    """One browser for the module; each reset ends its session, so it signs in again."""
    state = tmp_path_factory.mktemp("chopni-state")
    with Robot(make_settings(state, f"{base_url}/chopni/")) as robot:
        yield robot


@pytest.fixture
def robot(shared_robot: Robot, chopni: MockPortal) -> Robot:
    return shared_robot


def set_status(robot: Robot, order: str, status: str, **values: Any) -> Result:
    return robot.run(SET_STATUS, ChopniSetStatus(order=order, status=status, **values))


def changes(chopni: MockPortal) -> list[tuple[str, str, str]]:
    return [(e["order"], e["from"], e["to"]) for e in chopni.events("status_change")]


def order(chopni: MockPortal, number: str) -> dict[str, Any]:
    return next(o for o in chopni.state()["orders"] if o["number"] == number)


def env(chopni: MockPortal, state: Path, **extra: str) -> dict[str, str]:
    return cli_env(
        chopni.url.replace("/chopni/", "/kogan/"),
        state,
        PORTALPILOT_CHOPNI__BASE_URL=chopni.url,
        PORTALPILOT_CHOPNI__EMAIL=EMAIL,
        PORTALPILOT_CHOPNI__PASSWORD=PASSWORD,
        **extra,
    )


# --- chopni.set_status ----------------------------------------------------------------------


def test_ship_writes_tracking_and_carrier_in_the_bulgarian_comment(
    robot: Robot, chopni: MockPortal
) -> None:
    result = set_status(
        robot,
        "418002",
        "shipped",
        tracking="1051 2345 67890",
        carrier="Еконт",
        comment="Изпратено с гаранционна карта и фактура.",
    )

    assert (result.outcome, result.status) == (Outcome.DONE, "changed"), result.message
    comment = "Номер за проследяване: 1051234567890, куриер: Еконт\n" + (
        "Изпратено с гаранционна карта и фактура."
    )
    [event] = chopni.events("status_change")
    assert (event["order"], event["from"], event["to"]) == ("418002", "PROCESSING", "SHIPPED")
    assert event["comment"] == comment  # Bulgarian text round-trips exactly
    fields = result.fields()
    assert (fields["previous_status"], fields["new_status"]) == ("PROCESSING", "SHIPPED")
    assert fields["history"]["status"] == "SHIPPED"
    assert fields["history"]["comment"] == " ".join(comment.split())
    assert (fields["customer"], fields["payment"]) == ("Георги Петров", "Платена")


def test_complete_behind_a_cookie_banner_starts_the_return_period(
    robot: Robot, chopni: MockPortal
) -> None:
    chopni.faults(cookie_banner=True)
    result = set_status(robot, "418003", "Complete", comment="Получена от клиента.")

    assert result.status == "changed", result.message
    assert str(result.fields()["return_deadline"]) == "2026-05-29"
    assert "29.05.2026" in result.message
    assert changes(chopni) == [("418003", "SHIPPED", "COMPLETE")]


def test_refund_note_round_trips_and_cash_on_delivery_is_reported(
    robot: Robot, chopni: MockPortal
) -> None:
    note = "Заменена стока: изпратен нов конструктор „500 части“ на 15.05.2026."
    result = set_status(robot, "418007", "REFUNDED", note=note)

    assert result.status == "changed", result.message
    assert result.fields()["payment"] == "Наложен платеж"
    [event] = chopni.events("status_change")
    assert (event["from"], event["to"], event["comment"]) == ("PROCESSING", "REFUNDED", note)


def test_moves_the_portal_forbids_are_refused_before_the_click(
    robot: Robot, chopni: MockPortal
) -> None:
    for number, status, values, words in (
        ("418006", "SHIPPED", {"tracking": "1051234567890"}, "от PROCESSED към SHIPPED"),
        ("418005", "COMPLETE", {}, "от REFUNDED към COMPLETE"),
        ("418003", "PROCESSING", {}, "от SHIPPED към PROCESSING"),
    ):
        result = set_status(robot, number, status, **values)
        assert (result.outcome, result.status) == (Outcome.REFUSED, "not_allowed")
        assert f"Невъзможна промяна на статута {words}." in result.message
    assert chopni.events("status_change") == []


def test_missing_tracking_or_note_is_refused_before_the_click(
    robot: Robot, chopni: MockPortal
) -> None:
    # The input model refuses these up front; the flow checks again before clicking.
    shipped = ChopniSetStatus.model_construct(order="418002", status=Status.SHIPPED)
    refunded = ChopniSetStatus.model_construct(order="418004", status=Status.REFUNDED)
    for item, status, words in (
        (shipped, "tracking_missing", "Добавете номер за проследяване в коментара."),
        (refunded, "note_missing", "Добавете забележка за предприетото действие."),
    ):
        result = robot.run(SET_STATUS, item)
        assert (result.outcome, result.status) == (Outcome.REFUSED, status)
        assert words in result.message
    assert chopni.events("status_change") == []


def test_already_in_the_status_is_done_without_a_click(robot: Robot, chopni: MockPortal) -> None:
    result = set_status(robot, "418009", "COMPLETE")

    assert (result.outcome, result.status) == (Outcome.DONE, "already_done")
    assert result.fields()["history"]["status"] == "COMPLETE"
    assert chopni.events("status_change") == []


def test_running_twice_changes_once(robot: Robot, chopni: MockPortal) -> None:
    first = set_status(robot, "418001", "PROCESSING", comment="Подготвя се.")
    second = set_status(robot, "418001", "PROCESSING", comment="Подготвя се.")

    assert (first.status, second.status) == ("changed", "already_done")
    assert changes(chopni) == [("418001", "PROCESSED", "PROCESSING")]


def test_shipped_again_with_the_same_tracking_is_already_done_another_is_refused(
    robot: Robot, chopni: MockPortal
) -> None:
    first = set_status(robot, "418002", "SHIPPED", tracking="BG1051000002", carrier="Еконт")
    same = set_status(robot, "418002", "SHIPPED", tracking="bg-1051000002")
    other = set_status(robot, "418002", "SHIPPED", tracking="BG1059999999")

    assert (first.status, same.status) == ("changed", "already_done")
    assert (other.outcome, other.status) == (Outcome.REFUSED, "tracking_differs")
    assert "BG1051000002" in other.message and "BG1059999999" in other.message
    assert changes(chopni) == [("418002", "PROCESSING", "SHIPPED")]


def test_error_after_the_click_is_verified_not_repeated(robot: Robot, chopni: MockPortal) -> None:
    chopni.faults(commit_then_error=1)
    result = set_status(robot, "418008", "COMPLETE")

    assert (result.outcome, result.status) == (Outcome.DONE, "changed"), result.message
    assert changes(chopni) == [("418008", "SHIPPED", "COMPLETE")]
    assert order(chopni, "418008")["status"] == "COMPLETE"


def test_dry_run_fills_the_form_and_changes_nothing(robot: Robot, chopni: MockPortal) -> None:
    result = set_status(robot, "418010", "SHIPPED", tracking="BG1051234567", dry_run=True)

    assert (result.outcome, result.status, result.dry_run) == (Outcome.DONE, "dry_run", True)
    assert result.fields()["changes"] == ["№418010: PROCESSING → SHIPPED"]
    assert chopni.events("status_change") == []


def test_unknown_order_is_refused(robot: Robot, chopni: MockPortal) -> None:
    missing = set_status(robot, "999999", "COMPLETE")

    assert (missing.outcome, missing.status) == (Outcome.REFUSED, "not_found")
    assert chopni.events("status_change") == []


def test_wrong_password_is_refused_once(tmp_path: Path, mock: MockPortal) -> None:
    with Robot(make_settings(tmp_path, mock.url, password="wrong")) as wrong:
        rejected = set_status(wrong, "418001", "PROCESSING")

    assert (rejected.status, rejected.attempts) == ("login_rejected", 1)
    assert len(mock.events("login_failed")) == 1
    assert mock.events("status_change") == []


# --- chopni.message -------------------------------------------------------------------------


def test_message_with_attachments_is_sent_once(
    robot: Robot, chopni: MockPortal, tmp_path: Path
) -> None:
    invoice = tmp_path / "фактура-418010.pdf"
    invoice.write_bytes(b"%PDF-1.4 " + b"0" * 3000)
    photo = tmp_path / "снимка.jpg"
    photo.write_bytes(b"\xff\xd8" + b"1" * 1500)
    text = "Здравейте, г-жо Николова!\nПрилагаме фактурата и снимка на пратката."
    item = ChopniMessage(order="418010", text=text, attachments=[invoice, photo])
    first = robot.run(MESSAGE, item)
    second = robot.run(MESSAGE, item)

    assert (first.status, second.status) == ("sent", "already_sent"), first.message
    [event] = chopni.events("message")
    assert (event["order"], event["text"]) == ("418010", text)
    assert event["attachments"] == [
        {"name": "фактура-418010.pdf", "size": 3009},
        {"name": "снимка.jpg", "size": 1502},
    ]


def test_message_answer_lost_after_sending_is_not_sent_again(
    robot: Robot, chopni: MockPortal
) -> None:
    chopni.faults(commit_then_error=1)
    result = robot.run(
        MESSAGE, ChopniMessage(order="418011", text="Пратката пристига утре.", attachments=[])
    )

    assert (result.outcome, result.status) == (Outcome.DONE, "sent"), result.message
    assert len(chopni.events("message")) == 1
    assert len(order(chopni, "418011")["messages"]) == 2


def test_message_dry_run_and_the_portals_refusal_send_nothing(
    robot: Robot, chopni: MockPortal, tmp_path: Path
) -> None:
    photo = tmp_path / "снимка.jpg"
    photo.write_bytes(b"\xff\xd8" + b"1" * 100)
    dry = robot.run(
        MESSAGE, ChopniMessage(order="418010", text="Здравейте!", attachments=[photo], dry_run=True)
    )
    # The input model refuses contact details up front; here the portal's own rule answers.
    contact = ChopniMessage.model_construct(
        order="418010", text="Пишете ми: ivan@abv.bg", attachments=[], dry_run=False
    )
    refused = robot.run(MESSAGE, contact)

    assert (dry.outcome, dry.status) == (Outcome.DONE, "dry_run"), dry.message
    assert (refused.outcome, refused.status) == (Outcome.REFUSED, "refused"), refused.message
    assert "Съобщението съдържа лична информация за контакт." in refused.message
    assert chopni.events("message") == []


# --- exactly once, when the outcome cannot be seen -----------------------------------------


def hide_changes(chopni: MockPortal) -> None:
    """From now on a changed order's page cannot be read. On markup "a" the click is also
    answered 502 (`commit_then_error`); on "b" the portal's answer is its success message:
    both variants, each flow on both markups, at half the cost of every combination."""
    markup = chopni.state()["markup"]
    chopni.reset(markup=markup, unreadable_after_change=True)
    if markup == "a":
        chopni.faults(commit_then_error=1)


def test_status_change_nobody_can_read_is_unknown_and_never_clicked_again(
    chopni: MockPortal, tmp_path: Path
) -> None:
    hide_changes(chopni)
    with Robot(make_settings(tmp_path / "state", chopni.url, attempts=2)) as robot:
        first = set_status(robot, "418001", "PROCESSING", comment="Подготвя се.")
        again = set_status(robot, "418001", "PROCESSING", comment="Подготвя се.")
        clicks = [(row["key"], row["state"]) for row in robot.changes.rows()]

    assert (first.outcome, first.status) == (Outcome.UNKNOWN, "unknown"), first.message
    assert again.outcome is not Outcome.DONE  # still nobody can see it: no guess, no click
    assert changes(chopni) == [("418001", "PROCESSED", "PROCESSING")]
    assert clicks == [("418001/status/PROCESSING", "unknown")]


def test_message_nobody_can_read_is_unknown_and_never_sent_again(
    chopni: MockPortal, tmp_path: Path
) -> None:
    hide_changes(chopni)
    item = ChopniMessage(order="418010", text="Поръчката ви е на път.", attachments=[])
    with Robot(make_settings(tmp_path / "state", chopni.url, attempts=2)) as robot:
        first = robot.run(MESSAGE, item)
        again = robot.run(MESSAGE, item)
        clicks = [row["state"] for row in robot.changes.rows()]

    assert (first.outcome, first.status) == (Outcome.UNKNOWN, "unknown"), first.message
    assert again.outcome is not Outcome.DONE
    assert [e["order"] for e in chopni.events("message")] == ["418010"]
    assert len(order(chopni, "418010")["messages"]) == 1
    assert clicks == ["unknown"]


def test_cli_exits_4_when_the_change_cannot_be_seen(tmp_path: Path, mock: MockPortal) -> None:
    hide_changes(mock)
    environment = env(mock, tmp_path / "state")
    args = ("chopni", "ship", "418002", "--tracking", "BG1051000002", "--json")
    done = run_cli(*args, env=environment, cwd=tmp_path)

    assert done.returncode == 4, done.stdout + done.stderr[-2000:]
    assert json.loads(done.stdout)["status"] == "unknown"
    assert changes(mock) == [("418002", "PROCESSING", "SHIPPED")]


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def spy_browser(tmp_path: Path) -> tuple[Path, Path]:
    """A "browser" that only records that someone tried to start it."""
    marker = tmp_path / "browser-started"
    spy = tmp_path / "chromium-spy"
    spy.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    spy.chmod(0o755)
    return spy, marker


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["ship", "418002", "--tracking", "12-34"], "--tracking"),
        (["refund", "418004"], "--note"),
        (["message", "418010", "--text", "Пишете ми: ivan@abv.bg"], "--text"),
    ],
)
def test_bad_input_exits_2_without_a_browser(
    tmp_path: Path, mock: MockPortal, spy_browser: tuple[Path, Path], args: list, field: str
) -> None:
    spy, marker = spy_browser
    environment = env(mock, tmp_path, PORTALPILOT_BROWSER__EXECUTABLE_PATH=str(spy))
    done = run_cli("chopni", *args, "--json", env=environment, cwd=tmp_path)

    assert done.returncode == 2, done.stdout + done.stderr
    assert [e["field"] for e in json.loads(done.stdout)["errors"]] == [field]
    assert not marker.exists()
    assert mock.events() == []


@pytest.mark.parametrize(
    ("flow", "values", "field", "words"),
    [
        (SET_STATUS, {"status": "SHIPPED"}, "tracking", "Добавете номер за проследяване"),
        (SET_STATUS, {"status": "shipped", "tracking": "ABCDEFGHIJ"}, "tracking", "one digit"),
        (SET_STATUS, {"status": "PROCESSED"}, "status", "set by Chopni"),
        (SET_STATUS, {"status": "COMPLETE", "note": "x"}, "note", "--comment"),
        (SET_STATUS, {"status": "COMPLETE", "carrier": "Еконт"}, "carrier", "--tracking"),
        (MESSAGE, {"text": "Обадете се на +359 88 123 4567"}, "text", "лична информация"),
        (MESSAGE, {"text": "Снимка", "attachments": "липсва.jpg"}, "attachments", "no such"),
    ],
)
def test_input_model_names_the_field_and_the_rule(
    flow: Any, values: dict, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        flow.input_model.model_validate({"order": "418002", **values})
    [problem] = describe_errors(error.value)
    assert problem["field"] == field and words in problem["problem"]


def test_an_attachment_over_5_mb_is_refused_up_front(tmp_path: Path) -> None:
    big = tmp_path / "видео.mp4"
    big.write_bytes(b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="more than the 5 MB"):
        ChopniMessage(order="418010", text="Видео", attachments=[big])


def test_cli_ship_then_maintenance_exits_3(tmp_path: Path, mock: MockPortal) -> None:
    environment = env(mock, tmp_path / "state")
    shipped = run_cli(
        "chopni", "ship", "418021", "--tracking", "BG1051000021", "--carrier", "Спиди", "--json",
        env=environment, cwd=tmp_path,
    )  # fmt: skip
    mock.faults(maintenance=True)
    down = run_cli("chopni", "complete", "418003", "--json", env=environment, cwd=tmp_path)

    assert shipped.returncode == 0, shipped.stderr
    answer = json.loads(shipped.stdout)
    assert (answer["flow"], answer["status"], answer["reference"]) == (
        "chopni.set_status",
        "changed",
        "418021",
    )
    assert down.returncode == 3
    assert json.loads(down.stdout)["status"] == "maintenance"
    assert changes(mock) == [("418021", "PROCESSING", "SHIPPED")]


def test_batch_of_tracking_numbers_changes_each_order_once(
    tmp_path: Path, mock: MockPortal
) -> None:
    batch = tmp_path / "ship.csv"
    batch.write_text(
        "order,status,tracking,carrier\n"
        "418022,shipped,1051000000022,Еконт\n"
        "418023,SHIPPED,1051000000023,\n"
        "418024,SHIPPED,BG1051000024,BG Post\n"
        "418022,SHIPPED,1051000000022,Еконт\n",
        encoding="utf-8",
    )
    done = run_cli(
        "batch", str(batch), "--flow", "chopni.set_status", "--workers", "1", "--json",
        env=env(mock, tmp_path / "state"), cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["counts"] == {"changed": 3, "duplicate": 1}
    assert sorted(changes(mock)) == [
        ("418022", "PROCESSING", "SHIPPED"),
        ("418023", "PROCESSING", "SHIPPED"),
        ("418024", "PROCESSING", "SHIPPED"),
    ]
    comments = {e["order"]: e["comment"] for e in mock.events("status_change")}
    assert comments["418024"] == "Номер за проследяване: BG1051000024, куриер: BG Post"
