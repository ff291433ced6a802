"""CLI commands derived from a flow's input model, so options are declared only once.

Typer reads a function's signature; here the signature is built from the model's fields
(name, type, description, `Cli` marker) and every value is validated by the model itself,
so the CLI, batch rows and agent tools accept and refuse exactly the same things. The
help's examples are built from the same model, and so is the choice of options a command
shows: a read-only flow has no `--dry-run`, a Face no option its fixed values forbid.
"""

from __future__ import annotations

import inspect
import re
import shlex
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from portalpilot._flow import Cli, Flow, FlowInput

_EXAMPLE = re.compile(r"\be\.g\.\s+([^\s,;()]+?)[.,;)]?(?:\s|$)")


def cli_marker(field: FieldInfo) -> Cli:
    return next((m for m in field.metadata if isinstance(m, Cli)), Cli())


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def _is_bool(annotation: Any) -> bool:
    return annotation is bool


def cli_name(name: str, field: FieldInfo) -> str:
    """The field as a person types it: `--sku` for `skus`, `REFERENCE` for an argument."""
    marker = cli_marker(field)
    if marker.argument:
        return name.upper()
    return marker.flag or "--" + name.replace("_", "-")


def cli_names(flow: Flow[Any]) -> dict[str, str]:
    """Field name → name as typed on the command line, for `describe_errors`."""
    return {name: cli_name(name, f) for name, f in flow.input_model.model_fields.items()}


def _metavar(name: str, field: FieldInfo) -> str:
    return cli_name(name, field).lstrip("-").replace("-", "_").upper()


def _parameter(name: str, field: FieldInfo) -> inspect.Parameter:
    marker = cli_marker(field)
    annotation = field.annotation
    help_text = field.description or ""
    flag = cli_name(name, field)
    if marker.argument:
        info: Any = typer.Argument(help=help_text, show_default=False, metavar=name.upper())
        kind: Any = str
        default: Any = inspect.Parameter.empty
    elif _is_bool(annotation) and field.default is True:
        # On unless turned off: `--restock/--no-restock`.
        info = typer.Option(f"{flag}/--no-{flag.removeprefix('--')}", help=help_text)
        kind, default = bool, True
    elif _is_bool(annotation):
        # A flag is off unless given: "[default: False]" would say nothing.
        info = typer.Option(flag, help=help_text, show_default=False)
        kind, default = bool, bool(field.default)
    elif _is_list(annotation):
        info = typer.Option(
            flag,
            help=help_text + " (repeatable)",
            show_default=False,
            metavar=_metavar(name, field),
        )
        kind, default = list[str] | None, None
    else:
        # Every other value reaches the model as text: the model converts and explains.
        shown: bool | str = False
        if not field.is_required() and field.default not in (None, "", [], ()):
            shown = str(getattr(field.default, "value", field.default))
        info = typer.Option(flag, help=help_text, show_default=shown, metavar=_metavar(name, field))
        kind = str if field.is_required() else str | None
        default = inspect.Parameter.empty if field.is_required() else None
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info]
    )


def plain(value: Any) -> Any:
    """A value as a person reads it: text or a number, never a Python repr."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return ", ".join(str(plain(v)) for v in value)
    return str(value)


def _location(loc: tuple[Any, ...], names: Mapping[str, str] | None) -> str:
    """`("lines", 0, "units")` → `lines[1].units` (or `--line[1].units` with names)."""
    text = ""
    for position, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part + 1}]"
        elif position == 0:
            text = (names or {}).get(str(part), str(part))
        else:
            text += f".{part}"
    return text


def describe_errors(
    error: ValidationError, names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Each problem as {field, value, problem}, in words a person can act on.

    `field` is the field's name, or with `names` (field name → name as typed, e.g.
    `{"reason": "--reason"}`) the option or column a person typed; list positions are
    1-based (`lines[1].units`); a missing value is "required", never the input's repr.
    """
    problems = []
    for item in error.errors():
        field = _location(tuple(item["loc"]), names) or "input"
        kind = item["type"]
        value: Any = plain(item.get("input"))
        if kind == "missing":
            value, message = None, "required"
        elif kind == "extra_forbidden":
            message = "not accepted here"
        else:
            message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        problems.append({"field": field, "value": value, "problem": message})
    return problems


def parse_input(flow: Flow[Any], values: dict[str, Any]) -> FlowInput:
    """Validate raw values against the flow's model (raises ValidationError)."""
    return flow.input_model.model_validate(values)


def sample(name: str, field: FieldInfo) -> Any:
    """A value of the field for examples: its `examples`, an "e.g." of its description,
    its enum's first choice, else a placeholder (`NOTE`)."""
    if _is_bool(field.annotation):
        return True
    value: Any = None
    if field.examples:
        value = field.examples[0]
    elif field.description and (found := _EXAMPLE.search(field.description)):
        value = found.group(1)
    else:
        enums = [
            a
            for a in (field.annotation, *typing.get_args(field.annotation))
            if isinstance(a, type) and issubclass(a, Enum)
        ]
        value = next(iter(enums[0])).value if enums else _metavar(name, field)
    return [value] if _is_list(field.annotation) else value


def _problems_at(flow: Flow[Any], values: dict[str, Any], name: str) -> set[str]:
    try:
        flow.input_model.model_validate(values)
    except ValidationError as error:
        return {e["msg"] for e in error.errors() if tuple(e["loc"][:1]) == (name,)}
    return set()


def applies(flow: Flow[Any], name: str, fixed: Mapping[str, Any]) -> bool:
    """Whether a command with `fixed` values takes the field at all.

    A read-only flow changes nothing, so it has no `--dry-run`. For a Face, a field
    doesn't apply when a value that the model takes without the fixed values is refused
    with them (a note only one status takes is not offered by the other statuses' faces).
    """
    if name in fixed:
        return False
    if name == "dry_run":
        return flow.changes_state
    if not fixed:
        return True
    value = sample(name, flow.input_model.model_fields[name])
    return not (
        _problems_at(flow, {**fixed, name: value}, name) - _problems_at(flow, {name: value}, name)
    )


def _words(name: str, field: FieldInfo, value: Any) -> list[str]:
    if cli_marker(field).argument:
        return [str(value)]
    flag = cli_name(name, field)
    if value is True:
        return [flag]
    if isinstance(value, list):
        return [word for v in value for word in (flag, str(v))]
    return [flag, str(getattr(value, "value", value))]


def examples(flow: Flow[Any], command: str, fixed: Mapping[str, Any] | None = None) -> list[str]:
    """One or two command lines that the flow's model accepts, for the help.

    The required fields with a sample value; then, while the model still asks for an
    optional one (SHIPPED needs --tracking), that one too.
    """
    fixed = dict(fixed or {})
    fields = {n: f for n, f in flow.input_model.model_fields.items() if applies(flow, n, fixed)}
    chosen = {n: sample(n, f) for n, f in fields.items() if f.is_required()}
    for _ in fields:
        try:
            flow.input_model.model_validate({**fixed, **chosen})
            break
        except ValidationError as error:
            wanted = [
                str(e["loc"][0])
                for e in error.errors()
                if e["loc"] and e["loc"][0] in fields and e["loc"][0] not in chosen
            ]
            if not wanted:
                break
            chosen[wanted[0]] = sample(wanted[0], fields[wanted[0]])
    arguments = [n for n in fields if n in chosen and cli_marker(fields[n]).argument]
    options = [n for n in fields if n in chosen and n not in arguments]
    words = [w for n in [*arguments, *options] for w in _words(n, fields[n], chosen[n])]
    first = " ".join([command, *(shlex.quote(w) for w in words)])
    return [first, first + (" --dry-run" if "dry_run" in fields else " --json")]


def flow_command(
    flow: Flow[Any],
    execute: Callable[[Flow[Any], dict[str, Any], bool], None],
    fixed: dict[str, Any] | None = None,
) -> Callable[..., None]:
    """A Typer command for `flow`; `execute(flow, raw_values, as_json)` does the rest.

    `fixed` values (a Face's) are not options: they are merged into every call. Fields
    that do not apply (see `applies`) are not options either.
    """
    fixed = fixed or {}
    parameters = [
        _parameter(name, field)
        for name, field in flow.input_model.model_fields.items()
        if applies(flow, name, fixed)
    ]
    parameters.sort(key=lambda p: 0 if p.default is inspect.Parameter.empty else 1)
    parameters.append(
        inspect.Parameter(
            "as_json",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[
                bool, typer.Option("--json", help="Print one JSON object.", show_default=False)
            ],
        )
    )

    def command(**kwargs: Any) -> None:
        as_json = kwargs.pop("as_json")
        values = {k: v for k, v in kwargs.items() if v is not None and v != []}
        execute(flow, {**values, **fixed}, as_json)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__doc__ = flow.input_model.__doc__ or flow.summary
    command.__name__ = flow.name.replace(".", "_")
    return command
