"""No secret in any output, whatever fails: for every portal.

A flow raises an unexpected exception mid-run (after signing in, with the password in a
local variable, as a careless flow might have it); then stdout, stderr, the result, the
ledger, the report, the evidence and the trace are searched for the password.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import MockPortal

from fixtures.server import demo_logins, demo_settings
from portalpilot import FlowContext, FlowInput, Outcome, Settings
from portalpilot import _registry as registry
from portalpilot._batch_run import run_single
from portalpilot._logging import configure_logging
from portalpilot._settings import BrowserSettings, RetrySettings

# One state-changing flow of each portal, with an input its model accepts.
INPUTS: dict[str, tuple[str, dict[str, Any]]] = {
    "kogan": ("kogan.refund", {"reference": "ESG-10012", "reason": "Faulty Item"}),
    "chopni": ("chopni.set_status", {"order": "418001", "status": "PROCESSING"}),
    "mirakl": (
        "mirakl.refund",
        {"order_id": "8817455903-A", "reason": "Item not received", "full": True},
    ),
    "kogan_inbox": ("kogan_inbox.read_ticket", {"ticket": "5201"}),
    "ecart": ("ecart.find_order", {"reference": "ESG-20481234"}),
    "shopify": ("shopify.refund", {"order": "#1042", "email": "jane.citizen@example.com"}),
    "monday": (
        "monday.record_refund",
        {
            "order": "#1042",
            "reference": "ESG-20481234",
            "email": "jane.citizen@example.com",
            "amount": "49.95",
        },
    ),
    "easyadmin": (
        "easyadmin.exchange",
        {"order": "20250306-0000106", "line": "02", "product": "린넨 셔츠", "option": "블랙/XL"},
    ),
    "cafe24": (
        "cafe24.enter_tracking",
        {"order": "20250305-0000105", "line": "01", "carrier": "롯데택배", "number": "6512345678"},
    ),
}


def test_every_portal_has_a_case_here() -> None:
    assert set(INPUTS) == set(registry.portals())


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_an_unexpected_error_mid_run_shows_the_password_nowhere(
    name: str, base_url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    mock = name.replace("_", "-")  # the mock's address: /kogan-inbox/ for kogan_inbox
    portal = MockPortal(f"{base_url}/{mock}/")
    portal.reset()
    email, password = demo_logins()[mock]
    flow_name, values = INPUTS[name]
    flow = registry.flows()[flow_name]
    item: FlowInput = flow.input_model.model_validate(values)

    def careless(ctx: FlowContext, item: FlowInput) -> Any:
        login = ctx.settings.password
        typed = login.get_secret_value() if login else ""  # a local holding the secret
        ctx.page.goto(ctx.base_url)
        raise RuntimeError(f"a bug, mid-run, with {typed!r} at hand")

    kind = registry.portal(name).settings  # its own settings: a domain, say
    extra = {key.lower(): value for key, value in demo_settings()[mock].items()}
    state = tmp_path / "state"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state,
        browser=BrowserSettings(trace=True),
        retries=RetrySettings(attempts=1),
        **{name: kind(base_url=portal.url, email=email, password=password, **extra)},
    )
    configure_logging(json=True, level="DEBUG", secrets=settings.secrets())
    result = run_single(settings, dataclasses.replace(flow, run=careless), item, source="cli")
    print(result.model_dump_json())

    assert result.outcome is Outcome.FAILED
    out, err = capfd.readouterr()
    assert "RuntimeError" in err  # the bug is reported, by its type and message
    texts = [out, err, result.model_dump_json(), json.dumps(settings.model_dump(mode="json"))]
    for path in state.rglob("*"):
        if path.is_file() and path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    assert any(path.suffix == ".zip" for path in state.rglob("*")), "a failed, traced attempt"
    assert [text for text in texts if password in text] == []
    portal.http.close()
