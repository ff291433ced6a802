"""The batch report: one result object per row, JSON Lines or CSV (by the file's extension).

The CSV is flat, for a spreadsheet: `amount` a plain decimal (`45.00`, empty when the row
moved none), `changes` joined with "; ", and the flow's other fields as JSON in `details`.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from portalpilot._errors import ConfigError
from portalpilot._results import Result

CSV_COLUMNS = [
    "row", "flow", "status", "outcome", "reference", "amount", "changes", "message", "account",
    "dry_run", "attempts", "duration_s", "evidence", "run_id", "details",
]  # fmt: skip

# Pseudo file systems: a "file" there is not a report anyone can open.
_NOT_FOR_FILES = (Path("/proc"), Path("/sys"), Path("/dev"))


def check_report_path(path: Path, *, option: str = "--report") -> Path:
    """The report's path, absolute, once it is known a report can be written there.

    Checked before any browser starts (a batch must not fail after its refunds were
    done): not a directory, not under a file or in /proc, /sys or /dev, its folder
    creatable (it is created) and writable. Raises ConfigError naming `option` and path.
    """

    def refuse(why: str) -> ConfigError:
        return ConfigError(f"{option} {path}: {why}; give a file path in a writable folder")

    full = Path(os.path.abspath(path.expanduser()))
    resolved = full.resolve()
    for root in _NOT_FOR_FILES:
        if resolved == root or root in resolved.parents:
            raise refuse(f"{root} is not a place for files")
    if full.is_dir():
        raise refuse("is a folder, not a file")
    if full.exists() and not full.is_file():
        raise refuse("is not a regular file")
    existing = next(p for p in (full.parent, *full.parent.parents) if p.exists())
    if not existing.is_dir():
        raise refuse(f"{existing} is a file, not a folder")
    try:
        full.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise refuse(f"cannot make its folder ({error.strerror or error})") from None
    try:  # the report is written beside itself, then moved in place: try just that
        with tempfile.NamedTemporaryFile(dir=full.parent, prefix=".report-check-"):
            pass
    except OSError as error:
        raise refuse(f"its folder is not writable ({error.strerror or error})") from None
    if full.exists() and not os.access(full, os.W_OK):
        raise refuse("the file is not writable")
    return full


def write_report(path: Path, rows: list[tuple[int, Result]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".csv":
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS)
            writer.writeheader()
            for row, result in rows:
                writer.writerow(_flat(row, result))
    else:
        with tmp.open("w", encoding="utf-8") as handle:
            for row, result in rows:
                record = {"row": row, **result.model_dump(mode="json")}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def plain_amount(value: Any) -> str:
    """A money amount as a spreadsheet reads it: `45.00`, `1234.50`; "" when none."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    return format(amount, "f")


def _flat(row: int, result: Result) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    details = {k: v for k, v in data.items() if k not in CSV_COLUMNS}
    flat = {k: data.get(k) for k in CSV_COLUMNS if k in data}
    flat["row"] = row
    flat["amount"] = plain_amount(data.get("amount"))
    changes = data.get("changes") or []
    flat["changes"] = "; ".join(map(str, changes)) if isinstance(changes, list) else str(changes)
    flat["evidence"] = " ".join(result.evidence)
    flat["details"] = json.dumps(details, ensure_ascii=False) if details else ""
    # JSON's spelling (true/false), as in the JSONL report, not Python's True/False.
    return {k: json.dumps(v) if isinstance(v, bool) else v for k, v in flat.items()}
