"""`${steps.<name>...}`, `${trigger...}`, `${config...}` in a step's string properties.

A string that is one reference alone (`"${steps.lookup.value}"`) becomes the value itself, with
its type; a reference inside other text is rendered as text (JSON for lists and objects).
Paths are dotted names with optional list indexes: `${trigger.record.emails[0].address}`.

    render("/incidents/${trigger.objectId}", {"trigger": {"objectId": 7}})  # -> "/incidents/7"
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from connector.formulas import limits
from connector.formulas.expressions import ROOTS

_REFERENCE = re.compile(r"\$\{([^{}]*)\}")
_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


class InterpolationError(Exception):
    """A reference that does not parse, or (at run time) reads a value that is not there."""


def parse_path(text: str) -> list[str | int]:
    """`steps.a.items[0].id` -> ["steps", "a", "items", 0, "id"]; refuses anything else."""
    parts: list[str | int] = []
    for raw in text.strip().split("."):
        match = _SEGMENT.fullmatch(raw)
        if match is None:
            raise InterpolationError(f"'${{{text}}}' is not a path like ${{steps.<name>.field}}")
        parts.append(match.group(1))
        parts.extend(int(i) for i in _INDEX.findall(match.group(2)))
    if parts[0] not in ROOTS:
        raise InterpolationError(
            f"'${{{text}}}' must start with trigger, steps, config or execution"
        )
    return parts


def is_reference(text: str) -> bool:
    """Whether `text` is one `${...}` reference alone (its path is checked by `references`)."""
    return _REFERENCE.fullmatch(text) is not None


def references(value: Any) -> Iterator[list[str | int]]:
    """Every parsed path in a property value (strings anywhere in lists and objects)."""
    if isinstance(value, str):
        for match in _REFERENCE.finditer(value):
            yield parse_path(match.group(1))
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def resolve(path: list[str | int], variables: dict[str, Any]) -> Any:
    """The value at `path`; InterpolationError naming the first missing part."""
    current: Any = variables
    for depth, part in enumerate(path):
        if isinstance(part, int):
            ok = isinstance(current, list) and part < len(current)
        else:
            ok = isinstance(current, dict) and part in current
        if not ok:
            shown = _show(path[: depth + 1])
            raise InterpolationError(f"${{{_show(path)}}}: {shown} has no value")
        current = current[part]
    return current


def render(value: Any, variables: dict[str, Any], limit: int = limits.MAX_RENDERED_BYTES) -> Any:
    """`value` with every reference replaced (recursively through lists and objects).

    What the references bring in is counted as it comes (as JSON), and past `limit` bytes the
    render stops: a 256 KB template of `${steps.fetch.body}` repeated 13,000 times would
    otherwise build gigabytes from one 256 KB answer, in the worker and in the step's record.
    """
    return _render(value, variables, [limit])


def _render(value: Any, variables: dict[str, Any], left: list[int]) -> Any:
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            found = resolve(parse_path(whole.group(1)), variables)
            _spend(left, len(found) if isinstance(found, str) else len(_text(found)))
            return found

        def text(match: re.Match[str]) -> str:
            found = _text(resolve(parse_path(match.group(1)), variables))
            _spend(left, len(found))
            return found

        return _REFERENCE.sub(text, value)
    if isinstance(value, dict):
        return {k: _render(v, variables, left) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, variables, left) for v in value]
    return value


def _spend(left: list[int], size: int) -> None:
    left[0] -= size
    if left[0] < 0:
        raise InterpolationError(
            f"the references bring in more than {limits.MAX_RENDERED_BYTES} bytes"
        )


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _show(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
