"""A tool's input schema, derived from the flow's input model (declared once, for all).

Flat on purpose: models read `{"type": "string", "enum": [...]}` more reliably than
`$ref`s into `$defs` or `anyOf: [X, null]`, and some clients accept nothing else. The
constraints (enums, lengths, ranges) and every field's description are kept; the model
itself still validates every call, with the same messages as the CLI.
"""

from __future__ import annotations

from typing import Any

from portalpilot._flow import Flow

CONFIRMATION = "confirmation"
HIDDEN = frozenset({"dry_run"})  # planning is the dry run: agents never set it themselves
_NOISE = frozenset({"title", "$defs"})


def _resolve(node: Any, defs: dict[str, Any]) -> Any:
    """Inline `$ref`s, turn `anyOf: [X, null]` into X, drop titles."""
    if isinstance(node, list):
        return [_resolve(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    ref = node.pop("$ref", None)
    if isinstance(ref, str):
        target = defs[ref.rsplit("/", 1)[-1]]
        # The field's own words win over the referenced type's docstring.
        node = {**{k: v for k, v in target.items() if k != "description"}, **node}
    options = node.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        # Optional: leave it out, never send null.
        concrete = [o for o in options if o != {"type": "null"}]
        if node.get("default", ...) is None:
            del node["default"]
        if len(concrete) == 1:
            del node["anyOf"]
            node = {**concrete[0], **node}
        else:
            node["anyOf"] = concrete
    resolved = {k: _resolve(v, defs) for k, v in node.items() if k not in _NOISE | {"properties"}}
    if isinstance(node.get("properties"), dict):  # field names are data, not noise
        resolved["properties"] = {n: _resolve(v, defs) for n, v in node["properties"].items()}
    return resolved


def fields_of(flow: Flow[Any]) -> list[str]:
    """The input names an agent may send for `flow`."""
    names = [n for n in flow.input_model.model_fields if n not in HIDDEN]
    return [*names, CONFIRMATION] if flow.changes_state else names


def input_schema(flow: Flow[Any], token_minutes: float) -> dict[str, Any]:
    raw = flow.input_model.model_json_schema()
    defs = raw.get("$defs", {})
    properties = {
        name: _resolve(value, defs)
        for name, value in raw.get("properties", {}).items()
        if name not in HIDDEN
    }
    if flow.changes_state:
        properties[CONFIRMATION] = {
            "type": "string",
            "description": "Leave out to get the plan (nothing changes). To apply that plan, "
            "the token it returned: same arguments, once, within "
            f"{token_minutes:g} minutes.",
        }
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in raw.get("required", []) if name not in HIDDEN],
        "additionalProperties": False,
    }
