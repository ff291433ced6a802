"""ecart.find_order on both markups: from a reference and an email to the Shopify order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MockPortal

from flows.ecart_find_order import FLOW, EcartFindOrder
from portalpilot import Outcome, PortalSettings, Result, Settings
from portalpilot._runner import Robot
from portalpilot._settings import RetrySettings


@pytest.fixture(scope="module")
def shared_robot(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Robot]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path_factory.mktemp("ecart-state"),
        retries=RetrySettings(attempts=3, backoff_s=0.05, backoff_max_s=0.2),
        ecart=PortalSettings(
            base_url=f"{base_url}/ecart/", email="ops@example.com", password="ecart-demo"
        ),
    )
    with Robot(settings) as robot:
        yield robot


@pytest.fixture(params=["a", "b"])
def robot(
    request: pytest.FixtureRequest, shared_robot: Robot, base_url: str, tmp_path: Path
) -> Iterator[Robot]:
    portal = MockPortal(f"{base_url}/ecart/")
    portal.reset(markup=request.param)
    yield shared_robot
    # Read-only: whatever the flow did, the order manager logged only reads.
    kinds = {e["type"] for e in portal.events()}
    assert kinds <= {"login", "search", "view_order"}, kinds
    portal.http.close()


def find(robot: Robot, reference: str, email: str | None = None) -> Result:
    return robot.run(FLOW, EcartFindOrder(reference=reference, email=email))


def test_the_plain_path_by_email(robot: Robot) -> None:
    found = find(robot, "ESG-20481234", "Jane.Citizen@example.com").fields()

    assert (found["shopify_order"], found["customer"]) == ("#1042", "Jane Citizen")
    assert found["email_matches"] is True and found["searched"] == "email, last 30 days"
    assert [i["sku"] for i in found["items"]] == ["KG-LAMP-BLK"]


def test_prefixes_and_shared_emails_pick_the_exact_order(robot: Robot) -> None:
    liam = find(robot, "ESG-1001234", "liam.n@example.com").fields()
    ann = find(robot, "ESG-20487720", "ann@example.com").fields()

    assert liam["shopify_order"] == "#1001"  # never #10010 (ESG-10012345)
    assert ann["shopify_order"] == "#1045"  # of Ann's three orders; never joann@'s


def test_an_order_found_only_by_reference_in_the_last_90_days(robot: Robot) -> None:
    result = find(robot, "ESG-20493380", "jack.w@work.example")
    found = result.fields()

    assert found["shopify_order"] == "#1058"
    assert found["searched"] == "reference, last 90 days"
    assert found["email_matches"] is False and "jack.white@example.com" in result.message


def test_an_order_not_in_shopify_is_refused(robot: Robot) -> None:
    result = find(robot, "ESG-20488830", "mia.brown@example.com")

    assert (result.outcome, result.status) == (Outcome.REFUSED, "not_synced")
