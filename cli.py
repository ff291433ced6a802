"""portalpilot's command line: words in, a flow's input model, the runner, a result out.

Thin on purpose: what a command accepts comes from the flow's input model, what it does
from the runner, and exit codes from the result (0 done, 1 refused, 2 bad input,
3 portal failed, 4 unknown).

Habits it keeps: `-h` and `--help`, `--version`, shell completion; `-v`, `-q` and
`--log-json` before or after the command; help with defaults and examples and without
type labels; with `--json`, even a usage error is one JSON object on stdout (exit 2).
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

try:  # a Typer that carries its own Click (0.29 here)
    from typer._click import Context, Parameter
    from typer._click.exceptions import BadOptionUsage, BadParameter, NoSuchOption, UsageError
except ImportError:  # pragma: no cover - an older Typer on Click itself
    from click import Context, Parameter  # type: ignore[assignment]
    from click.exceptions import (  # type: ignore[assignment]
        BadOptionUsage,
        BadParameter,
        NoSuchOption,
        UsageError,
    )
from typer.core import TyperArgument, TyperGroup, TyperOption

from flows import FLOWS
from portalpilot import ConfigError, Flow, Outcome, Settings
from portalpilot._agent.policy import Gate
from portalpilot._batch_run import run_single
from portalpilot._cli_inputs import cli_names, describe_errors, examples, flow_command, parse_input
from portalpilot._logging import configure_logging
from portalpilot._registry import runnables
from portalpilot._render import print_json, print_result

PROG = "portalpilot"
LOG_OPTIONS = ("verbose", "quiet", "log_json")
_log_flags = dict.fromkeys(LOG_OPTIONS, False)
# "kogan refund" → "kogan.refund": a usage error of a flow command names its flow.
_command_flows: dict[str, str] = {}


def _apply_logging() -> None:
    level = "DEBUG" if _log_flags["verbose"] else "WARNING" if _log_flags["quiet"] else "INFO"
    configure_logging(json=_log_flags["log_json"], level=level)


def _log_flag(ctx: Context, param: Parameter, value: Any) -> Any:
    """`-v`, `-q` or `--log-json` after a command: added to those given before it."""
    if value and param.name and not ctx.resilient_parsing:
        _log_flags[param.name] = True
        _apply_logging()
    return value


def _option_label(self: TyperOption, ctx: Context) -> str | None:
    return None if self.is_flag else self.metavar


def _argument_label(self: TyperArgument, ctx: Context) -> str | None:
    return None


# The help's type column shows what to type (`RUN_ID`, `PATH`), never Python's types
# (`<str>`, `<bool>`): Typer has no setting for it, and its help and completion options
# are made on the fly, so the labels are set here, once, for every parameter.
TyperOption.display_type_rich = _option_label  # type: ignore[method-assign,assignment]
TyperArgument.display_type_rich = _argument_label  # type: ignore[method-assign,assignment]


def _dress(command: Any, log_options: Sequence[Parameter]) -> None:
    """Every command under the root: the log options, and no flag's "[default: False]"."""
    for param in command.params:
        if isinstance(param, TyperOption) and param.is_flag:
            param.show_default = False
    names = {p.name for p in command.params}
    for option in log_options:
        if option.name not in names:
            added = copy.copy(option)
            added.expose_value = False
            added.callback = _log_flag
            added.rich_help_panel = "Logging"  # type: ignore[attr-defined]
            command.params.append(added)
    for sub in getattr(command, "commands", {}).values():
        _dress(sub, log_options)


def _wants_json(args: Sequence[str]) -> bool:
    words = list(args)
    return "--json" in (words[: words.index("--")] if "--" in words else words)


def _hint(param: Parameter | None) -> str | None:
    if param is None:
        return None
    if isinstance(param, TyperArgument):
        return param.metavar or (param.name or "").upper()
    return next(
        (o for o in param.opts if o.startswith("--")), param.opts[0] if param.opts else None
    )


def _command_words(root: Any, args: Sequence[str]) -> list[str]:
    """The command's words at the head of `args` (`kogan refund`), options aside."""
    words: list[str] = []
    group = root
    for arg in args:
        commands = getattr(group, "commands", None)
        if arg.startswith("-") or not commands:
            continue
        if arg not in commands:
            break
        words.append(arg)
        group = commands[arg]
    return words


def _usage_json(error: UsageError, root: Any, args: Sequence[str]) -> NoReturn:
    """A usage error as the one JSON object `--json` promises; then exit 2."""
    ctx = error.ctx
    if ctx is not None and ctx.parent is not None:
        words = ctx.command_path.split()[1:]
    else:  # a parser's error may come without its command: read it from the line
        words = _command_words(root, args)
    command = " ".join(words)
    problem: dict[str, Any] = {"field": command or PROG, "value": None, "problem": ""}
    if isinstance(error, NoSuchOption):
        problem["field"] = error.option_name
        problem["problem"] = "no such option"
        if error.possibilities:
            problem["problem"] += "; did you mean " + " or ".join(sorted(error.possibilities))
    elif isinstance(error, BadOptionUsage):
        problem["field"] = error.option_name
        problem["problem"] = error.message
    elif isinstance(error, BadParameter):
        problem["field"] = _hint(error.param) or problem["field"]
        missing = type(error).__name__ == "MissingParameter"
        problem["problem"] = "required" if missing else error.message
    else:
        problem["problem"] = error.message
    print_json(
        {
            "flow": _command_flows.get(command, command or PROG),
            "status": "invalid",
            "outcome": Outcome.INVALID.value,
            "message": error.format_message(),
            "errors": [problem],
        }
    )
    raise typer.Exit(Outcome.INVALID.exit_code)


class PortalPilot(TyperGroup):
    """The root command. It gives every command under it the log options (so Click
    parses them where they stand: `--comment -v` keeps `-v` as the comment, which an
    argv rewrite could not know) and plain help, and turns Click's own usage errors into
    JSON when `--json` is on the line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        log_options = [p for p in self.params if p.name in LOG_OPTIONS]
        for param in self.params:
            if isinstance(param, TyperOption) and param.is_flag:
                param.show_default = False
        for sub in self.commands.values():
            _dress(sub, log_options)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        try:
            ctx = super().make_context(info_name, list(args), parent, **extra)
        except UsageError as error:
            if not _wants_json(args) or type(error).__name__ == "NoArgsIsHelpError":
                raise
            _usage_json(error, self, args)
        ctx.meta["portalpilot.args"] = list(args)
        return ctx

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:
            args = ctx.meta.get("portalpilot.args", [])
            if not _wants_json(args) or type(error).__name__ == "NoArgsIsHelpError":
                raise
            _usage_json(error, self, args)


def _epilog(*lines: str) -> str:
    """Examples for the help (Typer keeps a paragraph per blank-line-separated line)."""
    return "Examples:\n\n" + "\n\n".join(f"  $ {escape(line)}" for line in lines)


app = typer.Typer(
    cls=PortalPilot,
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Seller back-office procedures, done safely in the sellers' own web portals.",
    epilog=_epilog(
        f"{PROG} kogan refund ESG-10012 --reason 'Faulty Item' --dry-run",
        f"{PROG} batch refunds.csv --flow kogan.refund --json",
        f"{PROG} kogan refund -h",
    ),
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
schedule_app = typer.Typer(
    no_args_is_help=True, help="Batches the workers run at set times (cron), e.g. nightly."
)
app.add_typer(schedule_app, name="schedule")
ledger_app = typer.Typer(
    no_args_is_help=True, help="The ledger's database: its schema, and moving it to PostgreSQL."
)
app.add_typer(ledger_app, name="ledger")

# Off a terminal (pipes, cron, CI) lines are not wrapped, so they can be searched whole.
out = Console(soft_wrap=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 200)
err = Console(
    stderr=True, soft_wrap=not sys.stderr.isatty(), width=None if sys.stderr.isatty() else 200
)


def load_settings(command: str = PROG, as_json: bool = False) -> Settings:
    """Every setting, checked before anything starts: a bad value or an unknown
    PORTALPILOT_… name is exit 2 naming the variable (one JSON object with --json)."""
    try:
        settings = Settings()
        settings.check_names()
    except ValidationError as error:
        problems = [
            {**p, "field": "PORTALPILOT_" + p["field"].replace(".", "__").upper()}
            for p in describe_errors(error)
        ]
        bad_usage(command, "; ".join(_problem_line(p) for p in problems), as_json, problems)
    except ConfigError as error:
        bad_usage(command, str(error), as_json, [])
    if not (_log_flags["verbose"] or _log_flags["quiet"]) and settings.log_level != "INFO":
        # PORTALPILOT_LOG_LEVEL, unless -v or -q said otherwise on the line.
        configure_logging(json=_log_flags["log_json"], level=settings.log_level)
    return settings


def bad_usage(flow: str, message: str, as_json: bool, problems: list[dict[str, Any]]) -> NoReturn:
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
        err.print(f"[red]✘ {escape(message)}[/]")
        for problem in problems:
            where = f"line {problem['line']}: " if "line" in problem else ""
            err.print(f"  {where}{_problem_line(problem)}", highlight=False, markup=False)
    else:
        err.print(f"[red]✘ {message}[/]")
    raise typer.Exit(Outcome.INVALID.exit_code)


def _problem_line(problem: dict[str, Any]) -> str:
    """`--reason: expected one of: … (got broken)`: the option as typed, in plain words."""
    value = problem["value"]
    if value is None or value == "":
        return f"{problem['field']}: {problem['problem']}"
    text = str(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{problem['field']}: {problem['problem']} (got {text})"


def execute(flow: Flow[Any], values: dict[str, Any], as_json: bool) -> None:
    """Validate everything first: bad input or settings exit 2 before a browser starts."""
    try:
        item = parse_input(flow, values)
    except ValidationError as error:
        problems = describe_errors(error, cli_names(flow))
        if not as_json:
            err.print(f"[red]✘ invalid input for {flow.name}[/]")
            for problem in problems:
                err.print(f"  {_problem_line(problem)}", highlight=False, markup=False)
            raise typer.Exit(Outcome.INVALID.exit_code) from None
        bad_usage(flow.name, "; ".join(_problem_line(p) for p in problems), as_json, problems)
    settings = load_settings(flow.name, as_json)
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


def execute_procedure(procedure: Any, values: dict[str, Any], as_json: bool) -> None:
    """A procedure (flows in several portals, one durable run): checked like a flow,
    then run to its end, or carried on from where an earlier run of it stopped."""
    from portalpilot._procedure import run_procedure

    try:
        item = parse_input(procedure, values)
    except ValidationError as error:
        problems = describe_errors(error, cli_names(procedure))
        bad_usage(procedure.name, "; ".join(_problem_line(p) for p in problems), as_json, problems)
    settings = load_settings(procedure.name, as_json)
    try:
        Gate.of(settings).check_names(FLOWS)
        result = run_procedure(settings, procedure, item)
    except ConfigError as error:
        bad_usage(procedure.name, str(error), as_json, [])
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        print_result(result, out)
    raise typer.Exit(result.exit_code)


def _add_flow_commands() -> None:
    from portalpilot._registry import procedures

    groups: dict[str, typer.Typer] = {}
    for name, flow in FLOWS.items():
        portal, action = name.split(".", 1)
        portal = portal.replace("_", "-")  # `kogan-inbox`, as the portal's address has it
        if portal not in groups:
            groups[portal] = typer.Typer(no_args_is_help=True, help=flow.portal.title)
            app.add_typer(groups[portal], name=portal)
        commands: list[tuple[str, str, dict[str, Any]]] = [
            (action.replace("_", "-"), flow.summary, {})
        ]
        commands += [(f.command, f.help or flow.summary, f.fixed) for f in flow.faces]
        for word, summary, fixed in commands:
            _command_flows[f"{portal} {word}"] = flow.name
            shown = examples(flow, f"{PROG} {portal} {word}", fixed)
            groups[portal].command(word, help=summary, epilog=_epilog(*shown))(
                flow_command(flow, execute, fixed)
            )
    for name, procedure in procedures().items():
        portal = name.split(".", 1)[0].replace("_", "-")
        word = procedure.command
        _command_flows[f"{portal} {word}"] = name
        shown = examples(procedure, f"{PROG} {portal} {word}", {})
        groups[portal].command(word, help=procedure.summary, epilog=_epilog(*shown))(
            flow_command(procedure, execute_procedure, {})
        )


_add_flow_commands()


def _version(value: bool) -> None:
    if value:
        try:
            number = version("portalpilot")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        typer.echo(f"{PROG} {number}")
        raise typer.Exit()


@app.callback()
def options(
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Logs as JSON lines.", rich_help_panel="Logging")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logs.", rich_help_panel="Logging")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Warnings only.", rich_help_panel="Logging")
    ] = False,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            metavar="PATH",
            show_default=False,
            help="Sessions, evidence and the ledger here (sets PORTALPILOT_STATE_DIR).",
        ),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Seller back-office procedures, done safely in the sellers' own web portals.

    Logs go to stderr; stdout carries only the answer. -v, -q and --log-json may stand
    before or after the command.
    """
    if state_dir is not None:
        # Before any settings are read: every command reads them itself, later.
        os.environ["PORTALPILOT_STATE_DIR"] = str(state_dir)
    _log_flags.update(log_json=log_json, verbose=verbose, quiet=quiet)
    _apply_logging()


@app.command(
    epilog=_epilog(
        f"{PROG} batch refunds.csv --flow kogan.refund --workers 4 --report report.csv",
        f"{PROG} batch refunds.csv --flow kogan.refund --strict --dry-run --json",
        f"{PROG} batch --resume 20250101-120000-ab12",
        f"{PROG} batch refunds.csv --flow kogan.refund --enqueue --json",
    )
)
def batch(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help="CSV (header of the flow's fields) or JSON Lines."),
    ] = None,
    flow: Annotated[
        str | None,
        typer.Option("--flow", metavar="NAME", help="e.g. kogan.refund", show_default=False),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=16,
            metavar="N",
            show_default="from PORTALPILOT_BATCH__WORKERS",
            help="Browser workers.",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Every row as a dry run.")] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE",
            show_default="in the state dir",
            help="Report file (.jsonl, or .csv).",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Run nothing if a row is bad.")] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", metavar="RUN_ID", help="Finish an earlier run.")
    ] = None,
    enqueue: Annotated[
        bool,
        typer.Option(
            "--enqueue", help="Hand the rows to the workers (`portalpilot worker`) and return."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run a flow over every row of a file: concurrent, resumable, exactly once.

    With --enqueue: checked and recorded alike, then queued for `portalpilot worker`s.
    """
    from portalpilot._batch_run import resume_batch, run_batch_file
    from portalpilot._batchfile import BatchFileError
    from portalpilot._cli_inputs import plain
    from portalpilot._progress import progress_for
    from portalpilot._render import print_bad_rows, print_batch_summary

    if resume and (file or flow):
        bad_usage("batch", "give either FILE --flow NAME, or --resume RUN_ID", as_json, [])
    if not resume and not (file and flow):
        bad_usage("batch", "give FILE and --flow NAME (or --resume RUN_ID)", as_json, [])
    runnable = runnables()
    if flow and flow not in runnable:
        bad_usage("batch", f"no flow {flow}; flows: {', '.join(runnable)}", as_json, [])
    settings = load_settings("batch", as_json)
    size = workers or settings.batch.workers
    bad_rows: list[Any] = []

    def on_bad_rows(rows: list[Any]) -> None:
        bad_rows.extend(rows)
        if not as_json:
            print_bad_rows(rows, err)

    if enqueue or (resume and _queued_run(settings, resume)):
        if flow and flow not in FLOWS:  # a procedure: its steps are the engine's workflow
            bad_usage("batch", f"{flow} runs in the foreground: leave out --enqueue", as_json, [])
        if workers:
            bad_usage("batch", "--workers is the workers' own (`worker --workers`)", as_json, [])
        if resume and report:
            bad_usage("batch", "a queued run's report is the one given at --enqueue", as_json, [])
        _enqueue_batch(settings, file, flow, resume, dry_run, strict, report, as_json)
    try:
        Gate.of(settings).check_names(FLOWS)
        if resume:
            outcome = resume_batch(
                settings,
                runnable,
                resume,
                workers=size,
                report=report,
                progress=lambda: progress_for(err),
            )
        else:
            assert file and flow
            outcome = run_batch_file(
                settings,
                runnable[flow],
                file,
                workers=size,
                dry_run=dry_run,
                strict=strict,
                report=report,
                progress=lambda: progress_for(err),
                on_bad_rows=on_bad_rows,
            )
    except (BatchFileError, ConfigError) as error:
        problems = [
            {"line": r.line, "field": r.field, "value": plain(r.value), "problem": r.problem}
            for r in bad_rows
        ]
        # The rows were listed above; without --json only the reason remains to say.
        bad_usage("batch", str(error), as_json, problems if as_json else [])
    print_batch_summary(outcome, out, as_json=as_json)
    raise typer.Exit(outcome.exit_code)


def _queued_run(settings: Settings, run_id: str) -> bool:
    """Whether the run is the workers' (enqueued or scheduled): its resume queues again."""
    from portalpilot._engine import open_ledger

    ledger = open_ledger(settings)
    try:
        run = ledger.run(run_id)
    finally:
        ledger.close()
    return bool(run and run["source"] in ("queue", "schedule"))


def _enqueue_batch(
    settings: Settings,
    file: Path | None,
    flow: str | None,
    resume: str | None,
    dry_run: bool,
    strict: bool,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    from portalpilot._batchfile import BatchFileError
    from portalpilot._cli_inputs import plain
    from portalpilot._enqueue import enqueue_file, requeue
    from portalpilot._render import print_bad_rows, print_enqueued

    bad_rows: list[Any] = []

    def on_bad_rows(rows: list[Any]) -> None:
        bad_rows.extend(rows)
        if not as_json:
            print_bad_rows(rows, err)

    try:
        Gate.of(settings).check_names(FLOWS)
        if resume:
            done = requeue(settings, FLOWS, resume)
        else:
            assert file and flow
            done = enqueue_file(
                settings,
                FLOWS[flow],
                file,
                dry_run=dry_run,
                strict=strict,
                report=report,
                on_bad_rows=on_bad_rows,
            )
    except (BatchFileError, ConfigError) as error:
        problems = [
            {"line": r.line, "field": r.field, "value": plain(r.value), "problem": r.problem}
            for r in bad_rows
        ]
        bad_usage("batch", str(error), as_json, problems if as_json else [])
    print_enqueued(done.summary(), out, as_json=as_json)
    raise typer.Exit(done.exit_code)


@app.command(
    epilog=_epilog(
        f"{PROG} worker",
        f"{PROG} worker --workers 4 --name robot-1",
        f"{PROG} --log-json worker --name robot-2 --takeover-after 120",
    )
)
def worker(
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=16,
            metavar="N",
            show_default="from PORTALPILOT_BATCH__WORKERS",
            help="Browsers of this worker: items it works at once.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            metavar="NAME",
            show_default="HOST-PID",
            help="This worker's id; the same name after a restart resumes its unfinished items.",
        ),
    ] = None,
    takeover_after: Annotated[
        float,
        typer.Option(
            "--takeover-after",
            metavar="SECONDS",
            min=1,
            help="Take over the unfinished items of a worker silent this long.",
        ),
    ] = 60.0,
) -> None:
    """Work the queue of batches handed over with `batch --enqueue` and `schedule`,
    until Ctrl-C or SIGTERM (the items in flight finish first)."""
    import signal
    import threading

    from portalpilot._engine import default_name, serve

    settings = load_settings("worker")
    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        if stop.is_set():
            os._exit(130)  # a second Ctrl-C: now (an item in flight is verified later)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    try:
        Gate.of(settings).check_names(FLOWS)
        serve(
            settings,
            FLOWS,
            workers=workers or settings.batch.workers,
            name=name or default_name(),
            stop=stop,
            takeover_after_s=takeover_after,
        )
    except ConfigError as error:
        bad_usage("worker", str(error), False, [])


@schedule_app.command(
    "add",
    epilog=_epilog(
        f"{PROG} schedule add '0 2 * * *' /srv/refunds.csv --flow kogan.refund",
        f"{PROG} schedule add '30 1 * * 1-5' refunds.csv --flow kogan.refund --name weekdays "
        "--tz Australia/Sydney",
    ),
)
def schedule_add(
    cron: Annotated[
        str, typer.Argument(metavar="CRON", help="When: minute hour day month weekday.")
    ],
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The batch file, read when the time comes.")
    ],
    flow: Annotated[str, typer.Option("--flow", metavar="NAME", help="e.g. kogan.refund")],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", show_default="the file's name", help="Its name."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", metavar="ZONE", show_default="this machine's", help="Time zone."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Every row as a dry run.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Run nothing if a row is bad.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run a batch file at set times: the workers check and queue its rows then."""
    from portalpilot._batchfile import BatchFileError, read_batch
    from portalpilot._enqueue import add_schedule

    if flow not in FLOWS:
        bad_usage("schedule add", f"no flow {flow}; flows: {', '.join(FLOWS)}", as_json, [])
    settings = load_settings("schedule add", as_json)
    path = file.resolve()
    try:
        read_batch(path, FLOWS[flow])  # a file that cannot be read is refused now
        added = add_schedule(
            settings,
            name or path.stem,
            cron,
            path,
            flow,
            zone=tz,
            dry_run=dry_run,
            strict=strict,
        )
    except (BatchFileError, ConfigError) as error:
        bad_usage("schedule add", str(error), as_json, [])
    if as_json:
        print_json(added)
    else:
        out.print(
            f"[green]✔[/] schedule {added['name']}: {added['cron']} ({added['tz']}), "
            f"{flow} over {path}; workers run it",
            highlight=False,
        )


@schedule_app.command(
    "list", epilog=_epilog(f"{PROG} schedule list", f"{PROG} schedule list --json")
)
def schedule_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The schedules, with when each last fired."""
    from portalpilot._enqueue import list_schedules
    from portalpilot._render import print_schedules

    settings = load_settings("schedule list", as_json)
    try:
        found = list_schedules(settings)
    except ConfigError as error:
        bad_usage("schedule list", str(error), as_json, [])
    if as_json:
        print_json({"schedules": found})
    else:
        print_schedules(found, out)


@schedule_app.command("remove", epilog=_epilog(f"{PROG} schedule remove refunds"))
def schedule_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="From `schedule list`.")],
) -> None:
    """Stop a schedule (a run it already started goes on)."""
    from portalpilot._enqueue import remove_schedule

    settings = load_settings("schedule remove")
    try:
        remove_schedule(settings, name)
    except ConfigError as error:
        bad_usage("schedule remove", str(error), False, [])
    out.print(f"[green]✔[/] schedule {name} removed", highlight=False)


@runs_app.command("list", epilog=_epilog(f"{PROG} runs list", f"{PROG} runs list --limit 5 --json"))
def runs_list(
    limit: Annotated[int, typer.Option(metavar="N", help="How many, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The latest runs: CLI refunds, batches, agent calls."""
    from portalpilot._ledger import Ledger
    from portalpilot._render import print_runs

    ledger = Ledger.of(load_settings("runs list", as_json))
    runs = ledger.runs(limit)
    if as_json:
        print_json({"runs": runs})
    else:
        print_runs(runs, out)


@runs_app.command(
    "show",
    epilog=_epilog(
        f"{PROG} runs show RUN_ID",
        f"{PROG} runs show RUN_ID --json",
        f"{PROG} runs show RUN_ID --follow",
    ),
)
def runs_show(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="A run id from `runs list`.")],
    follow: Annotated[
        bool,
        typer.Option("--follow", help="Print progress until the run finishes; exit with its code."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One run and each of its items."""
    from portalpilot._guard import ChangeLog
    from portalpilot._ledger import Ledger
    from portalpilot._render import print_run

    settings = load_settings("runs show", as_json)
    ledger = Ledger.of(settings)
    run = ledger.run(run_id)
    if run is None:
        bad_usage("runs show", f"no run {run_id!r} (see `portalpilot runs list`)", as_json, [])
    if follow:
        run = _follow(ledger, run_id, as_json)
    items = ledger.items(run_id)
    # Every state-changing click of the run, as the commit guard recorded it: "unknown"
    # or "clicking" is a change a person must check in the portal.
    clicks = ChangeLog.of(settings).rows(run_id)
    if as_json:
        print_json({"run": run, "items": [item.__dict__ for item in items], "clicks": clicks})
    else:
        print_run(run, items, out, clicks)
    if follow:
        raise typer.Exit(_run_exit_code(items))


FOLLOW_POLL_S = 1.0


def _follow(ledger: Any, run_id: str, as_json: bool) -> dict[str, Any]:
    """Progress lines (stderr with --json, else stdout) until the run is no longer running."""
    import time

    from portalpilot._render import print_progress

    shown = None
    while True:
        run = ledger.run(run_id) or {}
        items = ledger.items(run_id)
        counts = _progress_counts(items)
        if counts != shown:
            print_progress(run_id, counts, err if as_json else out)
            shown = counts
        if run.get("state") != "running":
            return run
        time.sleep(FOLLOW_POLL_S)


def _progress_counts(items: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(
        ("done", "refused", "invalid", "duplicate", "failed", "unknown", "pending"), 0
    )
    for item in items:
        status = item.status.value
        if status in ("pending", "in_progress"):
            counts["pending"] += 1
        elif status == "refused" and item.outcome == "invalid":
            counts["invalid"] += 1
        else:
            counts[status] += 1
    counts["items"] = len(items)
    return counts


def _run_exit_code(items: list[Any]) -> int:
    """The worst item wins, as a batch's exit code: unknown, failed, invalid, refused, done."""
    from portalpilot._batch import SEVERITY

    found = {Outcome(item.outcome) for item in items if item.outcome in Outcome._value2member_map_}
    if any(item.status.value in ("pending", "in_progress") for item in items):
        found.add(Outcome.FAILED)
    return max((SEVERITY.index(o), o.exit_code) for o in found | {Outcome.DONE})[1]


@app.command(epilog=_epilog(f"{PROG} doctor", f"{PROG} doctor --login --json"))
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    login: Annotated[
        bool, typer.Option("--login", help="Also sign in to each configured portal.")
    ] = False,
) -> None:
    """Which browser, the settings in force (secrets hidden), whether each portal answers."""
    from portalpilot._doctor import diagnose

    settings = load_settings("doctor", as_json)
    report = diagnose(settings, login=login)
    if as_json:
        print_json(report)
    else:
        from portalpilot._doctor import print_report

        print_report(report, out)
    raise typer.Exit(0 if report["ok"] else 3)


@app.command(epilog=_epilog(f"{PROG} mcp", f"{PROG} mcp --http --port 8766"))
def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Streamable HTTP on 127.0.0.1 instead of stdio.")
    ] = False,
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port of --http.", min=1, max=65535)
    ] = 8766,
) -> None:
    """Serve the flows as MCP tools for AI agents (stdio, or --http on loopback)."""
    from portalpilot._agent.server import serve

    settings = load_settings()
    try:
        serve(settings, runnables(), http=http, port=port)
    except ConfigError as error:
        bad_usage("mcp", str(error), False, [])


@approvals_app.command(
    "list", epilog=_epilog(f"{PROG} approvals list", f"{PROG} approvals list --json")
)
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


@approvals_app.command("approve", epilog=_epilog(f"{PROG} approvals approve TOKEN"))
def approvals_approve(
    token: Annotated[
        str, typer.Argument(metavar="TOKEN", help="The confirmation token, from `approvals list`.")
    ],
) -> None:
    """Approve a planned action: the agent may then apply it (once, before it expires)."""
    _decide(token, approve=True)


@approvals_app.command("reject", epilog=_epilog(f"{PROG} approvals reject TOKEN"))
def approvals_reject(
    token: Annotated[
        str, typer.Argument(metavar="TOKEN", help="The confirmation token, from `approvals list`.")
    ],
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


@app.command(epilog=_epilog(f"{PROG} demo"))
def demo() -> None:
    """Start the mock portal and run a few real refunds on it (one dry run, one refused)."""
    from fixtures.demo import run_demo

    raise typer.Exit(run_demo(out))


@mock_app.command("serve", epilog=_epilog(f"{PROG} mock serve", f"{PROG} mock serve --port 0"))
def mock_serve(
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port on 127.0.0.1 (0: any free port).")
    ] = 8765,
) -> None:
    """Serve the mock portals until Ctrl-C; prints the URL and the demo logins."""
    from fixtures import MockServer, demo_logins
    from fixtures.server import PortInUse, demo_settings

    logins, extra = demo_logins(), demo_settings()
    server = MockServer(port=port)
    try:
        url = server.start()
    except PortInUse as error:
        err.print(f"{error}; choose another with --port", highlight=False, markup=False)
        raise typer.Exit(2) from None
    out.print(f"Mock portals on [bold]{url}[/] (Ctrl-C to stop)")
    for portal, (email, password) in logins.items():
        out.print(f"{portal}: {url}/{portal}/   demo login {email} / {password}", highlight=False)
    out.print("\nTo drive them:", style="dim")
    for portal, (email, password) in logins.items():
        prefix = f"PORTALPILOT_{portal.replace('-', '_').upper()}__"
        out.print(f"  export {prefix}BASE_URL={url}/{portal}/", highlight=False)
        out.print(f"  export {prefix}EMAIL={email}", highlight=False)
        out.print(f"  export {prefix}PASSWORD={password}", highlight=False)
        for setting, value in extra[portal].items():
            out.print(f"  export {prefix}{setting}={value}", highlight=False)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@ledger_app.command(
    "upgrade", epilog=_epilog(f"{PROG} ledger upgrade", f"{PROG} ledger upgrade --json")
)
def ledger_upgrade(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Bring the ledger's schema (SQLite, or PORTALPILOT_DATABASE_URL) to this version's."""
    from portalpilot._db import database_url, upgrade

    settings = load_settings("ledger upgrade", as_json)
    url = database_url(settings)
    try:
        revision = upgrade(url)
    except Exception as error:  # an unreachable database: say why, never its password
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        for secret in settings.secrets():
            said = said.replace(secret, "***")
        bad_usage("ledger upgrade", f"the database cannot be upgraded: {said}", as_json, [])
    shown = "PORTALPILOT_DATABASE_URL" if settings.database_url else str(settings.state_dir)
    if as_json:
        print_json({"revision": revision, "database": shown})
    else:
        out.print(f"[green]✔[/] the ledger ({shown}) is at revision {revision}", highlight=False)


@ledger_app.command(
    "migrate",
    epilog=_epilog(f"{PROG} ledger migrate --to postgresql://portalpilot@db.example/portalpilot"),
)
def ledger_migrate(
    to: Annotated[
        str, typer.Option("--to", metavar="URL", help="The PostgreSQL database to copy into.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Copy this machine's SQLite ledger into PostgreSQL (running it twice copies nothing twice)."""
    from portalpilot._db import migrate_sqlite, normalise_url

    settings = load_settings("ledger migrate", as_json)
    source = settings.state_dir / "ledger.sqlite3"
    if not source.is_file():
        bad_usage("ledger migrate", f"no ledger at {source} to copy", as_json, [])
    try:
        target = normalise_url(to)
        copied = migrate_sqlite(source, target)
    except ValueError as error:
        bad_usage("ledger migrate", f"--to: {error}", as_json, [])
    except Exception as error:
        bad_usage("ledger migrate", f"the copy failed: {type(error).__name__}", as_json, [])
    if as_json:
        print_json({"copied": copied})
    else:
        total = sum(copied.values())
        detail = ", ".join(f"{table} {count}" for table, count in copied.items())
        out.print(f"[green]✔[/] copied {total} rows ({detail})", highlight=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
