"""portalpilot's command line: words in, a flow's input model, the runner, a result out.

Thin on purpose: what a command accepts comes from the flow's input model, what it does
from the runner, and exit codes from the result (0 done, 1 refused, 2 bad input,
3 portal failed, 4 unknown).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from flows import FLOWS
from portalpilot import ConfigError, Flow, Outcome, Settings
from portalpilot._agent.policy import Gate
from portalpilot._batch_run import run_single
from portalpilot._cli_inputs import describe_errors, flow_command, parse_input
from portalpilot._logging import configure_logging
from portalpilot._render import print_invalid, print_json, print_result

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Seller back-office procedures, done safely in the sellers' own web portals.",
    pretty_exceptions_enable=False,  # tracebacks with locals could show a password
)
mock_app = typer.Typer(no_args_is_help=True, help="The mock portals, for demos and QA.")
app.add_typer(mock_app, name="mock")
runs_app = typer.Typer(no_args_is_help=True, help="Runs recorded in the ledger.")
app.add_typer(runs_app, name="runs")
approvals_app = typer.Typer(
    no_args_is_help=True, help="Agents' planned actions that wait for a person's approval."
)
app.add_typer(approvals_app, name="approvals")

# Off a terminal (pipes, cron, CI) lines are not wrapped, so they can be searched whole.
out = Console(soft_wrap=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 200)
err = Console(
    stderr=True, soft_wrap=not sys.stderr.isatty(), width=None if sys.stderr.isatty() else 200
)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        for problem in describe_errors(error):
            err.print(f"[red]setting {problem['field']}[/]: {problem['problem']}")
        raise typer.Exit(2) from None


def bad_usage(flow: str, message: str, as_json: bool, problems: list[dict[str, Any]]) -> None:
    if as_json:
        print_json(
            {
                "flow": flow,
                "status": "invalid",
                "outcome": Outcome.INVALID.value,
                "message": message,
                "errors": problems,
            }
        )
    elif problems:
        print_invalid(flow, problems, err)
    else:
        err.print(f"[red]✘ {message}[/]")
    raise typer.Exit(Outcome.INVALID.exit_code)


def execute(flow: Flow[Any], values: dict[str, Any], as_json: bool) -> None:
    """Validate everything first: bad input or settings exit 2 before a browser starts."""
    try:
        item = parse_input(flow, values)
    except ValidationError as error:
        problems = describe_errors(error)
        bad_usage(
            flow.name,
            "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
            as_json,
            problems,
        )
    settings = load_settings()
    try:
        Gate.of(settings).check_names(FLOWS)
        result = run_single(settings, flow, item, source="cli")
    except ConfigError as error:
        bad_usage(flow.name, str(error), as_json, [])
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        print_result(result, out)
    raise typer.Exit(result.exit_code)


def _add_flow_commands() -> None:
    groups: dict[str, typer.Typer] = {}
    for name, flow in FLOWS.items():
        portal, action = name.split(".", 1)
        if portal not in groups:
            groups[portal] = typer.Typer(no_args_is_help=True, help=flow.portal.title)
            app.add_typer(groups[portal], name=portal)
        groups[portal].command(action.replace("_", "-"), help=flow.summary)(
            flow_command(flow, execute)
        )
        for face in flow.faces:
            groups[portal].command(face.command, help=face.help or flow.summary)(
                flow_command(flow, execute, face.fixed)
            )


_add_flow_commands()


@app.callback()
def options(
    log_json: Annotated[bool, typer.Option("--log-json", help="Logs as JSON lines.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logs.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Warnings only.")] = False,
) -> None:
    """Logs go to stderr; stdout carries only the answer."""
    level = "DEBUG" if verbose else "WARNING" if quiet else "INFO"
    configure_logging(json=log_json, level=level)


@app.command()
def batch(
    file: Annotated[
        Path | None, typer.Argument(help="CSV (header of the flow's fields) or JSON Lines.")
    ] = None,
    flow: Annotated[str | None, typer.Option("--flow", help="e.g. kogan.refund")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=16, help="Browser workers.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Every row as a dry run.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Report file (.jsonl, or .csv).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Run nothing if a row is bad.")] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", metavar="RUN_ID", help="Finish an earlier run.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run a flow over every row of a file: concurrent, resumable, exactly once."""
    from portalpilot._batch_run import resume_batch, run_batch_file
    from portalpilot._batchfile import BatchFileError
    from portalpilot._progress import progress_for
    from portalpilot._render import print_bad_rows, print_batch_summary

    if resume and (file or flow):
        bad_usage("batch", "give either FILE --flow NAME, or --resume RUN_ID", as_json, [])
    if not resume and not (file and flow):
        bad_usage("batch", "give FILE and --flow NAME (or --resume RUN_ID)", as_json, [])
    if flow and flow not in FLOWS:
        bad_usage("batch", f"no flow {flow!r}; flows: {', '.join(FLOWS)}", as_json, [])
    settings = load_settings()
    size = workers or settings.batch.workers
    try:
        Gate.of(settings).check_names(FLOWS)
        if resume:
            outcome = resume_batch(
                settings,
                FLOWS,
                resume,
                workers=size,
                report=report,
                progress=lambda: progress_for(err),
            )
        else:
            assert file and flow
            outcome = run_batch_file(
                settings,
                FLOWS[flow],
                file,
                workers=size,
                dry_run=dry_run,
                strict=strict,
                report=report,
                progress=lambda: progress_for(err),
                on_bad_rows=lambda rows: print_bad_rows(rows, err),
            )
    except (BatchFileError, ConfigError) as error:
        bad_usage("batch", str(error), as_json, [])
    print_batch_summary(outcome, out, as_json=as_json)
    raise typer.Exit(outcome.outcome.exit_code)


@runs_app.command("list")
def runs_list(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The latest runs: CLI refunds, batches, agent calls."""
    from portalpilot._ledger import Ledger
    from portalpilot._render import print_runs

    ledger = Ledger(load_settings().state_dir)
    runs = ledger.runs(limit)
    if as_json:
        print_json({"runs": runs})
    else:
        print_runs(runs, out)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run id from `runs list`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One run and each of its items."""
    from portalpilot._guard import ChangeLog
    from portalpilot._ledger import Ledger
    from portalpilot._render import print_run

    ledger = Ledger(load_settings().state_dir)
    run = ledger.run(run_id)
    if run is None:
        bad_usage("runs show", f"no run {run_id!r} (see `portalpilot runs list`)", as_json, [])
    items = ledger.items(run_id)
    # Every state-changing click of the run, as the commit guard recorded it: "unknown"
    # or "clicking" is a change a person must check in the portal.
    clicks = ChangeLog(ledger.path.parent).rows(run_id)
    if as_json:
        print_json({"run": run, "items": [item.__dict__ for item in items], "clicks": clicks})
    else:
        print_run(run, items, out, clicks)


@app.command()
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Which browser, the settings in force (secrets hidden), whether each portal answers."""
    from portalpilot._doctor import diagnose

    report = diagnose(load_settings())
    if as_json:
        print_json(report)
    else:
        from portalpilot._doctor import print_report

        print_report(report, out)
    raise typer.Exit(0 if report["ok"] else 3)


@app.command()
def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Streamable HTTP on 127.0.0.1 instead of stdio.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of --http.", min=1, max=65535)] = 8766,
) -> None:
    """Serve the flows as MCP tools for AI agents (stdio, or --http on loopback)."""
    from portalpilot._agent.server import serve

    settings = load_settings()
    try:
        serve(settings, FLOWS, http=http, port=port)
    except ConfigError as error:
        bad_usage("mcp", str(error), False, [])


@approvals_app.command("list")
def approvals_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Planned actions waiting for approval, with their plan."""
    from portalpilot._agent.approvals import print_waiting, waiting

    pending = waiting(load_settings())
    if as_json:
        print_json({"waiting": pending})
    else:
        print_waiting(pending, out)


@approvals_app.command("approve")
def approvals_approve(
    token: Annotated[str, typer.Argument(help="The confirmation token, from `approvals list`.")],
) -> None:
    """Approve a planned action: the agent may then apply it (once, before it expires)."""
    _decide(token, approve=True)


@approvals_app.command("reject")
def approvals_reject(
    token: Annotated[str, typer.Argument(help="The confirmation token, from `approvals list`.")],
) -> None:
    """Reject a planned action: it will never be applied."""
    _decide(token, approve=False)


def _decide(token: str, *, approve: bool) -> None:
    from portalpilot._agent.approvals import Undecidable, decide

    try:
        message = decide(load_settings(), token, approve=approve)
    except Undecidable as error:
        err.print(f"[red]✘ {error.message}[/]", highlight=False)
        raise typer.Exit(error.exit_code) from None
    out.print(f"[green]✔[/] {message}", highlight=False)


@app.command()
def demo() -> None:
    """Start the mock portal and run a few real refunds on it (one dry run, one refused)."""
    from fixtures.demo import run_demo

    raise typer.Exit(run_demo(out))


@mock_app.command("serve")
def mock_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
) -> None:
    """Serve the mock portals until Ctrl-C; prints the URL and the demo logins."""
    from fixtures import MockServer, demo_logins

    logins = demo_logins()
    server = MockServer(port=port)
    url = server.start()
    out.print(f"Mock portals on [bold]{url}[/] (Ctrl-C to stop)")
    for portal, (email, password) in logins.items():
        out.print(f"{portal}: {url}/{portal}/   demo login {email} / {password}", highlight=False)
    out.print("\nTo drive them:", style="dim")
    for portal, (email, password) in logins.items():
        prefix = f"PORTALPILOT_{portal.upper()}__"
        out.print(f"  export {prefix}BASE_URL={url}/{portal}/", highlight=False)
        out.print(f"  export {prefix}EMAIL={email}", highlight=False)
        out.print(f"  export {prefix}PASSWORD={password}", highlight=False)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
