"""The batch report: one result object per row, JSON Lines or CSV (by the file's extension)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from portalpilot._results import Result

CSV_COLUMNS = [
    "row", "flow", "status", "outcome", "reference", "message", "account", "dry_run",
    "attempts", "duration_s", "evidence", "run_id", "details",
]  # fmt: skip


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


def _flat(row: int, result: Result) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    details = {k: v for k, v in data.items() if k not in CSV_COLUMNS}
    flat = {k: data.get(k) for k in CSV_COLUMNS if k in data}
    flat["row"] = row
    flat["evidence"] = " ".join(result.evidence)
    flat["details"] = json.dumps(details, ensure_ascii=False) if details else ""
    return flat
