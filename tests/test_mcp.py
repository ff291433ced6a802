"""Agent tools: the SDK's own client against the real `portalpilot mcp` over stdio.

Each server is a real process (`python -m cli mcp`) with the mock portal and a real
Chromium; assertions are on the mock's `__mock__/state`, the ledger and what the server
sent. The servers are shared by the module (a warm browser, as in production); each test
starts from a fresh mock and writes the policy it needs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from agents import REFUND, Agent, agent_server
from conftest import KOGAN_PASSWORD, MockPortal, cli_env, run_cli

from flows import FLOWS
from portalpilot._ledger import Ledger, stamp
from portalpilot._registry import procedures


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "policy.toml"
    path.write_text("# no limits\n")
    return path


@pytest.fixture
def policy(policy_file: Path) -> Iterator[Any]:
    """Write the operator's policy for one test (the servers re-read it when it changes)."""
    stamps = iter(range(1, 10_000))

    def write(text: str) -> None:
        policy_file.write_text(text)
        moment = time.time_ns() + next(stamps) * 1_000_000
        os.utime(policy_file, ns=(moment, moment))

    yield write
    write("# no limits\n")


@pytest.fixture(scope="module")
def agent(
    base_url: str, policy_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Agent]:
    state = tmp_path_factory.mktemp("agent-state")
    env = cli_env(f"{base_url}/kogan/", state, PORTALPILOT_POLICY_FILE=str(policy_file))
    with agent_server(env, state) as connected:
        yield connected


@pytest.fixture(scope="module")
def spy_agent(
    base_url: str, policy_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Agent, Path]]:
    """A server whose "browser" only records that something tried to start it."""
    state = tmp_path_factory.mktemp("spy-state")
    marker = state / "browser-started"
    spy = state / "chromium-spy"
    spy.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    spy.chmod(0o755)
    env = cli_env(
        f"{base_url}/kogan/",
        state,
        PORTALPILOT_POLICY_FILE=str(policy_file),
        PORTALPILOT_BROWSER__EXECUTABLE_PATH=str(spy),
    )
    with agent_server(env, state) as connected:
        yield connected, marker


def refunds(kogan: MockPortal) -> list[tuple[str, str]]:
    return [(e["reference"], e["sku"]) for e in kogan.events("refund")]


def today_usage(state: Path) -> tuple[int, Decimal]:
    """Refunds done today according to the ledger, each order (line) once: what policy counts."""
    ledger = Ledger(state)
    try:
        done = ledger.done_since("kogan.refund", "seller@example.com", stamp(
            datetime.combine(date.today(), clock.min)))  # fmt: skip
    finally:
        ledger.close()
    changed = {key: Decimal(r["amount"]) for key, r in done if r["status"] == "refunded"}
    return len(changed), sum(changed.values(), Decimal(0))


# --- the tool list --------------------------------------------------------------------


def test_one_tool_per_flow_with_flat_schemas_and_truthful_annotations(
    spy_agent: tuple[Agent, Path],
) -> None:
    agent, marker = spy_agent
    tools = {tool.name: tool for tool in agent.portal.call(agent.client.list_tools).tools}

    runnable = {**FLOWS, **procedures()}  # a procedure is a tool like a flow
    expected = {name.replace(".", "_") for name in runnable} | {"runs_list", "run_show"}
    assert set(tools) == expected
    resolve = tools["kogan_resolve_ticket"]
    assert resolve.description and "Electronic Cart, Shopify admin" in resolve.description
    assert {"kogan_refund", "kogan_find_order"} <= set(tools)

    refund = tools["kogan_refund"]
    schema = refund.input_schema
    assert schema["required"] == ["reference", "reason"]
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert set(properties) == {
        "reference", "reason", "skus", "all_items", "customer", "comment", "search_days",
        "confirmation",
    }  # fmt: skip
    assert "dry_run" not in properties  # planning is the dry run
    assert "Faulty Item" in properties["reason"]["enum"] and len(properties["reason"]["enum"]) == 10
    assert properties["comment"] == {
        "type": "string",
        "maxLength": 500,
        "description": "Comment for the refund (500 characters at most).",
    }
    assert all(p.get("description") for p in properties.values())
    assert "$defs" not in json.dumps(schema) and "anyOf" not in json.dumps(properties)
    assert refund.description and "confirmation" in refund.description
    assert "Refund dispatched Kogan order lines" in refund.description

    by_tool = {flow_name.replace(".", "_"): flow for flow_name, flow in runnable.items()}
    for name, tool in tools.items():
        hints = tool.annotations
        assert hints is not None and hints.title, name
        flow = by_tool.get(name)
        if flow is not None:  # a flow: it works in a third party's web portal
            assert hints.read_only_hint is (not flow.changes_state), name
            assert hints.destructive_hint is flow.changes_state, name
            assert hints.open_world_hint is True, name
            assert ("confirmation" in tool.input_schema["properties"]) is flow.changes_state
        else:  # the ledger, on this machine
            assert (hints.read_only_hint, hints.open_world_hint) == (True, False), name
        assert hints.idempotent_hint is True, name
    assert tools["kogan_find_order"].annotations.read_only_hint is True  # type: ignore[union-attr]
    assert not marker.exists()  # listing tools starts no browser


# --- bad input ------------------------------------------------------------------------


def test_bad_input_names_the_field_and_what_is_accepted_without_a_browser(
    spy_agent: tuple[Agent, Path], kogan: MockPortal, policy: Any
) -> None:
    agent, marker = spy_agent
    bad = agent.call("kogan_refund", {"reference": "ESG12", "reason": "broken"})
    assert bad.error and bad.status == "invalid"
    assert [e["field"] for e in bad.data["errors"]] == ["reference", "reason"]
    assert "ESG- followed by 5 to 10 digits" in bad.data["message"]
    assert "Faulty Item" in bad.data["message"]

    unknown = agent.call("kogan_refund", {**REFUND, "dry_run": True})
    assert unknown.error and [e["field"] for e in unknown.data["errors"]] == ["dry_run"]
    assert "accepted: reference, reason" in unknown.data["message"]
    missing = agent.call("kogan_refund", {"reference": "ESG-10012"})
    assert missing.error and [e["field"] for e in missing.data["errors"]] == ["reason"]

    # What the policy forbids up front is refused before any browser too.
    policy('[flows."kogan.refund"]\nallowed_reasons = ["Damage In Transit"]\n')
    refused = agent.call("kogan_refund", REFUND)
    assert refused.error and refused.status == "policy_refused"
    assert refused.data["rule"] == "allowed_reasons"

    assert not marker.exists()
    assert kogan.events() == []


# --- plan, then apply -----------------------------------------------------------------


def test_plan_then_apply_refunds_exactly_once_and_is_audited(
    agent: Agent, kogan: MockPortal
) -> None:
    plan = agent.plan(comment="speaker broken")
    assert plan.data["plan"]["customer"] == "Olivia Bennett"
    assert plan.data["plan"]["amount"] == "89.95"
    assert plan.data["will_change"] == ["refund KG-BT-SPK (Bluetooth Speaker) ×1: $89.95"]
    token = plan.data["confirmation"]
    assert token in plan.data["next_step"]
    assert refunds(kogan) == []  # planning changes nothing

    applied = agent.apply(token, comment="speaker broken")
    assert not applied.error, applied.data
    assert (applied.status, applied.data["amount"]) == ("refunded", "89.95")
    again = agent.apply(token, comment="speaker broken")
    assert again.error and again.status == "token_used"
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]
    assert kogan.events("refund")[0]["comment"] == "speaker broken"

    # The audit trail: every call, its client, input, token, plan and answer.
    ledger = Ledger(agent.state)
    calls = ledger.calls(3)[::-1]
    ledger.close()
    assert [c["outcome"] for c in calls] == ["planned", "done", "refused"]
    assert {c["client"] for c in calls} == {"pytest-agent 1.0"}
    assert {c["token"] for c in calls} == {token}
    assert json.loads(calls[0]["input"]) == {**REFUND, "comment": "speaker broken"}
    assert json.loads(calls[1]["plan"])["lines"][0]["status"] == "would_refund"
    assert json.loads(calls[1]["answer"])["status"] == "refunded"
    # ...and the runs beside CLI and batch runs.
    listed = run_cli("runs", "list", "--json", env=cli_env(kogan.url, agent.state))
    runs = {r["run_id"]: r for r in json.loads(listed.stdout)["runs"]}
    applied_run = runs[applied.data["run_id"]]
    assert (applied_run["source"], applied_run["origin"]) == ("agent", "pytest-agent 1.0")
    assert (applied_run["done"], applied_run["dry_run"]) == (1, 0)
    assert runs[calls[0]["run_id"]]["dry_run"] == 1  # the plan: a dry run


def test_a_token_applies_only_to_the_input_it_was_planned_for(
    agent: Agent, kogan: MockPortal
) -> None:
    token = agent.plan().data["confirmation"]
    other_order = agent.call(
        "kogan_refund", {"reference": "ESG-100123", "reason": "Faulty Item", "confirmation": token}
    )
    other_reason = agent.apply(token, reason="Dead Arrival")
    unknown = agent.apply("pp-made-up")
    assert (other_order.status, other_reason.status) == ("token_other_input", "token_other_input")
    assert unknown.status == "token_unknown"
    assert other_order.error and "Nothing was changed" in other_order.data["message"]
    assert refunds(kogan) == []
    # A mismatched call does not burn the token: the planned input still applies.
    assert agent.apply(token).status == "refunded"
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


def test_a_plan_made_stale_by_someone_else_is_refused(
    agent: Agent, kogan: MockPortal, tmp_path: Path
) -> None:
    token = agent.plan().data["confirmation"]
    done = run_cli(
        "kogan", "refund", "ESG-10012", "--reason", "Faulty Item",
        env=cli_env(kogan.url, tmp_path / "cli-state"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    stale = agent.apply(token)
    assert stale.error and stale.status == "token_stale"
    assert "someone changed it" in stale.data["message"]
    assert "already refunded" in stale.data["message"]
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]  # the CLI's, only
    assert agent.apply(token).status == "token_stale"


def test_parallel_applies_on_one_line_refund_it_once(agent: Agent, kogan: MockPortal) -> None:
    first = agent.plan(skus=["KG-USB-HUB"], reference="ESG-20020").data["confirmation"]
    second = agent.plan(skus=["KG-USB-HUB"], reference="ESG-20020").data["confirmation"]
    same = {"reference": "ESG-20020", "reason": "Faulty Item", "skus": ["KG-USB-HUB"]}

    replies = agent.parallel(
        ("kogan_refund", {**same, "confirmation": first}),
        ("kogan_refund", {**same, "confirmation": first}),
        ("kogan_refund", {**same, "confirmation": second}),
    )
    # Whoever came first refunded; the others waited, then found the token used or stale.
    statuses = sorted(r.status for r in replies)
    assert statuses[0] == "refunded", [r.data for r in replies]
    assert set(statuses[1:]) <= {"token_stale", "token_used"}, [r.data for r in replies]
    assert refunds(kogan) == [("ESG-20020", "KG-USB-HUB")]
    assert kogan.line("ESG-20020", "KG-HDMI-2M")["status"] == "Dispatched"


# --- a person's approval --------------------------------------------------------------


def test_require_approval_waits_for_a_person(agent: Agent, kogan: MockPortal, policy: Any) -> None:
    policy('[flows."kogan.refund"]\nrequire_approval = true\n')
    env = cli_env(kogan.url, agent.state)
    plan = agent.plan()
    token = plan.data["confirmation"]
    assert plan.data["approval"].startswith("required")
    assert f"portalpilot approvals approve {token}" in plan.data["next_step"]

    waiting = agent.apply(token)
    assert waiting.error and waiting.status == "approval_required"
    assert f"portalpilot approvals approve {token}" in waiting.data["message"]
    assert refunds(kogan) == []

    listed = json.loads(run_cli("approvals", "list", "--json", env=env).stdout)["waiting"]
    [entry] = [e for e in listed if e["token"] == token]
    assert entry["plan"]["amount"] == "89.95" and entry["client"] == "pytest-agent 1.0"
    approved = run_cli("approvals", "approve", token, env=env)
    assert approved.returncode == 0, approved.stderr
    assert run_cli("approvals", "approve", token, env=env).returncode == 1  # decided already

    assert agent.apply(token).status == "refunded"
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]

    rejected_token = agent.plan(reference="ESG-100123").data["confirmation"]
    assert run_cli("approvals", "reject", rejected_token, env=env).returncode == 0
    rejected = agent.apply(rejected_token, reference="ESG-100123")
    assert rejected.error and rejected.status == "rejected"
    assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


# --- the operator's policy ------------------------------------------------------------


def test_policy_max_amount_refuses_with_the_numbers(
    agent: Agent, kogan: MockPortal, policy: Any
) -> None:
    policy('[flows."kogan.refund"]\nmax_amount = "500.00"\n')
    reply = agent.call("kogan_refund", {"reference": "ESG-20410", "reason": "Faulty Item"})
    assert reply.error and reply.status == "policy_refused"
    assert (reply.data["rule"], reply.data["limit"], reply.data["value"]) == (
        "max_amount", "500.00", "1234.50",
    )  # fmt: skip
    assert "$1,234.50" in reply.data["message"] and "$500.00" in reply.data["message"]
    assert "confirmation" not in reply.data
    assert refunds(kogan) == []


def test_policy_actions_and_total_per_day_count_every_entry_point(
    agent: Agent, kogan: MockPortal, policy: Any
) -> None:
    """Orders no other test refunds: today's usage then grows by exactly these refunds."""
    count, total = today_usage(agent.state)
    policy(f'[flows."kogan.refund"]\nmax_actions_per_day = {count + 2}\n')
    # One by the agent, one by the CLI (sharing the ledger): the day's count is used up.
    token = agent.plan(reference="ESG-20200").data["confirmation"]
    assert agent.apply(token, reference="ESG-20200").status == "refunded"
    env = cli_env(kogan.url, agent.state)
    cli = run_cli("kogan", "refund", "ESG-20210", "--reason", "Faulty Item", env=env)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    third = agent.call("kogan_refund", {**REFUND, "reference": "ESG-20310"})
    assert third.error and third.data["rule"] == "max_actions_per_day"
    assert f"{count + 2} action(s) already done today" in third.data["message"]

    count, total = today_usage(agent.state)
    policy(f'[flows."kogan.refund"]\nmax_total_per_day = "{total + 100}"\n')
    token = agent.plan(reference="ESG-20400").data["confirmation"]  # $45.00: fits
    assert agent.apply(token, reference="ESG-20400").status == "refunded"
    over = agent.call("kogan_refund", {**REFUND, "reference": "ESG-20300"})  # $79.00 more
    assert over.error and over.data["rule"] == "max_total_per_day"
    assert f"${total + 45:,.2f} already done today" in over.data["message"]
    assert f"${total + 100:,.2f} allowed per day" in over.data["message"]
    assert sorted(refunds(kogan)) == [
        ("ESG-20200", "KG-PHONE-CASE"),
        ("ESG-20210", "KG-SCREEN-PROT"),
        ("ESG-20400", "KG-AA-BATT"),
    ]


def test_policy_accounts_and_reasons(agent: Agent, kogan: MockPortal, policy: Any) -> None:
    policy('[flows."kogan.refund"]\nallowed_accounts = ["other@example.com"]\n')
    account = agent.call("kogan_refund", REFUND)
    assert account.error and account.data["rule"] == "allowed_accounts"
    assert "seller@example.com" in account.data["message"]

    policy('[flows."kogan.refund"]\nallowed_reasons = ["damage in transit"]\n')
    reason = agent.call("kogan_refund", REFUND)
    assert reason.error and reason.data["rule"] == "allowed_reasons"
    assert agent.plan(reason="Damage In Transit").status == "planned"
    assert refunds(kogan) == []


def test_policy_holds_at_the_cli_too(kogan: MockPortal, tmp_path: Path) -> None:
    rules = tmp_path / "policy.toml"
    rules.write_text(
        '[flows."kogan.refund"]\nmax_amount = "100"\nallowed_reasons = ["Faulty Item"]\n'
    )
    env = cli_env(kogan.url, tmp_path / "state", PORTALPILOT_POLICY_FILE=str(rules))

    reason = run_cli("kogan", "refund", "ESG-10012", "--reason", "Wrong Goods", "--json", env=env)
    assert reason.returncode == 1, reason.stdout + reason.stderr
    assert json.loads(reason.stdout)["rule"] == "allowed_reasons"
    assert json.loads(reason.stdout)["attempts"] == 0  # refused before any browser

    amount = run_cli("kogan", "refund", "ESG-20410", "--reason", "Faulty Item", "--json", env=env)
    assert amount.returncode == 1, amount.stdout + amount.stderr
    answer = json.loads(amount.stdout)
    assert (answer["status"], answer["rule"], answer["value"]) == (
        "policy_refused", "max_amount", "1234.50",
    )  # fmt: skip
    assert refunds(kogan) == []

    rules.write_text("[flows.kogan.refund]\nmax_amount = -1\n")
    broken = run_cli("kogan", "refund", "ESG-10012", "--reason", "Faulty Item", env=env)
    assert broken.returncode == 2 and "policy file" in broken.stderr
    rules.write_text('[flows."kogan.refnud"]\nmax_amount = "1"\n')  # a typo is not "no limits"
    typo = run_cli("kogan", "refund", "ESG-10012", "--reason", "Faulty Item", env=env)
    assert typo.returncode == 2 and "no flow named 'kogan.refnud'" in typo.stderr
    assert refunds(kogan) == []


def test_policy_holds_in_a_batch_with_parallel_workers(kogan: MockPortal, tmp_path: Path) -> None:
    kogan.reset(bulk=4)
    rules = tmp_path / "policy.toml"
    rules.write_text(
        '[flows."kogan.refund"]\nmax_actions_per_day = 2\nallowed_reasons = ["Faulty Item"]\n'
    )
    rows = [f"ESG-{3_000_000 + i},Faulty Item" for i in range(4)] + ["ESG-10012,Wrong Goods"]
    batch = tmp_path / "refunds.csv"
    batch.write_text("reference,reason\n" + "\n".join(rows) + "\n")
    report = tmp_path / "report.jsonl"
    env = cli_env(kogan.url, tmp_path / "state", PORTALPILOT_POLICY_FILE=str(rules))
    done = run_cli(
        "batch", str(batch), "--flow", "kogan.refund", "--workers", "2", "--report", str(report),
        env=env, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 1, done.stdout + done.stderr
    results = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(r["status"] for r in results) == [
        "policy_refused", "policy_refused", "policy_refused", "refunded", "refunded",
    ]  # fmt: skip
    reasons = [r for r in results if r.get("rule") == "allowed_reasons"]
    assert [(r["reference"], r["attempts"]) for r in reasons] == [("ESG-10012", 0)]
    assert sum(r.get("rule") == "max_actions_per_day" for r in results) == 2
    assert len(refunds(kogan)) == 2


# --- read-only tools ------------------------------------------------------------------


def test_read_only_tools(agent: Agent, kogan: MockPortal) -> None:
    order = agent.call("kogan_find_order", {"reference": "esg-20030"})
    assert not order.error, order.data
    assert order.data["customer"] == "Mia Thompson"
    assert {(line["sku"], line["status"], line["refundable"]) for line in order.data["lines"]} == {
        ("KG-LED-STRIP", "Dispatched", True),
        ("KG-SMART-PLUG", "Awaiting dispatch", False),
        ("KG-DESK-LAMP", "Refunded", False),
    }
    assert order.data["refundable_amount"] == "34.95"

    runs = agent.call("runs_list", {"limit": 5})
    assert runs.data["runs"][0]["run_id"] == order.data["run_id"]
    shown = agent.call("run_show", {"run_id": order.data["run_id"]})
    assert shown.data["items"][0]["result"]["customer"] == "Mia Thompson"
    missing = agent.call("run_show", {"run_id": "nope"})
    assert missing.error and missing.status == "not_found"
    assert refunds(kogan) == []


# --- unattended servers ---------------------------------------------------------------


def test_expired_token_and_direct_apply(
    base_url: str, kogan: MockPortal, policy_file: Path, policy: Any, tmp_path: Path
) -> None:
    """An unattended server: direct apply on, tokens valid for three seconds."""
    env = cli_env(
        kogan.url,
        tmp_path / "state",
        PORTALPILOT_POLICY_FILE=str(policy_file),
        PORTALPILOT_AGENT__DIRECT_APPLY="true",
        PORTALPILOT_AGENT__CONFIRMATION_MINUTES="0.05",
    )
    with agent_server(env, tmp_path / "state") as unattended:
        direct = unattended.call("kogan_refund", REFUND)
        assert (direct.error, direct.status) == (False, "refunded"), direct.data
        assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]

        # Approval required: no direct apply; the plan's token then expires unused.
        policy('[flows."kogan.refund"]\nrequire_approval = true\n')
        plan = unattended.call("kogan_refund", {"reference": "ESG-100123", "reason": "Faulty Item"})
        assert plan.status == "planned", plan.data
        time.sleep(3.5)
        approve = run_cli("approvals", "approve", plan.data["confirmation"], env=env)
        assert approve.returncode == 1 and "expired" in approve.stderr
        expired = unattended.call(
            "kogan_refund",
            {"reference": "ESG-100123", "reason": "Faulty Item",
             "confirmation": plan.data["confirmation"]},
        )  # fmt: skip
        assert expired.error and expired.status == "token_expired"
        assert refunds(kogan) == [("ESG-10012", "KG-BT-SPK")]


# --- secrets --------------------------------------------------------------------------


def test_no_password_in_anything_the_server_sent_logged_or_kept(
    agent: Agent, kogan: MockPortal
) -> None:
    """A failed call (evidence kept), a fresh sign-in, debug logs: then search everything."""
    kogan.faults(maintenance=True)
    failed = agent.call("kogan_refund", REFUND)
    assert failed.error and failed.status == "maintenance"
    kogan.faults()
    assert agent.call("kogan_find_order", {"reference": "ESG-10012"}).status == "found"

    texts = [*agent.sent, agent.log.read_text()]
    for path in agent.state.rglob("*"):
        if path.is_file() and path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.is_file() and not path.name.startswith("ledger.sqlite3"):
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    with sqlite3.connect(agent.state / "ledger.sqlite3") as db:
        texts += list(db.iterdump())
    assert "signed in to Kogan" in agent.log.read_text()  # the log did see a sign-in
    assert all(KOGAN_PASSWORD not in text for text in texts)
