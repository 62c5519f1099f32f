"""The vocabulary shared by CEQL pushdown and the transformation maps.

CEQL predicates are rewritten into Autotask filter items (`{"op", "field", "value", "udf"}` or
`{"op": "and"|"or", "items": [...]}`). A map's field translator turns a predicate on a normalized
field into such an item, or raises `NotPushable` when Autotask cannot evaluate it; the predicate
is then evaluated locally on the rows that come back.
"""

from __future__ import annotations

from typing import Any

# Autotask's filter operators (reference section 3.3).
EQ, NOTEQ = "eq", "noteq"
GT, GTE, LT, LTE = "gt", "gte", "lt", "lte"
BEGINS_WITH, ENDS_WITH, CONTAINS = "beginsWith", "endsWith", "contains"
EXIST, NOT_EXIST = "exist", "notExist"
IN, NOT_IN = "in", "notIn"
AND, OR = "and", "or"

COMPARISONS = frozenset({EQ, NOTEQ, GT, GTE, LT, LTE})
STRING_MATCHES = frozenset({BEGINS_WITH, ENDS_WITH, CONTAINS})
NULL_CHECKS = frozenset({EXIST, NOT_EXIST})
SET_MATCHES = frozenset({IN, NOT_IN})
CONDITION_OPS = COMPARISONS | STRING_MATCHES | NULL_CHECKS | SET_MATCHES

# The inverse of each condition operator that has one in Autotask's vocabulary (for NOT).
INVERSE = {
    EQ: NOTEQ,
    NOTEQ: EQ,
    GT: LTE,
    LTE: GT,
    LT: GTE,
    GTE: LT,
    EXIST: NOT_EXIST,
    NOT_EXIST: EXIST,
    IN: NOT_IN,
    NOT_IN: IN,
}

# Autotask refuses more than one user-defined field per query, and more OR conditions than this.
MAX_UDF_FIELDS_PER_QUERY = 1
MAX_OR_CONDITIONS = 500


class NotPushable(Exception):  # noqa: N818 - a signal, not an error the user sees
    """Raised by a translator for a predicate Autotask cannot evaluate."""


def condition(op: str, field: str, value: Any = None, *, udf: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"op": op, "field": field}
    if op not in NULL_CHECKS:
        item["value"] = value
    if udf:
        item["udf"] = True
    return item


def group(op: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"op": op, "items": items}


def udf_fields(item: dict[str, Any]) -> set[str]:
    """The user-defined fields a filter item (condition or group) names."""
    if "items" in item:
        found: set[str] = set()
        for child in item["items"]:
            found |= udf_fields(child)
        return found
    return {item["field"].lower()} if item.get("udf") else set()
