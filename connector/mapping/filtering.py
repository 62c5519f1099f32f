"""Evaluate an Autotask filter item on a vendor record, for a map's fixed filter.

The hub reads single records by id (`GET /leads/{id}`), which Autotask does not filter; this says
whether such a record belongs to the resource. Only what fixed filters use needs to be exact:
equality, sets and null checks, comparing numbers and texts by their text (Autotask answers
picklist values as numbers and metadata as strings), texts without regard to case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.autotask import filters as f
from connector.mapping import paths


def _key(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).casefold() if value is not None else None


def _field(vendor: Mapping[str, Any], name: str) -> Any:
    if name in vendor:
        return vendor[name]
    folded = name.casefold()  # Autotask field names are case-insensitive
    return next((value for key, value in vendor.items() if key.casefold() == folded), None)


def admits(item: Mapping[str, Any], vendor: Mapping[str, Any]) -> bool:
    op = item["op"]
    if op == f.AND:
        return all(admits(inner, vendor) for inner in item["items"])
    if op == f.OR:
        return any(admits(inner, vendor) for inner in item["items"])
    if item.get("udf"):
        udfs = {u.get("name"): u.get("value") for u in vendor.get("userDefinedFields") or ()}
        actual = _field(udfs, item["field"])
    else:
        actual = (
            paths.get(vendor, item["field"])
            if "." in item["field"]
            else _field(vendor, item["field"])
        )
    if op in f.NULL_CHECKS:
        return (actual is not None) == (op == f.EXIST)
    if actual is None:
        return False
    wanted = item.get("value")
    if op in f.SET_MATCHES:
        found = _key(actual) in {_key(value) for value in wanted}
        return found == (op == f.IN)
    if op in (f.EQ, f.NOTEQ):
        return (_key(actual) == _key(wanted)) == (op == f.EQ)
    text, pattern = str(actual).casefold(), str(wanted).casefold()
    if op in f.STRING_MATCHES:
        return {
            f.BEGINS_WITH: text.startswith,
            f.ENDS_WITH: text.endswith,
            f.CONTAINS: text.__contains__,
        }[op](pattern)
    try:
        left, right = float(actual), float(wanted)
    except (TypeError, ValueError):
        left, right = text, pattern  # type: ignore[assignment]
    return {f.GT: left > right, f.GTE: left >= right, f.LT: left < right, f.LTE: left <= right}[op]
