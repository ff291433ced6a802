"""What an applied refund costs through the warm MCP server, against the CLI and a batch.

Run with `.venv/bin/python -m bench.agent_speed [N]`. Everything is measured in this one
run, against the same mock portal (its own process), so only the ratios matter:

- CLI: one `portalpilot kogan refund` process per refund (Python, browser, session file);
- agent, plan + apply: two tool calls per refund on one warm server (the default dialogue);
- agent, direct apply: one call per refund (`PORTALPILOT_AGENT__DIRECT_APPLY=true`);
- batch, 1 worker: `portalpilot batch`'s cost per item (its one browser start included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anyio.from_thread import start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import Implementation

from bench._common import EMAIL, PASSWORD, mock_server, refund_events, reset
from bench.refund_speed import through_a_batch
from portalpilot._logging import configure_logging

ROOT = Path(__file__).resolve().parents[1]
REASON = "Faulty Item"


def _env(url: str, state: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALPILOT_")}
    env.update(
        PORTALPILOT_KOGAN__BASE_URL=url,
        PORTALPILOT_KOGAN__EMAIL=EMAIL,
        PORTALPILOT_KOGAN__PASSWORD=PASSWORD,
        PORTALPILOT_STATE_DIR=state,
        **extra,
    )
    return env


def through_the_cli(url: str, references: list[str]) -> None:
    with tempfile.TemporaryDirectory() as state:
        for reference in references:
            done = subprocess.run(
                [sys.executable, "-m", "cli", "-q", "kogan", "refund", reference, "--reason",
                 REASON], env=_env(url, state), cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode:
                raise SystemExit(f"CLI {reference}: exit {done.returncode} {done.stdout}")


def through_the_server(url: str, references: list[str], *, direct: bool) -> float:
    """Refunds through one warm server; returns the seconds they took (warm-up excluded)."""
    extra = {"PORTALPILOT_AGENT__DIRECT_APPLY": "true"} if direct else {}
    with tempfile.TemporaryDirectory() as state, open(os.devnull, "w") as quiet:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "cli", "-q", "mcp"], cwd=str(ROOT),
            env=_env(url, state, **extra),
        )  # fmt: skip
        client = Client(stdio_client(params, errlog=quiet), client_info=Implementation(
            name="bench", version="1"), read_timeout_seconds=300)  # fmt: skip
        with start_blocking_portal() as portal, portal.wrap_async_context_manager(client) as mcp:

            def call(arguments: dict[str, Any]) -> dict[str, Any]:
                result = portal.call(mcp.call_tool, "kogan_refund", arguments)
                answer: dict[str, Any] = result.structured_content or {}
                if result.is_error:
                    raise SystemExit(f"{arguments}: {answer.get('message')}")
                return answer

            def refund(reference: str) -> None:
                arguments = {"reference": reference, "reason": REASON}
                answer = call(arguments)
                if not direct:
                    answer = call({**arguments, "confirmation": answer["confirmation"]})
                if answer["status"] != "refunded":
                    raise SystemExit(f"{reference}: {answer['status']}")

            refund(references[0])  # warm-up: browsers started, signed in
            started = time.perf_counter()
            for reference in references[1:]:
                refund(reference)
            return time.perf_counter() - started


def main(count: int = 10) -> None:
    configure_logging(level="WARNING")
    rows: dict[str, float] = {}
    with mock_server() as url:
        print(f"mock portal {url} (own process), {count} single-line refunds each\n")

        def measure(label: str, run: Callable[[list[str]], float | None], extra: int = 0) -> None:
            references = reset(url, count + extra)
            started = time.perf_counter()
            measured = run(references)
            elapsed = measured if measured is not None else time.perf_counter() - started
            if (done := refund_events(url)) != count + extra:
                raise SystemExit(f"{label}: {done} refunds for {count + extra} asked")
            rows[label] = elapsed / count
            print(f"{label:<34} {elapsed:7.2f} s  {rows[label]:6.3f} s/refund")

        measure("CLI, a process per refund", lambda r: through_the_cli(url, r))
        measure("agent, plan + apply (warm)", lambda r: through_the_server(url, r, direct=False), 1)
        measure("agent, direct apply (warm)", lambda r: through_the_server(url, r, direct=True), 1)
        measure("batch, 1 worker (per item)", lambda r: through_a_batch(url, r, 1))
    cli, batch = rows["CLI, a process per refund"], rows["batch, 1 worker (per item)"]
    for label in ("agent, plan + apply (warm)", "agent, direct apply (warm)"):
        print(
            f"{label}: {cli / rows[label]:.1f}× faster than the CLI, "
            f"{rows[label] / batch:.2f}× a batch item"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
