"""Values crossing between a virtual field's type and its base field's type.

Virtual types are Cloud Elements' four: string, number, boolean, date. A base field (a
normalized path or an Autotask field) has one of those, or `object`/`array` for a structure,
or None when nothing says (an organization-level map of an Autotask entity).

Which pairs convert (virtual <- base), checked when a transformation is saved:
- string <- string, number, boolean, date; number <- number, string, boolean;
  boolean <- boolean, number, string; date <- date, string.
- Nothing converts between date and number or boolean, and no scalar converts from a structure.
Reading a value that does not convert gives None (a record is never refused for one bad value);
writing one is a 400 that names the field.
"""

from __future__ import annotations

from typing import Any

from connector.ceql.values import as_boolean, as_number, parse_datetime, utc_iso

TYPES = ("string", "number", "boolean", "date")
STRUCTURES = ("object", "array")

_CONVERTS = {
    "string": {"string", "number", "boolean", "date"},
    "number": {"number", "string", "boolean"},
    "boolean": {"boolean", "number", "string"},
    "date": {"date", "string"},
}


class ConversionError(ValueError):
    """A written value that its base field cannot take."""


def converts(virtual_type: str, base_type: str | None) -> bool:
    return base_type is None or base_type in _CONVERTS[virtual_type]


def identical(virtual_type: str, base_type: str | None) -> bool:
    """The value crosses unchanged, so a filter on one is a filter on the other."""
    return base_type == virtual_type


def base_type_of(autotask_data_type: str | None, *, picklist: bool = False) -> str | None:
    """A base type from Autotask's `dataType` (picklists are numbers on the wire)."""
    if autotask_data_type is None:
        return None
    kind = autotask_data_type.lower()
    if picklist or kind in ("integer", "long", "short", "decimal", "double", "float"):
        return "number"
    if kind in ("datetime", "date"):
        return "date"
    if kind == "boolean":
        return "boolean"
    return "string"


def to_virtual(value: Any, virtual_type: str) -> Any:
    """A base value read as the virtual type; None when it does not convert."""
    if isinstance(value, list):
        return [to_virtual(item, virtual_type) for item in value]
    if value is None or isinstance(value, dict):
        return None
    if virtual_type == "string":
        return _text(value)
    if virtual_type == "number":
        return _number(value)
    if virtual_type == "boolean":
        return as_boolean(value)
    return value if isinstance(value, str) and parse_datetime(value) is not None else None


def to_base(value: Any, base_type: str | None, field: str) -> Any:
    """A body value written as the base type; ConversionError names the field."""
    if value is None or base_type is None or base_type in STRUCTURES:
        return value
    if isinstance(value, (dict, list)):
        raise ConversionError(f"{field}: a {base_type} cannot take a JSON {type(value).__name__}")
    if base_type == "string":
        return _text(value)
    if base_type == "number":
        number = _number(value)
        if number is None:
            raise ConversionError(f"{field}: {value!r} is not a number")
        return number
    if base_type == "boolean":
        flag = as_boolean(value)
        if flag is None:
            raise ConversionError(f"{field}: {value!r} is not true or false")
        return flag
    if not isinstance(value, str) or parse_datetime(value) is None:
        raise ConversionError(f"{field}: {value!r} is not an ISO 8601 date")
    return value


def check_written(value: Any, virtual_type: str, field: str) -> None:
    """A body value must already be of its virtual type (JSON types are strict)."""
    if value is None:
        return
    ok = {
        "string": isinstance(value, str),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "date": isinstance(value, str) and parse_datetime(value) is not None,
    }[virtual_type]
    if not ok:
        raise ConversionError(f"{field}: {value!r} is not a {virtual_type}")


def iso(value: Any) -> str | None:
    return utc_iso(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return int(value)
    return as_number(value)
