"""The whole Kogan refund procedure, from one inbox ticket, across five mock portals.

Every system is asserted on its own `__mock__/state`: one refund in Shopify, one monday
item, one dispatch refund, one reply and one Solved change — or, on a refusal, nothing
anywhere. A run killed mid-way is finished by the same command, each change once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agents import agent_server
from conftest import ROOT, MockPortal, run_cli

from fixtures.server import demo_logins
from flows.kogan_resolve_ticket import PROCEDURE, KoganResolveTicket
from pages.kogan.portal import KoganSettings
from portalpilot import Outcome, PortalSettings, Result, Settings
from portalpilot._procedure import run_procedure
from portalpilot._settings import RetrySettings

# The portal's settings name → the mock's address.
SYSTEMS = {
    "kogan_inbox": "kogan-inbox",
    "ecart": "ecart",
    "shopify": "shopify",
    "monday": "monday",
    "kogan": "kogan",
}
# What each system's events say changed (reads and logins aside).
CHANGES = {
    "kogan-inbox": {"comment", "status_change"},
    "shopify": {"refund"},
    "monday": {"item_created", "item_renamed", "column_changed"},
    "kogan": {"refund"},
}


@pytest.fixture
def mocks(base_url: str, request: pytest.FixtureRequest) -> Iterator[dict[str, MockPortal]]:
    """The five mocks, reset; on their second markup where a test asks (indirect)."""
    markup = getattr(request, "param", "a")
    portals = {mock: MockPortal(f"{base_url}/{mock}/") for mock in SYSTEMS.values()}
    for portal in portals.values():
        portal.reset(**({"markup": markup} if markup != "a" else {}))
    yield portals
    for portal in portals.values():
        portal.http.close()


def settings_for(base_url: str, state: Path, **kogan: Any) -> Settings:
    logins = demo_logins()
    portals: dict[str, Any] = {}
    for name, mock in SYSTEMS.items():
        email, password = logins[mock]
        kind = KoganSettings if name == "kogan" else PortalSettings
        portals[name] = kind(
            base_url=f"{base_url}/{mock}/",
            email=email,
            password=password,
            **(kogan if name == "kogan" else {}),
        )
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state,
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        **portals,
    )


def env_for(base_url: str, state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALPILOT_")}
    logins = demo_logins()
    for name, mock in SYSTEMS.items():
        email, password = logins[mock]
        prefix = f"PORTALPILOT_{name.upper()}__"
        env.update(
            {
                f"{prefix}BASE_URL": f"{base_url}/{mock}/",
                f"{prefix}EMAIL": email,
                f"{prefix}PASSWORD": password,
            }
        )
    env["PORTALPILOT_STATE_DIR"] = str(state)
    env["PORTALPILOT_RETRIES__ATTEMPTS"] = "3"
    return env


def changes(mocks: dict[str, MockPortal]) -> dict[str, list[str]]:
    return {
        mock: [e["type"] for e in mocks[mock].events() if e["type"] in kinds]
        for mock, kinds in CHANGES.items()
    }


def report_rows(ran: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    report = Path(json.loads(ran.stdout)["report"])
    return [json.loads(line) for line in report.read_text().splitlines()]


def resolve(settings: Settings, ticket: int, **values: Any) -> Result:
    item = KoganResolveTicket(ticket=ticket, reason="Faulty Item", **values)  # type: ignore[arg-type]
    return run_procedure(settings, PROCEDURE, item)


def test_the_plain_path_then_the_same_answer_again(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    settings = settings_for(base_url, tmp_path / "state")
    first = resolve(settings, 5201)  # K1
    again = resolve(settings, 5201)

    assert (first.outcome, first.status) == (Outcome.DONE, "resolved"), first.message
    assert first.fields()["amount"] == "49.95"
    assert [s["flow"] for s in first.fields()["steps"] if not s["dry_run"]][-4:] == [
        "shopify.refund",
        "monday.record_refund",
        "kogan.refund",
        "kogan_inbox.reply_and_solve",
    ]
    assert again.model_dump() == first.model_dump()  # finished: answered, not redone
    done = changes(mocks)
    assert done["shopify"] == ["refund"] and done["kogan"] == ["refund"]
    assert done["monday"].count("item_created") == 1
    assert sorted(done["kogan-inbox"]) == ["comment", "status_change"]
    assert mocks["kogan-inbox"].events("policy_violation") == []
    [refund] = mocks["kogan"].events("refund")
    assert refund["reference"] == "ESG-20481234"
    # No portal's password in the answer, nor in any file the run left (ledger, engine,
    # sessions, evidence).
    passwords = [password.encode() for _, password in demo_logins().values()]
    left = [p for p in (tmp_path / "state").rglob("*") if p.is_file()]
    assert left and not [(f, p) for f in left for p in passwords if p in f.read_bytes()]
    assert not [p for p in passwords if p in first.model_dump_json().encode()]


def test_half_done_only_the_rest_is_done(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    result = resolve(settings_for(base_url, tmp_path / "state"), 5205)  # K4

    assert (result.outcome, result.status) == (Outcome.DONE, "resolved"), result.message
    statuses = {s["flow"]: s["status"] for s in result.fields()["steps"] if not s["dry_run"]}
    assert statuses["shopify.refund"] == "already_refunded"
    assert statuses["monday.record_refund"] == "already_recorded"
    assert statuses["kogan.refund"] == "refunded"
    assert changes(mocks) == {
        "kogan-inbox": ["comment", "status_change"],
        "shopify": [],
        "monday": [],
        "kogan": ["refund"],
    }


@pytest.mark.parametrize(
    ("ticket", "status", "words"),
    [
        (5207, "not_synced", "Electronic Cart"),  # K6: no Shopify order
        (5211, "several_items", "monday"),  # K10: two items "#1057"
    ],
)
def test_a_refusal_anywhere_changes_nothing_anywhere(
    base_url: str,
    mocks: dict[str, MockPortal],
    tmp_path: Path,
    ticket: int,
    status: str,
    words: str,
) -> None:
    result = resolve(settings_for(base_url, tmp_path / "state"), ticket)

    assert (result.outcome, result.status) == (Outcome.REFUSED, status), result.message
    assert words in result.message
    assert changes(mocks) == {mock: [] for mock in CHANGES}


def test_the_dispatch_search_widens_no_further_than_the_setting(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    settings = settings_for(base_url, tmp_path / "state", widen_days=30)

    result = resolve(settings, 5212)  # K11: placed 45 days ago

    assert (result.outcome, result.status) == (Outcome.REFUSED, "not_found"), result.message
    assert "30 days" in result.message
    assert changes(mocks) == {mock: [] for mock in CHANGES}


def test_the_dry_run_plans_all_five_systems_and_changes_nothing(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    result = resolve(settings_for(base_url, tmp_path / "state"), 5212, dry_run=True)  # K11

    assert (result.outcome, result.status) == (Outcome.DONE, "dry_run"), result.message
    systems = {s["system"] for s in result.fields()["steps"]}
    assert len(systems) == 5
    assert result.fields()["shopify_order"] == "#1058"  # found by reference, 90 days
    assert changes(mocks) == {mock: [] for mock in CHANGES}


@pytest.mark.slow  # two processes, five portals each
@pytest.mark.parametrize(
    ("system", "event"),
    [
        ("shopify", "refund"),  # step 4 done, nothing after it
        ("monday", "item_created"),  # step 5 begun: the item exists, its columns may not
        ("kogan", "refund"),  # step 6 done: the money is back, the customer not answered
        ("kogan-inbox", "comment"),  # step 7 begun: the reply is posted
    ],
)
def test_killed_after_a_step_the_same_command_finishes_each_change_once(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path, system: str, event: str
) -> None:
    env = env_for(base_url, tmp_path / "state")
    args = [sys.executable, "-m", "cli", "kogan", "resolve", "5208", "--reason", "Faulty Item"]
    first = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while not mocks[system].events(event):  # K7's new ticket, killed as soon as it shows
        assert first.poll() is None, f"the procedure ended before {system} {event}"
        assert time.monotonic() < deadline, f"no {system} {event} in time"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()

    again = subprocess.run(
        [*args, "--json"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["status"] == "resolved"
    done = changes(mocks)
    assert done["shopify"] == ["refund"] and done["kogan"] == ["refund"]
    assert done["monday"].count("item_created") == 1
    assert sorted(done["kogan-inbox"]) == ["comment", "status_change"]
    [item] = [i for i in mocks["monday"].state()["items"] if "1048" in i["name"]]
    assert (item["status"], item["esg"]) == ("Done", "ESG-20489940"), item


def test_shopify_in_maintenance_stops_after_the_reads_and_a_rerun_finishes(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    settings = settings_for(base_url, tmp_path / "state")
    mocks["shopify"].faults(maintenance=True)

    stopped = resolve(settings, 5201)  # K1

    assert stopped.outcome is Outcome.FAILED, stopped.message
    assert "Shopify" in stopped.message
    steps = stopped.fields()["steps"]
    assert [s["flow"] for s in steps][:2] == ["kogan_inbox.read_ticket", "ecart.find_order"]
    assert [s["outcome"] for s in steps][:2] == ["done", "done"]
    assert changes(mocks) == {mock: [] for mock in CHANGES}

    mocks["shopify"].faults(maintenance=False)
    finished = resolve(settings, 5201)

    assert (finished.outcome, finished.status) == (Outcome.DONE, "resolved"), finished.message
    done = changes(mocks)
    assert done["shopify"] == ["refund"] and done["kogan"] == ["refund"]
    assert sorted(done["kogan-inbox"]) == ["comment", "status_change"]


@pytest.mark.slow  # seven tickets, twice
@pytest.mark.parametrize("mocks", ["b"], indirect=True)  # the five mocks' second markup
def test_a_morning_s_tickets_as_a_batch_each_scenario_once(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    env = env_for(base_url, tmp_path / "state")
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "ticket,reason\n"
        "5202,Faulty Item\n"  # K2: ESG-1001234, whose number begins ESG-10012345
        "5204,Faulty Item\n"  # K3: written by Kogan for the customer
        "5206,Faulty Item\n"  # K5: one email, three orders; the board's "1045"
        "5207,Faulty Item\n"  # K6: not in Shopify: refused, nothing changed
        "5209,Faulty Item\n"  # K8: the other line of a half-refunded order
        "5210,Faulty Item\n"  # K9: 王芳
        "5202,Faulty Item\n"  # the same ticket twice: once
        "5110,Faulty Item\n"  # K7's old ticket, already Solved: refused
    )
    args = ["batch", str(tickets), "--flow", "kogan.resolve_ticket", "--json"]

    ran = run_cli(*args, env=env, timeout=600)

    assert ran.returncode == 1, ran.stdout + ran.stderr  # K6's refusal: exit 1
    statuses = {row["row"]: row["status"] for row in report_rows(ran)}
    assert statuses == {
        2: "resolved",
        3: "resolved",
        4: "resolved",
        5: "not_synced",
        6: "resolved",
        7: "resolved",
        8: "duplicate",
        9: "ticket_solved",
    }
    dispatch = sorted((e["reference"], e["sku"]) for e in mocks["kogan"].events("refund"))
    shopify = sorted(e["order"] for e in mocks["shopify"].events("refund"))
    assert [r for r, _ in dispatch] == sorted(
        ["ESG-1001234", "ESG-20485501", "ESG-20487720", "ESG-20490050", "ESG-20491160"]
    )
    assert shopify == sorted(["#1001", "#1043", "#1045", "#1049", "#1050"])
    monday = changes(mocks)["monday"]
    assert monday.count("item_created") == 4  # K5's item "1045" was there: updated
    solved = [e for e in mocks["kogan-inbox"].events("status_change")]
    assert sorted(e["ticket"] for e in solved) == [5202, 5204, 5206, 5209, 5210]
    assert mocks["kogan-inbox"].events("policy_violation") == []

    again = run_cli(*args, env=env, timeout=600)

    rows = report_rows(again)
    assert {r["status"] for r in rows if r["row"] not in (5, 9)} == {"already_done", "duplicate"}
    assert len(mocks["kogan"].events("refund")) == len(dispatch)


@pytest.mark.parametrize("mocks", ["b"], indirect=True)
def test_an_agent_plans_the_whole_procedure_then_applies_it_once(
    base_url: str, mocks: dict[str, MockPortal], tmp_path: Path
) -> None:
    state = tmp_path / "state"
    ticket = {"ticket": 5201, "reason": "Faulty Item"}  # K1
    with agent_server(env_for(base_url, state), state) as agent:
        plan = agent.call("kogan_resolve_ticket", ticket)
        assert not plan.error and plan.status == "planned", plan.data
        planned = {s["system"] for s in plan.data["plan"]["steps"]}
        assert planned == {
            "Kogan inbox",
            "Electronic Cart",
            "Shopify admin",
            "monday.com",
            "Kogan dispatch portal",
        }
        assert changes(mocks) == {mock: [] for mock in CHANGES}  # a plan changes nothing

        token = plan.data["confirmation"]
        applied = agent.call("kogan_resolve_ticket", {**ticket, "confirmation": token})
        again = agent.call("kogan_resolve_ticket", {**ticket, "confirmation": token})
        replanned = agent.call("kogan_resolve_ticket", ticket)

    assert not applied.error and applied.status == "resolved", applied.data
    assert again.error and again.status == "token_used", again.data
    assert replanned.status == "resolved" and "Nothing to apply" in replanned.data["next_step"]
    done = changes(mocks)
    assert done["shopify"] == ["refund"] and done["kogan"] == ["refund"]
    assert done["monday"].count("item_created") == 1
    assert sorted(done["kogan-inbox"]) == ["comment", "status_change"]
    passwords = [password for _, password in demo_logins().values()]
    sent = "\n".join(agent.sent)
    assert not [p for p in passwords if p in sent]
