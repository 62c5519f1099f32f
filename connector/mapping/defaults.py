"""Default values a map gives a field when a create request leaves it out.

A field's `default:` is one of
- a literal in normalized terms (`default: 0`, `default: false`; for a picklist, prefer the
  value, e.g. `default: 1`, since labels change with the tenant's language);
- `{option: <name>}`: the instance setting of that name (`ctx.option(name)`); when the setting is
  unset the field gets no default;
- `{now: true}`: the current UTC time (a date field takes today's date).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connector.mapping.context import MappingContext
from connector.mapping.values import format_instant

SPECIAL_KEYS = ("option", "now")


class Default:
    """Where a default comes from, for messages: `default` or `instance setting 'x'`."""

    origin = "default"
    is_setting = False  # an instance setting: text to read as the field's type

    def resolve(self, ctx: MappingContext) -> Any:
        raise NotImplementedError


class LiteralDefault(Default):
    def __init__(self, value: Any) -> None:
        self.value = value

    def resolve(self, ctx: MappingContext) -> Any:
        return self.value


class OptionDefault(Default):
    def __init__(self, name: str) -> None:
        self.name = name
        self.origin = f"instance setting {name!r}"
        self.is_setting = True

    def resolve(self, ctx: MappingContext) -> Any:
        return ctx.option(self.name)


class NowDefault(Default):
    origin = "the current time"

    def resolve(self, ctx: MappingContext) -> Any:
        return format_instant(datetime.now(UTC).replace(microsecond=0))


def is_special(raw: Any) -> bool:
    return isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in SPECIAL_KEYS


def check(raw: Any) -> str | None:
    """What is wrong with a special default's shape, or None."""
    if not is_special(raw):
        return None
    if "option" in raw and not (isinstance(raw["option"], str) and raw["option"]):
        return "{option: ...} needs the name of an instance setting"
    if "now" in raw and raw["now"] is not True:
        return "{now: ...} takes only true"
    return None


def make_default(raw: Any) -> Default:
    if is_special(raw) and "option" in raw:
        return OptionDefault(raw["option"])
    if is_special(raw):
        return NowDefault()
    return LiteralDefault(raw)
