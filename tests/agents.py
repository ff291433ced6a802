"""An MCP client connected to `portalpilot mcp`, driven from synchronous tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from conftest import ROOT
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult, Implementation

CLIENT = Implementation(name="pytest-agent", version="1.0")
REFUND = {"reference": "ESG-10012", "reason": "Faulty Item"}


@dataclass
class Reply:
    error: bool
    data: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.data.get("status"))


@dataclass
class Agent:
    """A connected MCP client, driven from synchronous tests through an anyio portal."""

    portal: BlockingPortal
    client: Client
    log: Path
    state: Path
    sent: list[str] = field(default_factory=list)  # every result, as it came over the wire

    def _reply(self, result: CallToolResult) -> Reply:
        self.sent.append(result.model_dump_json(by_alias=True))
        data = json.loads(result.content[0].text)  # type: ignore[union-attr]
        assert data == result.structured_content
        return Reply(result.is_error, data)

    def call(self, tool: str, arguments: dict[str, Any]) -> Reply:
        return self._reply(self.portal.call(self.client.call_tool, tool, arguments))

    def parallel(self, *calls: tuple[str, dict[str, Any]]) -> list[Reply]:
        futures = [self.portal.start_task_soon(self.client.call_tool, t, a) for t, a in calls]
        return [self._reply(future.result(timeout=300)) for future in futures]

    def plan(self, **arguments: Any) -> Reply:
        reply = self.call("kogan_refund", {**REFUND, **arguments})
        assert not reply.error and reply.status == "planned", reply.data
        return reply

    def apply(self, token: str, **arguments: Any) -> Reply:
        return self.call("kogan_refund", {**REFUND, **arguments, "confirmation": token})


@contextmanager
def agent_server(env: dict[str, str], state: Path) -> Iterator[Agent]:
    """`python -m cli -v mcp` as an MCP client launches it; its stderr into a log file."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "cli", "-v", "mcp"], env=env, cwd=str(ROOT)
    )
    log = state / "server-stderr.log"
    state.mkdir(parents=True, exist_ok=True)
    with log.open("a") as errlog, start_blocking_portal() as portal:
        client = Client(
            stdio_client(params, errlog=errlog), client_info=CLIENT, read_timeout_seconds=300
        )
        with portal.wrap_async_context_manager(client) as connected:
            yield Agent(portal, connected, log, state)
