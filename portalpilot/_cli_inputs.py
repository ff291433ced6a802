"""CLI commands derived from a flow's input model, so options are declared only once.

Typer reads a function's signature; here the signature is built from the model's fields
(name, type, description, `Cli` marker) and every value is validated by the model itself,
so the CLI, batch rows and agent tools accept and refuse exactly the same things.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from portalpilot._flow import Cli, Flow, FlowInput


def cli_marker(field: FieldInfo) -> Cli:
    return next((m for m in field.metadata if isinstance(m, Cli)), Cli())


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def _is_bool(annotation: Any) -> bool:
    return annotation is bool


def _parameter(name: str, field: FieldInfo) -> inspect.Parameter:
    marker = cli_marker(field)
    annotation = field.annotation
    help_text = field.description or ""
    flag = marker.flag or "--" + name.replace("_", "-")
    if marker.argument:
        info: Any = typer.Argument(help=help_text, show_default=False)
        kind: Any = str
        default: Any = inspect.Parameter.empty
    elif _is_bool(annotation):
        info, kind, default = typer.Option(flag, help=help_text), bool, bool(field.default)
    elif _is_list(annotation):
        info = typer.Option(flag, help=help_text + " (repeatable)", show_default=False)
        kind, default = list[str] | None, None
    else:
        # Every other value reaches the model as text: the model converts and explains.
        info = typer.Option(flag, help=help_text, show_default=False)
        kind = str if field.is_required() else str | None
        default = inspect.Parameter.empty if field.is_required() else None
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info]
    )


def describe_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Each problem as {field, value, problem}, in words a person can act on."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "input"
        message = item["msg"].removeprefix("Value error, ")
        problems.append({"field": field, "value": item.get("input"), "problem": message})
    return problems


def parse_input(flow: Flow[Any], values: dict[str, Any]) -> FlowInput:
    """Validate raw values against the flow's model (raises ValidationError)."""
    return flow.input_model.model_validate(values)


def flow_command(
    flow: Flow[Any],
    execute: Callable[[Flow[Any], dict[str, Any], bool], None],
    fixed: dict[str, Any] | None = None,
) -> Callable[..., None]:
    """A Typer command for `flow`; `execute(flow, raw_values, as_json)` does the rest.

    `fixed` values (a Face's) are not options: they are merged into every call.
    """
    fixed = fixed or {}
    parameters = [
        _parameter(name, field)
        for name, field in flow.input_model.model_fields.items()
        if name not in fixed
    ]
    parameters.sort(key=lambda p: 0 if p.default is inspect.Parameter.empty else 1)
    parameters.append(
        inspect.Parameter(
            "as_json",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, typer.Option("--json", help="Print one JSON object.")],
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
