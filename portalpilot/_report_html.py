"""The page a person opens in the morning: one self-contained HTML report per batch run.

`<state_dir>/runs/<run_id>/report.html`: the run's summary, a row per item, and for every
item that did not go through (refused, invalid, failed, unknown) its message and the
screenshots of its attempts, embedded. No external links, styles inline: it opens from a
file, mailed or copied anywhere. Everything shown is escaped (messages come from pages).
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template

from portalpilot._ledger import changed_amount
from portalpilot._report import plain_amount
from portalpilot._results import Outcome, Result

TEMPLATES = Path(__file__).parent / "templates"
PROBLEMS = (Outcome.REFUSED, Outcome.INVALID, Outcome.FAILED, Outcome.UNKNOWN)
OUTCOME_ORDER = [Outcome.DONE, *PROBLEMS]
# Screenshots are embedded up to this many bytes in all; the rest are listed by path.
EMBED_LIMIT = 40_000_000


@dataclass
class Shot:
    path: str
    data_uri: str | None  # None: not embedded (missing, or past the size limit)
    note: str = ""


@dataclass
class Row:
    row: int
    subject: str
    status: str
    outcome: str
    amount: str
    changed: bool
    message: str
    attempts: int
    shots: list[Shot] = field(default_factory=list)
    other_evidence: list[str] = field(default_factory=list)


@cache
def _template() -> Template:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value: messages and names come from web pages
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html")


def _shots(paths: list[str], budget: list[int]) -> tuple[list[Shot], list[str]]:
    shots: list[Shot] = []
    others: list[str] = []
    for path in paths:
        if not path.lower().endswith(".png"):
            others.append(path)
            continue
        try:
            data = Path(path).read_bytes()
        except OSError:
            shots.append(Shot(path, None, "the file is gone"))
            continue
        if len(data) > budget[0]:
            shots.append(Shot(path, None, "not embedded: the page would grow too large"))
            continue
        budget[0] -= len(data)
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        shots.append(Shot(path, uri))
    return shots, others


def render_html(run: dict[str, Any], items: list[Any], rows: list[tuple[int, Result]]) -> str:
    """The report page of a run: `run` as the ledger gives it, its ledger `items` (for
    the rows not run yet) and the `rows` of its report."""
    dry_run = bool(run.get("dry_run"))
    budget = [EMBED_LIMIT]
    shown: list[Row] = []
    total = Decimal(0)
    changed_count = 0
    currencies: set[str] = set()
    for number, result in rows:
        data = result.model_dump(mode="json")
        changed, amount = changed_amount(data, dry_run)
        if changed:
            changed_count += 1
            total += amount or 0
            if data.get("currency"):
                currencies.add(str(data["currency"]))
        entry = Row(
            row=number,
            subject=result.reference,
            status=result.status,
            outcome=result.outcome.value,
            amount=plain_amount(data.get("amount")),
            changed=changed,
            message=result.message,
            attempts=result.attempts,
        )
        if result.outcome in PROBLEMS:
            entry.shots, entry.other_evidence = _shots(result.evidence, budget)
        shown.append(entry)
    reported = {number for number, _ in rows}
    pending = [
        item for item in items if item.row not in reported and item.status.value in
        ("pending", "in_progress", "failed", "unknown")
    ]  # fmt: skip
    outcomes = Counter(result.outcome for _, result in rows)
    statuses = Counter(result.status for _, result in rows)
    return _template().render(
        run=run,
        dry_run=dry_run,
        rows=shown,
        problems=[row for row in shown if row.outcome in {o.value for o in PROBLEMS}],
        pending=pending,
        outcomes=[(o.value, outcomes[o]) for o in OUTCOME_ORDER if outcomes[o]],
        statuses=sorted(statuses.items()),
        total=str(total),
        currency=currencies.pop() if len(currencies) == 1 else "",
        changed=changed_count,
    )


def write_html(
    path: Path, run: dict[str, Any], items: list[Any], rows: list[tuple[int, Result]]
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_html(run, items, rows), encoding="utf-8")
    tmp.replace(path)
    return path
