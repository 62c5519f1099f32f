"""The value types of scalar fields: how one value crosses between Autotask and the normalized form.

Each type reads a vendor value, writes a validated body value, turns a query literal into a
filter value, and says how bodies validate it and which filter operators it supports. Dates are
UTC ISO 8601 with `Z` on both sides (Autotask stores UTC and accepts `Z` [reference section 10]).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import fields

from connector.autotask import filters as f
from connector.mapping import bodyfields

ORDERED = f.COMPARISONS | f.NULL_CHECKS | f.SET_MATCHES
EVERY_OP = f.CONDITION_OPS


def parse_instant(value: Any) -> datetime:
    """An aware UTC datetime from an ISO 8601 text or a datetime; no offset means UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_instant(moment: datetime) -> str:
    moment = parse_instant(moment)
    # isoformat, not strftime: a third less time, the same text for years 1000 to 9999, and
    # ISO 8601's four digits for earlier ones (strftime wrote year 999 as "999")
    if moment.microsecond:
        return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # less "+00:00"
    return moment.isoformat(timespec="seconds")[:-6] + "Z"


class ValueType:
    name = ""
    native = "string"  # Autotask's dataType, as `describe` reports it
    operators: frozenset[str] = EVERY_OP
    json: dict[str, Any] = {"type": "string"}

    def read(self, raw: Any) -> Any:
        return raw

    def write(self, value: Any) -> Any:
        return value

    def literal(self, value: Any) -> Any:
        """A query literal as Autotask compares it; ValueError when it cannot be one."""
        return self.write(value)

    def body_field(self, **options: Any) -> fields.Field:
        return fields.String(**options)

    def lenient_body_field(self, **options: Any) -> fields.Field:
        """The body field of a map field marked `lenient` (Cloud Elements' looser inputs)."""
        return bodyfields.LenientString(**options)

    def lenient_literal(self, value: Any) -> Any:
        """A query literal of a `lenient` field (a US date in a where clause, for dates)."""
        return self.literal(value)


class StringType(ValueType):
    name = "string"

    def read(self, raw: Any) -> Any:
        return raw if raw is None or isinstance(raw, str) else str(raw)

    def literal(self, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)


class IntegerType(ValueType):
    name, native, operators, json = "integer", "integer", ORDERED, {"type": "integer"}

    def read(self, raw: Any) -> Any:
        return raw if raw is None else int(raw)

    def literal(self, value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("not an integer")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("not an integer")
        return int(value)

    def body_field(self, **options: Any) -> fields.Field:
        return bodyfields.StrictInteger(**options)

    def lenient_body_field(self, **options: Any) -> fields.Field:
        return bodyfields.LenientInteger(**options)


class NumberType(ValueType):
    name, native, operators, json = "number", "decimal", ORDERED, {"type": "number"}

    def read(self, raw: Any) -> Any:
        return raw if raw is None or isinstance(raw, int | float) else float(raw)

    def literal(self, value: Any) -> int | float:
        if isinstance(value, bool):
            raise ValueError("not a number")
        return value if isinstance(value, int | float) else float(value)

    def body_field(self, **options: Any) -> fields.Field:
        return bodyfields.StrictNumber(**options)

    def lenient_body_field(self, **options: Any) -> fields.Field:
        return bodyfields.LenientNumber(**options)


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


class BooleanType(ValueType):
    name, native, json = "boolean", "boolean", {"type": "boolean"}
    operators = frozenset({f.EQ, f.NOTEQ}) | f.NULL_CHECKS

    def read(self, raw: Any) -> Any:
        return raw if raw is None else bool(raw)

    def literal(self, value: Any) -> Any:
        if isinstance(value, bool):
            return self.write(value)
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return self.write(text in _TRUE)
        raise ValueError("not a boolean")

    def body_field(self, **options: Any) -> fields.Field:
        return bodyfields.StrictBoolean(**options)

    def lenient_body_field(self, **options: Any) -> fields.Field:
        return bodyfields.LenientBoolean(**options)


class IntBooleanType(BooleanType):
    """A boolean Autotask stores as the integer 0 or 1 (Contacts.isActive)."""

    name, native = "intBoolean", "integer"

    def read(self, raw: Any) -> Any:
        return raw if raw is None else int(raw) != 0

    def write(self, value: Any) -> Any:
        return value if value is None else int(bool(value))


class DateTimeType(ValueType):
    name, native, json = "datetime", "datetime", {"type": "string", "format": "date-time"}
    operators = f.COMPARISONS | f.NULL_CHECKS

    def read(self, raw: Any) -> Any:
        return raw if raw in (None, "") else format_instant(parse_instant(raw))

    def write(self, value: Any) -> Any:
        return value if value is None else format_instant(parse_instant(value))

    def body_field(self, **options: Any) -> fields.Field:
        return bodyfields.IsoDateTime(**options)

    def lenient_body_field(self, **options: Any) -> fields.Field:
        return bodyfields.LenientDateTime(**options)

    def lenient_literal(self, value: Any) -> Any:
        day = bodyfields.us_date(value) if isinstance(value, str) else None
        return self.literal(day if day is not None else value)


class DateType(ValueType):
    """A calendar date; Autotask keeps it in a datetime field at midnight UTC."""

    name, native, json = "date", "datetime", {"type": "string", "format": "date"}
    operators = f.COMPARISONS | f.NULL_CHECKS

    def read(self, raw: Any) -> Any:
        return raw if raw in (None, "") else parse_instant(raw).date().isoformat()

    def write(self, value: Any) -> Any:
        if value is None:
            return None
        day = date.fromisoformat(str(value)[:10])
        return f"{day.isoformat()}T00:00:00Z"

    def body_field(self, **options: Any) -> fields.Field:
        return bodyfields.IsoDate(**options)

    def lenient_body_field(self, **options: Any) -> fields.Field:
        return bodyfields.LenientDate(**options)

    def lenient_literal(self, value: Any) -> Any:
        day = bodyfields.us_date(value) if isinstance(value, str) else None
        return self.literal(day if day is not None else value)


VALUE_TYPES: dict[str, ValueType] = {
    kind.name: kind()
    for kind in (
        StringType,
        IntegerType,
        NumberType,
        BooleanType,
        IntBooleanType,
        DateTimeType,
        DateType,
    )
}
