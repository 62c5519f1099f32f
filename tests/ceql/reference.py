"""Test helpers: a small field translator and a reference evaluator of Autotask filter JSON.

Both are plain functions written for the tests, not mocks of a real part. The evaluator follows
section 3.3 of the Autotask reference the way SQL Server answers it: a condition on a null
value is false except `notExist`; strings compare ignoring case; ISO dates compare as instants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connector.autotask import filters as f

COMPANY_TYPES = {"customer": 1, "lead": 2, "prospect": 3}

# normalized field -> (Autotask field, is a UDF, operators Autotask accepts for it)
ALL_OPS = f.CONDITION_OPS
NO_STRING_MATCH = f.CONDITION_OPS - f.STRING_MATCHES
FIELDS: dict[str, tuple[str, bool, frozenset[str]]] = {
    "id": ("id", False, NO_STRING_MATCH),
    "name": ("companyName", False, ALL_OPS),
    "city": ("city", False, ALL_OPS),
    "created": ("createDate", False, NO_STRING_MATCH),
    "active": ("isActive", False, frozenset({f.EQ, f.NOTEQ, f.EXIST, f.NOT_EXIST})),
    "count": ("employeeCount", False, NO_STRING_MATCH),
    "tier": ("Tier", True, ALL_OPS),
    "rank": ("Rank", True, ALL_OPS),
}
PICKLIST_OPS = frozenset({f.EQ, f.NOTEQ, f.IN, f.NOT_IN, f.EXIST, f.NOT_EXIST})


def translate(field: str, op: str, value: Any) -> dict:
    """Normalized predicate -> Autotask filter item, as a transformation map would do it."""
    if field == "type":  # a picklist: labels become numbers
        if op not in PICKLIST_OPS:
            raise f.NotPushable(field)
        if op in f.NULL_CHECKS:
            return f.condition(op, "companyType")
        labels = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v.casefold() in COMPANY_TYPES for v in labels):
            raise f.NotPushable(field)
        numbers = [COMPANY_TYPES[v.casefold()] for v in labels]
        return f.condition(op, "companyType", numbers if isinstance(value, list) else numbers[0])
    if field == "phone":  # one normalized field read from two Autotask fields
        if op != f.EQ:
            raise f.NotPushable(field)
        return f.group(f.OR, [f.condition(op, "phone", value), f.condition(op, "fax", value)])
    if field not in FIELDS or op not in FIELDS[field][2]:
        raise f.NotPushable(field)
    name, udf, _ = FIELDS[field]
    return f.condition(op, name, value, udf=udf)


def vendor_record(record: dict) -> dict:
    """The Autotask row a normalized record (of the fields above) came from."""
    row = {FIELDS[k][0]: v for k, v in record.items() if k in FIELDS}
    if "type" in record:
        label = record["type"]
        row["companyType"] = None if label is None else COMPANY_TYPES[label.casefold()]
    return row


def matches(filter_items: list[dict], row: dict) -> bool:
    """Autotask's answer: the top-level list is an implicit AND."""
    return all(_item(item, row) for item in filter_items)


def _item(item: dict, row: dict) -> bool:
    op = item["op"]
    if op == f.AND:
        return all(_item(child, row) for child in item["items"])
    if op == f.OR:
        return any(_item(child, row) for child in item["items"])
    value = row.get(item["field"])
    if op == f.EXIST:
        return value is not None
    if op == f.NOT_EXIST:
        return value is None
    if value is None:
        return False
    target = item["value"]
    if op in f.SET_MATCHES:
        orders = [_cmp(value, t) for t in target]
        if None in orders:
            return False  # SQL Server would refuse the conversion
        return (0 in orders) == (op == f.IN)
    if op in f.STRING_MATCHES:
        text, piece = str(value).casefold(), str(target).casefold()
        return {
            f.BEGINS_WITH: text.startswith,
            f.ENDS_WITH: text.endswith,
            f.CONTAINS: text.__contains__,
        }[op](piece)
    order = _cmp(value, target)
    if order is None:
        return False
    return {
        f.EQ: order == 0,
        f.NOTEQ: order != 0,
        f.GT: order > 0,
        f.GTE: order >= 0,
        f.LT: order < 0,
        f.LTE: order <= 0,
    }[op]


def _cmp(a: Any, b: Any) -> int | None:
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = _bit(a), _bit(b)
    elif isinstance(a, (int, float)) or isinstance(b, (int, float)):
        a, b = _float(a), _float(b)
    elif _date(a) and _date(b):
        a, b = _date(a), _date(b)
    else:
        a, b = str(a).casefold(), str(b).casefold()
    if a is None or b is None:
        return None
    return (a > b) - (a < b)


def _bit(v: Any) -> int | None:
    if isinstance(v, str):
        return {"true": 1, "false": 0, "1": 1, "0": 0}.get(v.casefold())
    return int(v) if v in (0, 1) else None


def _float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _date(v: Any) -> datetime | None:
    if not (isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-"):
        return None
    moment = datetime.fromisoformat(v.upper())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
