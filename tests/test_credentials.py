"""Credentials you can trust: a session is bound to the credentials that made it, a
rejected login is remembered across processes until they change, `doctor` can sign in."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import KOGAN_PASSWORD, MockPortal, make_settings

from flows.kogan_refund import FLOW, KoganRefund
from portalpilot._batch_run import run_single
from portalpilot._doctor import diagnose
from portalpilot._results import Result


def refund(state: Path, kogan: MockPortal, password: str, reference: str) -> Result:
    settings = make_settings(state, kogan.url, password=password)
    item = KoganRefund(reference=reference, reason="Faulty Item")  # type: ignore[call-arg]
    return run_single(settings, FLOW, item, source="cli")


def test_a_changed_password_is_used_and_checked_at_once(tmp_path: Path, kogan: MockPortal) -> None:
    state = tmp_path / "state"
    assert refund(state, kogan, KOGAN_PASSWORD, "ESG-10012").status == "refunded"
    # The password is changed in the settings (rotated, or mistyped): the saved session
    # of the old one is not used; the new one is tried, and the portal says no.
    second = refund(state, kogan, "rotated-wrongly", "ESG-100123")

    assert (second.outcome, second.status) == ("refused", "login_rejected")
    assert len(kogan.events("login_failed")) == 1
    assert [e["reference"] for e in kogan.events("refund")] == ["ESG-10012"]
    # No file under the state dir holds the password, nor the wrong one.
    for path in state.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert KOGAN_PASSWORD.encode() not in text and b"rotated-wrongly" not in text


def test_a_rejected_login_is_not_tried_again_by_a_later_run(
    tmp_path: Path, kogan: MockPortal
) -> None:
    state = tmp_path / "state"
    first = refund(state, kogan, "wrong-password", "ESG-10012")
    later = [refund(state, kogan, "wrong-password", "ESG-100123") for _ in range(3)]

    assert first.status == "login_rejected"
    assert all(r.status == "login_rejected" for r in later)
    assert "PORTALPILOT_KOGAN__PASSWORD" in later[0].message
    # One failed login for four runs: none of the later ones walked towards the lock-out.
    assert len(kogan.events("login_failed")) == 1
    # The right password is tried at once, and works.
    assert refund(state, kogan, KOGAN_PASSWORD, "ESG-10012").status == "refunded"
    assert len(kogan.events("login")) == 1


def test_doctor_login_signs_in_and_says_so(tmp_path: Path, kogan: MockPortal) -> None:
    good = diagnose(make_settings(tmp_path / "a", kogan.url), login=True)
    bad = diagnose(make_settings(tmp_path / "b", kogan.url, password="nope"), login=True)

    assert good["portals"]["kogan"]["login"] == {
        "ok": True,
        "detail": "signed in as seller@example.com",
    }
    assert good["ok"] is True
    assert bad["portals"]["kogan"]["login"]["ok"] is False
    assert "login rejected" in bad["portals"]["kogan"]["login"]["detail"]
    assert bad["ok"] is False
    assert "nope" not in json.dumps(bad)
    assert len(kogan.events("login")) == 1 and len(kogan.events("login_failed")) == 1
    assert kogan.events("refund") == []


def test_doctor_never_shows_the_database_password(tmp_path: Path, kogan: MockPortal) -> None:
    settings = make_settings(tmp_path, kogan.url).model_copy(
        update={"database_url": "postgresql+psycopg://team:s3cret-pw@127.0.0.1:9/ledger"}
    )
    report = json.dumps(diagnose(settings))

    assert "s3cret-pw" not in report
    assert "team:***@127.0.0.1:9" in report
    assert "s3cret-pw" in settings.secrets()  # so every log line is scrubbed of it
