"""Strict marshmallow fields for normalized request bodies, and their error messages.

JSON bodies are typed: `"12"` is not an integer and `1` is not a boolean, so these fields refuse
what marshmallow's lenient defaults would coerce. Dates stay strings here; the value types in
`connector.mapping.values` convert them once validated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields

READ_ONLY = "read-only field"


class StrictInteger(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Not a valid integer.")
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError("Not a valid integer.")
        return int(value)


class StrictNumber(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValidationError("Not a valid number.")
        return value


class StrictBoolean(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


class IsoDateTime(fields.Field):
    """An ISO 8601 date-time (an offset or `Z`; none means UTC) or a plain date."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError("Not a valid ISO 8601 date-time.")
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError("Not a valid ISO 8601 date-time.") from None
        return value


class IsoDate(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValidationError("Not a valid date (YYYY-MM-DD).")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError("Not a valid date (YYYY-MM-DD).") from None
        return value


class LabelOrValue(fields.Field):
    """A picklist label or value; checked against the tenant's picklist by the mapper."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | int:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError("Not a valid picklist label.")
        return value


class ScalarValue(fields.Field):
    """Text, a number or a boolean (a custom field's value)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str | int | float | bool):
            raise ValidationError("Not a valid text, number or boolean.")
        return value


class ReadOnly(fields.Field):
    """A field the body may not carry."""

    def __init__(self) -> None:
        super().__init__(allow_none=True)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        raise ValidationError(READ_ONLY)


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error messages as (path, message) pairs, paths like `emails[0].type`."""
    if isinstance(messages, str):
        return [(prefix, messages)]
    if isinstance(messages, list):
        return [pair for item in messages for pair in flatten_errors(item, prefix)]
    pairs = []
    for key, inner in (messages or {}).items() if isinstance(messages, Mapping) else ():
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        elif key == "_schema":
            path = prefix
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        pairs.extend(flatten_errors(inner, path))
    return pairs
