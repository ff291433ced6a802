"""Reading a part of the page at once from its ARIA snapshot: roles, names, link URLs.

A board of 40 rows read cell by cell is hundreds of round trips to the browser; its
accessibility tree is one. What it holds is what the spec promises (roles, accessible
names, addresses), nothing of the markup: no tags, ids, classes or styles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from portalpilot import PortalFailure

LINE = re.compile(r"^(\s*)- (.*)$")
KEY = re.compile(r'^(\S+?)(?::)?(?: ("(?:[^"\\]|\\.)*"))?(?: \[.*\])?$')


@dataclass
class Node:
    role: str
    name: str = ""
    url: str | None = None
    children: list[Node] = field(default_factory=list)

    def walk(self, roles: frozenset[str], *, into: bool = False) -> Iterator[Node]:
        """Descendants with one of `roles`, not looking inside them unless `into`."""
        for child in self.children:
            if child.role in roles:
                yield child
                if not into:
                    continue
            yield from child.walk(roles, into=into)


def parse(snapshot: str) -> Node:
    """The snapshot's tree under a root node."""
    root = Node("root")
    stack: list[tuple[int, Node]] = [(-1, root)]
    for line in snapshot.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        indent, content = len(match.group(1)), match.group(2)
        key, value = _split(content)
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if key == "/url":
            parent.url = _scalar(value)
            continue
        node = _node(key)
        parent.children.append(node)
        stack.append((indent, node))
    return root


def _split(content: str) -> tuple[str, str]:
    """(key, value) of `key: value`, `key:` or `key`, the key unquoted."""
    if content[:1] in ("'", '"'):
        key, rest = _quoted(content)
        return key, rest.removeprefix(":").strip()
    key, sep, rest = content.partition(": ")
    if not sep:
        key = content.removesuffix(":")
    return key, rest


def _quoted(text: str) -> tuple[str, str]:
    """A YAML scalar in 'single' (`''` is a quote) or "double" quotes, and what follows."""
    if text.startswith("'"):
        end = 1
        while end < len(text):
            if text[end] == "'" and text[end + 1 : end + 2] == "'":
                end += 2
            elif text[end] == "'":
                return text[1:end].replace("''", "'"), text[end + 1 :]
            else:
                end += 1
        raise PortalFailure(f"an unreadable accessibility tree line: {text!r}")
    match = re.match(r'"(?:[^"\\]|\\.)*"', text)
    if not match:
        raise PortalFailure(f"an unreadable accessibility tree line: {text!r}")
    return _json(match.group(0)), text[match.end() :]


def _scalar(value: str) -> str:
    value = value.strip()
    return _quoted(value)[0] if value[:1] in ("'", '"') else value


def _node(key: str) -> Node:
    match = KEY.match(key)
    if not match:
        raise PortalFailure(f"an unreadable accessibility tree node: {key!r}")
    role, name = match.group(1), match.group(2)
    return Node(role, " ".join(_json(name).split()) if name else "")


def _json(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        raise PortalFailure(f"an unreadable name in the accessibility tree: {text!r}") from None
    return str(value)
