"""Results for people (a short Rich summary) and for programs (one JSON object)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from portalpilot._results import Outcome, Result

_STYLE = {
    Outcome.DONE: ("✔", "green"),
    Outcome.REFUSED: ("✘", "yellow"),
    Outcome.INVALID: ("✘", "red"),
    Outcome.FAILED: ("✘", "red"),
    Outcome.UNKNOWN: ("?", "magenta"),
}


def print_json(payload: dict[str, Any]) -> None:
    """Exactly one JSON object on stdout, nothing else there."""
    print(json.dumps(payload, ensure_ascii=False, default=str))


def print_result(result: Result, console: Console | None = None) -> None:
    console = console or Console()
    mark, colour = _STYLE[result.outcome]
    console.print(
        f"[{colour}]{mark} {result.status}[/] [bold]{result.reference}[/] — {result.message}",
        highlight=False,
    )
    fields = result.fields()
    for name, value in fields.items():
        # A flow's list of records (order lines, overdue threads...) reads best as a table.
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            print_records(name, value, console)
    facts = [f"{result.attempts} attempt{'s' if result.attempts != 1 else ''}"]
    facts.append(f"{result.duration_s:.1f} s")
    if fields.get("customer"):
        facts.insert(0, f"customer {fields['customer']}")
    console.print("  " + " · ".join(facts), style="dim", highlight=False)
    for path in result.evidence:
        console.print(f"  evidence: {path}", style="dim", highlight=False)


def print_invalid(flow: str, problems: list[dict[str, Any]], console: Console) -> None:
    console.print(f"[red]✘ invalid input for {flow}[/]")
    for problem in problems:
        console.print(
            f"  {problem['field']}: {problem['value']!r} — {problem['problem']}", highlight=False
        )


def print_bad_rows(rows: list[Any], console: Console) -> None:
    console.print(f"[red]✘ {len(rows)} bad row(s):[/]")
    for row in rows:
        console.print(f"  {escape(row.describe())}", highlight=False)


def print_batch_summary(report: Any, console: Console, *, as_json: bool) -> None:
    outcome = report.outcome
    html = getattr(report, "html_path", None)
    if getattr(report, "already_finished", False):
        if as_json:
            print_json(
                {
                    "run_id": outcome.run_id,
                    "exit_code": 0,
                    "already_finished": True,
                    "message": report.message,
                    "rows": len(report.rows),
                    "report": str(report.report_path),
                    "html": str(html) if html else None,
                }
            )
        else:
            console.print(f"[green]✔[/] {report.message}", highlight=False)
            if html:
                console.print(f"open: {html}", highlight=False)
        return
    counts = outcome.counts()
    processed = sum(1 for r in outcome.results.values() if r.attempts)
    summary = {
        "run_id": outcome.run_id,
        "exit_code": outcome.exit_code,
        "counts": dict(counts),
        "rows": len(outcome.results) + len(outcome.pending),
        "pending": len(outcome.pending),
        "stopped": outcome.stopped,
        "duration_s": round(outcome.duration_s, 2),
        "per_second": round(processed / outcome.duration_s, 3) if outcome.duration_s else 0,
        "report": str(report.report_path),
        "html": str(html) if html else None,
        "evidence": str(report.evidence_dir),
    }
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"run {outcome.run_id}", box=None, padding=(0, 2))
    table.add_column("status")
    table.add_column("rows", justify="right")
    for status, count in sorted(counts.items()):
        table.add_row(status, str(count))
    if outcome.pending:
        table.add_row("[yellow]not run yet[/]", str(len(outcome.pending)))
    console.print(table)
    console.print(
        f"{summary['rows']} rows in {summary['duration_s']} s "
        f"({summary['per_second']} items/s); report {summary['report']}",
        highlight=False,
    )
    if html:
        console.print(f"open: {html}", highlight=False)
    if any(r.evidence for r in outcome.results.values()):
        console.print(f"evidence of failures under {summary['evidence']}", highlight=False)
    if outcome.pending:
        console.print(
            f"[yellow]stopped: {outcome.stopped}.[/] {len(outcome.pending)} rows not run; "
            f"finish with: portalpilot batch --resume {outcome.run_id}",
            highlight=False,
        )


def _money(amount: Any, currency: Any = None) -> str:
    if amount in (None, ""):
        return ""
    text = _cell(Decimal(str(amount)))
    return f"{text} {currency}" if currency else text


_RUN_COUNTS = [
    ("done", "done", "green"), ("refused", "refused", "yellow"), ("invalid", "invalid", "red"),
    ("duplicates", "duplicate", ""), ("failed", "failed", "red"),
    ("unknown", "unknown", "magenta"), ("pending", "pending", "yellow"),
]  # fmt: skip


def print_runs(runs: list[dict[str, Any]], console: Console) -> None:
    """One line per run: what it changed (items, amount) and how its items ended."""
    table = Table(box=None, padding=(0, 1))
    table.add_column("run", no_wrap=True)
    table.add_column("flow")
    table.add_column("source")
    table.add_column("state")
    table.add_column("items", justify="right")
    table.add_column("changed", justify="right")
    table.add_column("amount", justify="right")
    table.add_column("items ended")
    table.add_column("started", no_wrap=True)
    for run in runs:
        dry = bool(run.get("dry_run"))
        ended = [
            f"[{colour}]{run[key]} {word}[/]" if colour else f"{run[key]} {word}"
            for key, word, colour in _RUN_COUNTS
            if run.get(key)
        ]
        table.add_row(
            run["run_id"],
            run["flow"],
            run["source"],
            run["state"] + (" (dry run)" if dry else ""),
            str(run["items"]),
            str(run.get("changed", 0)),
            "—" if dry else _money(run.get("amount"), run.get("currency")),
            " · ".join(ended),
            run["started_at"][:16].replace("T", " "),
        )
    console.print(table)


def print_run(
    run: dict[str, Any], items: list[Any], console: Console, clicks: list[dict[str, Any]]
) -> None:
    console.print(
        f"run {run['run_id']} · {run['flow']} · {run['source']} · {run['state']}"
        + (" · dry run" if run.get("dry_run") else "")
        + (f" · {run['note']}" if run.get("note") else ""),
        highlight=False,
    )
    changed = [item for item in items if getattr(item, "changed", False)]
    total = sum((Decimal(item.amount) for item in changed if item.amount), Decimal(0))
    facts = [f"{len(items)} items", f"{len(changed)} changed"]
    if changed:
        facts.append(f"amount {_cell(total)}")
    if run.get("origin"):
        facts.append(f"from {run['origin']}")
    if run.get("report"):
        facts.append(f"report {run['report']}")
    console.print("  " + " · ".join(facts), style="dim", highlight=False)
    table = Table(
        "row", "subject", "status", "outcome", "amount", "attempts", "message",
        box=None, padding=(0, 1),
    )  # fmt: skip
    for item in items:
        outcome = item.outcome or item.status.value
        colour = _STYLE[Outcome(outcome)][1] if outcome in _OUTCOMES else ""
        table.add_row(
            str(item.row),
            escape(item.subject or item.item_key),
            escape(item.result_status or item.status.value),
            f"[{colour}]{outcome}[/]" if colour else outcome,
            _money(item.amount),
            str(item.attempts),
            escape(item.message),
        )
    console.print(table)
    for item in items:
        for path in item.evidence:
            console.print(f"  row {item.row} evidence: {path}", style="dim", highlight=False)
    if clicks:
        console.print("state-changing clicks (unknown or clicking: check them in the portal):")
        done = Table("change", "state", "clicked", "note", box=None, padding=(0, 2))
        for click in clicks:
            done.add_row(
                click["key"], click["state"], click["clicked_at"][:19], click.get("note") or ""
            )
        console.print(done)


_OUTCOMES = {o.value for o in Outcome}


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def print_records(name: str, records: list[dict[str, Any]], console: Console) -> None:
    table = Table(box=None, padding=(0, 2), show_edge=False)
    columns = list(records[0])
    for column in columns:
        table.add_column(column.replace("_", " "))
    for record in records:
        table.add_row(*(_cell(record.get(column)) for column in columns))
    console.print(table)


def print_enqueued(summary: dict[str, Any], console: Console, *, as_json: bool) -> None:
    """`batch --enqueue`: the run id, what was queued, and how to follow it."""
    if as_json:
        print_json(summary)
        return
    settled = " · ".join(f"{count} {status}" for status, count in sorted(summary["counts"].items()))
    console.print(
        f"[green]✔[/] run [bold]{summary['run_id']}[/]: {summary['queued']} of "
        f"{summary['rows']} rows queued for the workers"
        + (
            f" ({summary['already_queued']} on the queue already)"
            if summary["already_queued"]
            else ""
        )
        + (f"; settled up front: {settled}" if settled else ""),
        highlight=False,
    )
    if summary["finished"]:
        console.print(f"nothing left to run; report {summary['report']}", highlight=False)
    else:
        console.print(f"follow it: {summary['follow']}", highlight=False)


def print_progress(run_id: str, counts: dict[str, int], console: Console) -> None:
    """One line of a followed run's progress (`runs show --follow`)."""
    settled = counts["items"] - counts["pending"]
    parts = (
        [f"{counts['done']} done"]
        + [
            f"{counts[key]} {key}"
            for key in ("refused", "invalid", "duplicate", "failed", "unknown")
            if counts.get(key)
        ]
        + [f"{counts['pending']} pending"]
    )
    console.print(
        f"run {run_id}: {settled}/{counts['items']} · " + " · ".join(parts), highlight=False
    )


def print_schedules(schedules: list[dict[str, Any]], console: Console) -> None:
    if not schedules:
        console.print("no schedules (add one: portalpilot schedule add CRON FILE --flow NAME)")
        return
    table = Table(box=None, padding=(0, 2))
    for column in ("name", "when", "zone", "flow", "file", "status", "last fired"):
        table.add_column(column)
    for schedule in schedules:
        table.add_row(
            escape(schedule["name"]),
            schedule["cron"],
            schedule["tz"],
            str(schedule["flow"]) + (" (dry run)" if schedule["dry_run"] else ""),
            escape(str(schedule["file"])),
            str(schedule["status"]),
            str(schedule["last_fired_at"] or "never")[:19],
        )
    console.print(table)
