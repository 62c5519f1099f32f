"""marshmallow schemas of request bodies, and one way to turn their errors into a 400."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowError

from connector.errors import ValidationError


def flatten_messages(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested error dict as `path: message` lines."""
    if isinstance(messages, dict):
        lines = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix and key != "_schema" else (prefix or str(key))
            if key == "_schema":
                path = prefix or "body"
            lines.extend(flatten_messages(value, path))
        return lines
    if isinstance(messages, list):
        return [
            f"{prefix}: {m}" if prefix else str(m)
            for m in messages
            if not isinstance(m, (dict, list))
        ] + [
            line
            for m in messages
            if isinstance(m, (dict, list))
            for line in flatten_messages(m, prefix)
        ]
    return [f"{prefix}: {messages}" if prefix else str(messages)]


def load(schema: Schema, data: Any, *, what: str, partial: bool = False) -> Any:
    """Validate with `schema`; a ValidationError (400) whose message names every bad field."""
    if data is None:
        raise ValidationError(f"Invalid {what}: send a JSON object body")
    try:
        return schema.load(data, partial=partial)
    except MarshmallowError as exc:
        lines = flatten_messages(exc.messages)
        raise ValidationError(f"Invalid {what}: " + "; ".join(lines)) from None
