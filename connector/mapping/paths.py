"""Get and set values at paths inside JSON-like data (dicts and lists).

The path syntax is Cloud Elements' `vendorPath` syntax:
- dots walk into objects: `address.city`; a segment in backticks may hold dots or brackets:
  ``customFields.`Tier.Level` ``;
- brackets select list items: `Products[0].id` (an index), `Products[*].id` (every item),
  `Products[?(@.id==2)].name` and `Products[id=4].name` (the first item whose field equals a
  literal: a number, 'quoted' or "quoted" text, true, false, null, or a bare word).

Reading walks through lists: a key applied to a list applies to each item, so
`emails.address` on `{"emails": [{"address": "a"}, {"address": "b"}]}` gives `["a", "b"]`.
Writing creates the objects and lists it needs (see `set_in`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MISSING: Any = object()


class PathError(ValueError):
    """A path that does not parse, or a write that the path cannot express."""


@dataclass(frozen=True)
class Key:
    name: str


@dataclass(frozen=True)
class Index:
    position: int


@dataclass(frozen=True)
class Each:
    pass


@dataclass(frozen=True)
class Match:
    field: str
    value: Any


Step = Key | Index | Each | Match

_NAME = re.compile(r"[^.\[\]`]+")
_JSONPATH_FILTER = re.compile(r"\?\(\s*@\.([^=!<>\s]+)\s*==\s*(.+?)\s*\)")
_FIELD_FILTER = re.compile(r"([^=\s]+)\s*=\s*(.+?)")


@lru_cache(maxsize=2048)
def parse(path: str) -> tuple[Step, ...]:
    """The steps of a path; PathError names the position of a syntax error."""
    steps: list[Step] = []
    pos = 0
    expect_name = True
    while pos < len(path):
        char = path[pos]
        if char == "[" and not expect_name:
            end = path.find("]", pos)
            if end < 0:
                raise PathError(f"path {path!r}: '[' at {pos} is never closed")
            steps.append(_selector(path, path[pos + 1 : end].strip(), pos))
            pos, expect_name = end + 1, False
        elif char == "." and not expect_name:
            pos, expect_name = pos + 1, True
        elif expect_name and char == "`":
            end = path.find("`", pos + 1)
            if end <= pos + 1:
                raise PathError(f"path {path!r}: backtick at {pos} opens no closed name")
            steps.append(Key(path[pos + 1 : end]))
            pos, expect_name = end + 1, False
        elif expect_name and (found := _NAME.match(path, pos)):
            steps.append(Key(found.group().strip()))
            pos, expect_name = found.end(), False
        else:
            raise PathError(f"path {path!r}: unexpected {char!r} at {pos}")
    if expect_name:
        raise PathError(f"path {path!r}: a name is missing at the end" if path else "empty path")
    return tuple(steps)


def _selector(path: str, inner: str, pos: int) -> Step:
    if inner == "*":
        return Each()
    if re.fullmatch(r"-?\d+", inner):
        return Index(int(inner))
    found = _JSONPATH_FILTER.fullmatch(inner) or _FIELD_FILTER.fullmatch(inner)
    if found:
        return Match(found.group(1), _literal(found.group(2)))
    raise PathError(f"path {path!r}: cannot read the selector [{inner}] at {pos}")


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    words = {"true": True, "false": False, "null": None}
    if text in words:
        return words[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def get(data: Any, path: str, default: Any = None) -> Any:
    """The value at `path`, a list when the path walks through a list, or `default`."""
    steps = parse(path)
    # most paths are keys through objects (a record's fields): walked at once, as below
    node = data
    for step in steps:
        if type(step) is not Key or not isinstance(node, dict):
            break
        node = node.get(step.name, MISSING)
        if node is MISSING:
            return default
    else:
        return node
    return _get(data, steps, default)


def _get(data: Any, steps: tuple[Step, ...], default: Any) -> Any:
    nodes, many = [data], False
    for step in steps:
        found: list[Any] = []
        for node in nodes:
            if isinstance(step, Key) and isinstance(node, list):
                found.extend(
                    item.get(step.name, MISSING) for item in node if isinstance(item, dict)
                )
                many = True
            elif isinstance(step, Each) and isinstance(node, list):
                found.extend(node)
                many = True
            else:
                found.append(_step_into(node, step))
        nodes = [node for node in found if node is not MISSING]
        if not nodes and not many:
            return default
    return nodes if many else nodes[0]


def exists(data: Any, path: str) -> bool:
    return get(data, path, MISSING) is not MISSING


def _step_into(node: Any, step: Step) -> Any:
    if isinstance(step, Key):
        return node.get(step.name, MISSING) if isinstance(node, dict) else MISSING
    if not isinstance(node, list):
        return MISSING
    if isinstance(step, Index):
        return node[step.position] if -len(node) <= step.position < len(node) else MISSING
    if isinstance(step, Match):
        return next((item for item in node if _matches(item, step)), MISSING)
    return MISSING


def _matches(item: Any, step: Match) -> bool:
    return isinstance(item, dict) and item.get(step.field, MISSING) == step.value


def set_in(data: dict | list, path: str, value: Any) -> None:
    """Write `value` at `path` in place, creating the objects and lists on the way.

    An index past the end pads the list with None; a filter that matches no item appends a new
    item holding the filter's field. `[*]`, and a key applied to a list, cannot be written.
    """
    steps = parse(path)
    node: Any = data
    for position, step in enumerate(steps):
        last = position == len(steps) - 1
        fresh = None if last else ([] if isinstance(steps[position + 1], Index | Match) else {})
        node = _step_write(node, step, path, value if last else fresh, last)


def _step_write(node: Any, step: Step, path: str, value: Any, last: bool) -> Any:
    if isinstance(step, Key):
        if not isinstance(node, dict):
            raise PathError(f"path {path!r}: cannot write key {step.name!r} into {_kind(node)}")
        if last or not isinstance(node.get(step.name), dict | list):
            node[step.name] = value
        return node[step.name]
    if not isinstance(node, list):
        raise PathError(f"path {path!r}: cannot select an item of {_kind(node)}")
    if isinstance(step, Index):
        if step.position < 0:
            raise PathError(f"path {path!r}: cannot write at a negative index")
        node.extend([None] * (step.position + 1 - len(node)))
        if last or not isinstance(node[step.position], dict | list):
            node[step.position] = value
        return node[step.position]
    if isinstance(step, Match):
        item = next((item for item in node if _matches(item, step)), None)
        if item is None:
            item = {step.field: step.value}
            node.append(item)
        if last:
            node[node.index(item)] = value
            return value
        return item
    raise PathError(f"path {path!r}: cannot write through [*]")


def _kind(node: Any) -> str:
    return "null" if node is None else type(node).__name__
