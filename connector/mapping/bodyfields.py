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


# -- lenient fields: what Cloud Elements' SOAP-era element accepted (a map field's `lenient`) --
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")


def us_date(text: str) -> str | None:
    """`M/D/YY` or `M/D/YYYY` as an ISO date (`8/9/20` -> 2020-08-09); None for other text."""
    match = _US_DATE.fullmatch(text.strip())
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    if len(match.group(3)) == 2:
        year += 2000 if year < 69 else 1900  # strptime's %y pivot
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _number_text(value: Any, message: str) -> Any:
    """A number given as text (`"1234.56"`) as an int or a float; other values unchanged."""
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ValidationError(message) from None
        return int(number) if number.is_integer() and "." not in value else number
    return value


class LenientInteger(StrictInteger):
    """An integer, also as text (`"50"`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        value = _number_text(value, "Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class LenientNumber(StrictNumber):
    """A number, also as text (`"1234.56"`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | float:
        value = _number_text(value, "Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)


class LenientBoolean(StrictBoolean):
    """A boolean, also as 0/1 or as text (`"true"`, `"0"`)."""

    _WORDS = {"true": True, "1": True, "false": False, "0": False}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in self._WORDS:
            return self._WORDS[value.strip().lower()]
        return super()._deserialize(value, attr, data, **kwargs)


class LenientDateTime(IsoDateTime):
    """An ISO 8601 date-time, or a US date (`8/9/2020`, `8/8/16`) at midnight UTC."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        found = us_date(value) if isinstance(value, str) else None
        if found is not None:
            return found
        return super()._deserialize(value, attr, data, **kwargs)


class LenientDate(IsoDate):
    """A date as YYYY-MM-DD or as a US date (`8/9/2020`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        found = us_date(value) if isinstance(value, str) else None
        return found if found is not None else super()._deserialize(value, attr, data, **kwargs)


class LenientString(fields.Field):
    """Text, also given as a number (`12345` for a postal code)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError("Not a valid string.")
        return value if isinstance(value, str) else str(value)
