"""Records as the client asked for them: selected fields, nulls left out or kept, as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def dumps(value: Any) -> str:
    """The one JSON format of answers: compact, ASCII, keys in their order (Flask's jsonify
    writes the same; the HTTP layer ends every body with a newline)."""
    return json.dumps(value, separators=(",", ":"), default=str)


def strip_nulls(value: Any) -> Any:
    """Cloud Elements' `filter.response.nulls`: null fields are left out, at every depth."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def project(record: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """Only the named paths (dotted for nested objects), in the order asked."""
    selected: dict[str, Any] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        if head not in record:
            continue
        value = record[head]
        if rest and isinstance(value, dict):
            inner = project(value, [rest])
            if inner:
                existing = selected.get(head)
                selected[head] = {**existing, **inner} if isinstance(existing, dict) else inner
        elif rest and isinstance(value, list):
            selected[head] = [project(v, [rest]) if isinstance(v, dict) else v for v in value]
        else:
            selected[head] = value
    return selected


class Renderer:
    def __init__(self, *, strip: bool, fields: list[str] | None) -> None:
        self.strip = strip
        self.fields = fields

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        if self.fields is not None:
            record = project(record, self.fields)
        return strip_nulls(record) if self.strip else record

    def dumps(self, value: Any) -> str:
        return dumps(value)
