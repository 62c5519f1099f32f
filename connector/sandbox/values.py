"""Field values between the wire (JSON) and the store (SQLite), by Autotask data type.

Datetimes are stored as UTC text in one fixed format ("2019-11-05T00:28:25.000Z"), so text
order is time order and filters compare them as strings. Booleans are stored as 0/1. Empty
strings are stored as null: Autotask treats a blank text field as no value (inferred).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

from connector.sandbox.catalog import INTEGER_TYPES, FieldDef
from connector.sandbox.errors import autotask_error

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
INT64_MAX = 2**63 - 1  # .NET's Int64, the widest number Autotask binds (ids are longs)
INT64_MIN = -(2**63)
_ASCII_ID = re.compile(r"[0-9]+")
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
_ASCII_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def ascii_id(text: str | None) -> int | None:
    """An id written as ASCII digits within Int64, else None.

    `str.isdigit` and `int` also take "²" and full-width digits ("１"), which .NET does not.
    """
    if text is None or not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= INT64_MAX else None


def ascii_integer(text: str) -> bool:
    """Whether `text` is an integer in ASCII digits, optionally signed and space-padded."""
    return _ASCII_INTEGER.fullmatch(text.strip()) is not None


def _int64(value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError(value)
    return value


def format_datetime(moment: datetime) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_text() -> str:
    return format_datetime(datetime.now(UTC))


def parse_datetime(raw: Any) -> str:
    """Any ISO date or datetime (with Z, an offset or neither) -> the stored UTC text."""
    if isinstance(raw, datetime):
        return format_datetime(raw)
    if isinstance(raw, date):
        return format_datetime(datetime(raw.year, raw.month, raw.day))
    if not isinstance(raw, str):
        raise ValueError(raw)
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:  # Python accepts at most 6 fraction digits; .NET sends up to 7
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{(digits + '000000')[:6]}{zone}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return format_datetime(moment)


def _conversion_error(field: FieldDef, raw: Any) -> Exception:
    return autotask_error(
        f"Could not convert value {raw!r} to {field.data_type} for field {field.name}."
    )


def to_store(field: FieldDef, raw: Any) -> Any:
    """A JSON value -> what the column stores; SandboxError (500) when it does not convert."""
    if raw is None:
        return None
    kind = field.data_type
    try:
        if kind == "string":
            if isinstance(raw, (dict, list)):
                raise ValueError(raw)
            text = raw if isinstance(raw, str) else _plain(raw)
            return text if text != "" else None
        if kind in INTEGER_TYPES:
            if isinstance(raw, bool):
                raise ValueError(raw)
            if isinstance(raw, float):
                if not raw.is_integer():
                    raise ValueError(raw)
                return _int64(int(raw))
            if isinstance(raw, str):
                if raw.strip() == "":
                    return None
                if not ascii_integer(raw):
                    raise ValueError(raw)
                return _int64(int(raw.strip()))
            if not isinstance(raw, int):
                raise TypeError(raw)
            return _int64(raw)
        if kind == "boolean":
            if isinstance(raw, bool):
                return int(raw)
            if isinstance(raw, int) and raw in (0, 1):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return int(raw.strip().lower() in _TRUE)
            raise ValueError(raw)
        if kind in ("decimal", "double"):
            if isinstance(raw, bool):
                raise ValueError(raw)
            if isinstance(raw, str) and not _ASCII_DECIMAL.fullmatch(raw.strip()):
                raise ValueError(raw)  # float() also reads "１.５", "1_0" and "inf"
            number = float(raw)
            if math.isnan(number) or math.isinf(number):
                raise ValueError(raw)
            return number
        if kind == "datetime":
            if isinstance(raw, str) and raw.strip() == "":
                return None
            return parse_datetime(raw)
    except (TypeError, ValueError, OverflowError):
        raise _conversion_error(field, raw) from None
    raise _conversion_error(field, raw)


def _plain(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def from_store(field: FieldDef, value: Any) -> Any:
    if value is None:
        return None
    if field.data_type == "boolean":
        return bool(value)
    if field.data_type in ("decimal", "double"):
        return float(value)
    return value


def output_converter(field: FieldDef):
    """A fast per-column converter for building many items."""
    if field.data_type == "boolean":
        return lambda value: None if value is None else bool(value)
    if field.data_type in ("decimal", "double"):
        return lambda value: None if value is None else float(value)
    return None


def udf_to_store(raw: Any) -> str | None:
    """UDF values are strings on the wire and in the store; blank means no value."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    text = raw if isinstance(raw, str) else str(raw)
    return text if text != "" else None


def filter_value(field: FieldDef, raw: Any) -> Any:
    """A filter operand -> the stored representation it compares with."""
    if field.data_type == "string":
        return None if raw is None else _plain(raw) if not isinstance(raw, str) else raw
    return to_store(field, raw)
