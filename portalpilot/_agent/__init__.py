"""Agent tools: an MCP server over the flows, plan-then-apply, operator policy, audit.

Kept import-light on purpose: the CLI and batch import `policy` from here on every run,
and only `portalpilot mcp` needs the MCP SDK (`server`).
"""
