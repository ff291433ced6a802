"""`portalpilot mcp`: the flows as MCP tools, over stdio or streamable HTTP on loopback.

Built on the SDK's low-level `Server` rather than `MCPServer`'s decorators: the tools
are not Python functions but the flows of `FLOWS`, each with its own input model, and
every call must be validated by that model (with the CLI's messages) before anything
else, not by a signature-derived model first. The server keeps one Robot for its life:
a warm browser and logged-in sessions, so a call costs about one batch item.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from loguru import logger
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
)

from portalpilot._agent import ledger_tools
from portalpilot._agent.answers import Answer, Scrubber, ToolRefusal, to_result
from portalpilot._agent.audit import Audit
from portalpilot._agent.calls import FlowCalls
from portalpilot._agent.catalog import RUN_SHOW, RUNS_LIST, Catalog
from portalpilot._agent.policy import Gate
from portalpilot._flow import Flow
from portalpilot._ledger import Ledger
from portalpilot._logging import log_unexpected
from portalpilot._runner import Robot, new_run_id
from portalpilot._settings import Settings

INSTRUCTIONS = """\
portalpilot performs sellers' back-office procedures (refunds, order status changes,
messages) in their web portals, the way a person would, exactly once.
Read before you change: the read-only tools (e.g. kogan_find_order, runs_list, run_show)
change nothing. Tools that change a portal work in two steps: call one without
`confirmation` to get the plan and a confirmation token; show the plan to your user; call
it again with the same arguments and that token to apply it. Refusals (the operator's
policy, a stale or used token, an approval still waiting) are answers to relay to your
user, not errors to retry."""


def client_name(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """The client's name and version, as it introduced itself in the MCP handshake."""
    params = ctx.session.client_params
    if params is None:
        return None
    info = params.client_info
    return f"{info.name} {info.version}".strip()


class AgentServer:
    def __init__(
        self, settings: Settings, flows: dict[str, Flow[Any]], robot: Robot, ledger: Ledger
    ) -> None:
        self.catalog = Catalog.of(flows, settings.agent.confirmation_minutes)
        self.ledger = ledger
        self.calls = FlowCalls(settings, robot, ledger, Gate.of(settings))
        self.audit = Audit(ledger, Scrubber(settings.secrets()))
        self.lowlevel: Server[Any] = Server(
            "portalpilot",
            version="0.1.0",
            title="portalpilot",
            instructions=INSTRUCTIONS,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
        )

    async def _list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        return ListToolsResult(tools=self.catalog.tools)

    async def _call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams
    ) -> CallToolResult:
        client = client_name(ctx)
        arguments = dict(params.arguments or {})
        started = time.perf_counter()
        error = True
        with logger.contextualize(flow=params.name, reference=_subject(arguments)):
            try:
                answer = await self._dispatch(params.name, arguments, client)
                error = False
            except ToolRefusal as refusal:
                answer = refusal.answer()
            except MCPError:
                raise
            except Exception as unexpected:
                log_unexpected(logger, unexpected, f"tool {params.name}")
                message = "internal error in portalpilot; the server's log says more"
                answer = Answer({"status": "error", "message": message}, "failed")
            self.audit.record(
                client=client,
                tool=params.name,
                arguments=arguments,
                answer=answer,
                duration_s=time.perf_counter() - started,
            )
            payload = self.audit.scrub.payload(answer.payload)
            logger.info(
                "{} → {}: {}", client or "client", answer.outcome, payload.get("message", "ok")
            )
        return to_result(payload, error=error)

    async def _dispatch(self, name: str, arguments: dict[str, Any], client: str | None) -> Answer:
        if name == RUNS_LIST:
            return ledger_tools.runs_list(self.ledger, arguments)
        if name == RUN_SHOW:
            return ledger_tools.run_show(self.ledger, arguments)
        flow = self.catalog.flows.get(name)
        if flow is None:
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name}")
        return await self.calls.call(flow, arguments, client)

    async def serve_stdio(self) -> None:
        async with stdio_server() as (read, write):
            await self.lowlevel.run(read, write, self.lowlevel.create_initialization_options())

    async def serve_http(self, port: int) -> None:
        import uvicorn

        app = self.lowlevel.streamable_http_app(host="127.0.0.1")
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        logger.info("MCP over streamable HTTP at http://127.0.0.1:{}/mcp", port)
        await uvicorn.Server(config).serve()


def _subject(arguments: dict[str, Any]) -> str:
    for name in ("reference", "order", "order_id", "thread_id", "run_id"):
        if isinstance(arguments.get(name), str):
            return str(arguments[name])
    return "-"


def serve(settings: Settings, flows: dict[str, Flow[Any]], *, http: bool, port: int) -> None:
    """Run until the client hangs up (stdio) or Ctrl-C (HTTP); ConfigError before start."""
    Gate.of(settings).check_names(flows)  # a missing or bad policy file: refuse to start
    ledger = Ledger.of(settings)
    try:
        with Robot(settings, workers=settings.agent.workers, run_id=f"mcp-{new_run_id()}") as robot:
            server = AgentServer(settings, flows, robot, ledger)
            names = ", ".join(tool.name for tool in server.catalog.tools)
            logger.info("portalpilot MCP server: {} tools ({})", len(server.catalog.tools), names)
            if http:
                anyio.run(server.serve_http, port)
            else:
                anyio.run(server.serve_stdio)
    finally:
        ledger.close()
