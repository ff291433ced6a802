"""Batch files: CSV (a header naming the flow's input fields) or JSON Lines.

Everything is read and validated before anything runs, so a bad file starts no browser:
file-level problems (not UTF-8, empty, a missing or unknown column) stop it whole; a bad
row is reported with its line number, field, value and what is accepted.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portalpilot._cli_inputs import cli_marker
from portalpilot._flow import Flow, FlowInput

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


class BatchFileError(Exception):
    """The file as a whole cannot be used; nothing was run."""


@dataclass(frozen=True)
class BatchRow:
    line: int
    item: FlowInput


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"

    __str__ = __repr__


MISSING: Any = _Missing()  # a BadRow's value when the row does not give the field at all


@dataclass(frozen=True)
class BadRow:
    line: int
    field: str
    value: Any  # as typed; MISSING when the row lacks the field
    problem: str
    subject: str = ""  # the row's order (or thread) as typed, for the report

    def text(self) -> str:
        """`reason: "Faulty Itm" — expected one of: …`, or `reference: required`."""
        if self.value is MISSING:
            return f"{self.field}: {self.problem}"
        return f"{self.field}: {show_value(self.value)} — {self.problem}"

    def describe(self) -> str:
        return f"line {self.line}: {self.text()}"


def show_value(value: Any) -> str:
    """A value as a person typed it: text in double quotes, never a Python repr."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def subject_field(model: type[FlowInput]) -> str | None:
    """The input field that names the item's order (or thread): what the model declares
    (a `subject_field` classmethod), else its positional CLI argument, else its first
    required field."""
    declared = getattr(model, "subject_field", None)
    if callable(declared):
        name = declared()
        return str(name) if name else None
    fields = model.model_fields
    for name, info in fields.items():
        if cli_marker(info).argument:
            return name
    return next((name for name, info in fields.items() if info.is_required()), None)


def raw_subject(model: type[FlowInput], values: dict[str, Any]) -> str:
    name = subject_field(model)
    value = values.get(name) if name else None
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _problems(error: ValidationError) -> list[tuple[str, Any, str]]:
    """(field, value, problem) of each error, in words: a missing field is "required"
    (never the row's repr), a field the flow lacks is "not a field of this flow"."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "row"
        kind = item["type"]
        if kind == "missing":
            problems.append((field, MISSING, "required"))
        elif kind == "extra_forbidden":
            problems.append((field, item.get("input"), "not a field of this flow"))
        else:
            problem = item["msg"].removeprefix("Value error, ")
            problems.append((field, item.get("input"), problem))
    return problems


def _column_names(flow: Flow[Any]) -> dict[str, str]:
    """Accepted header words → field name: the field's name and its CLI flag's name."""
    names = {}
    for name, field in flow.input_model.model_fields.items():
        names[name] = name
        flag = cli_marker(field).flag
        if flag:
            names[flag.lstrip("-").replace("-", "_")] = name
    return names


def _header_word(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BatchFileError(f"{path}: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's BOM is not part of the header
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BatchFileError(
            f"{path}: line {line} is not UTF-8 (byte {error.start}); save the file as UTF-8"
        ) from error
    if not text.strip():
        raise BatchFileError(f"{path}: the file is empty")
    return text


def _csv_rows(path: Path, text: str, flow: Flow[Any]) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    accepted = _column_names(flow)
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, and lines of empty cells, are not rows
        if header is None:
            header = [_header_word(cell) for cell in cells]
            unknown = [h for h in header if h not in accepted]
            fields = [accepted[h] for h in header if h in accepted]
            required = [
                name
                for name, field in flow.input_model.model_fields.items()
                if field.is_required() and name not in fields
            ]
            problems = []
            if unknown:
                problems.append(f"unknown column {', '.join(map(repr, unknown))}")
            if required:
                problems.append(f"missing column {', '.join(map(repr, required))}")
            if problems:
                raise BatchFileError(
                    f"{path}: {'; '.join(problems)} (columns for {flow.name}: "
                    f"{', '.join(flow.input_model.model_fields)})"
                )
            header = [accepted[h] for h in header]
            continue
        if len(cells) > len(header):
            extra = [c for c in cells[len(header) :] if c.strip()]
            if extra:
                rows.append((reader.line_num, {"__too_many_cells__": extra}))
                continue
        values = {
            name: cell.strip() for name, cell in zip(header, cells, strict=False) if cell.strip()
        }
        rows.append((reader.line_num, values))
    if header is None or not rows:
        raise BatchFileError(f"{path}: no rows under the header")
    return rows


def _json_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            value = {"__not_json__": error.msg}
        if not isinstance(value, dict):
            value = {"__not_json__": "not an object"}
        rows.append((number, value))
    if not rows:
        raise BatchFileError(f"{path}: no rows")
    return rows


def read_batch(path: Path, flow: Flow[Any]) -> tuple[list[BatchRow], list[BadRow]]:
    """Every row validated against the flow's input model."""
    text = _decode(path)
    if path.suffix.lower() in JSON_SUFFIXES:
        raw = _json_rows(path, text)
    else:
        raw = _csv_rows(path, text, flow)
    good: list[BatchRow] = []
    bad: list[BadRow] = []
    for line, values in raw:
        if "__not_json__" in values:
            why = f"not a JSON object ({values['__not_json__']})"
            bad.append(BadRow(line, "row", MISSING, why))
            continue
        if "__too_many_cells__" in values:
            cells = values["__too_many_cells__"]
            bad.append(BadRow(line, "row", cells, "more cells than the header has columns"))
            continue
        try:
            good.append(BatchRow(line, flow.input_model.model_validate(values)))
        except ValidationError as error:
            subject = raw_subject(flow.input_model, values)
            bad += [
                BadRow(line, field, value, problem, subject)
                for field, value, problem in _problems(error)
            ]
    return good, bad
