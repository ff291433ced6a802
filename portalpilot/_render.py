"""Results for people (a short Rich summary) and for programs (one JSON object)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
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
    lines = fields.get("lines") or []
    if lines:
        table = Table(box=None, padding=(0, 2), show_edge=False)
        for column in ("SKU", "Item", "Qty", "Amount", "Status"):
            table.add_column(column)
        for line in lines:
            table.add_row(
                line["sku"],
                line["title"],
                str(line["quantity"]),
                f"${line['amount']}",
                line["status"],
            )
        console.print(table)
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
