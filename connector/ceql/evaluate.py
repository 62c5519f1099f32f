"""Local evaluation of a CEQL tree on one record, with SQL's three-valued logic.

Autotask evaluates pushed filters in SQL Server; evaluating the residual the same way keeps
local and pushed answers in agreement:
- a comparison involving null (or an incomparable value) is unknown; unknown is not a match;
  NOT unknown is unknown, so `!=`, NOT IN and NOT LIKE never match null;
- IS NULL is true only for None or a missing field. An empty string is a value, not null: SQL
  Server keeps '' and NULL apart, and we take Autotask's `exist`/`notExist` to be its
  IS NOT NULL / IS NULL (Autotask does not document it; this is the plain reading).
- Comparison rules (case, numbers, dates, booleans) are in `connector.ceql.values`.
- LIKE without a wildcard is `=` (same rules, so `LIKE '2020-01-01'` matches that instant), and
  a pattern of only `%` matches any non-null value: both are then exactly what they push down as.

Multi-valued paths: the default getter follows a dotted path through lists, and a predicate on
several values is true when it is true for any of them (`emails.address = 'x'`, and also
`emails.address != 'x'`: some address differs). IS NULL is true when there is no non-null value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connector.ceql.ast import And, Compare, Expr, In, IsNull, Like, Not, Or
from connector.ceql.values import ANY, compare, like_matches, like_text, like_tokens

Getter = Callable[[dict, str], Any]
_MISSING = object()

_COMPARE_TESTS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "!=": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


def evaluate(expr: Expr | None, record: dict, get: Getter | None = None) -> bool:
    """True when the record matches (unknown counts as no match); None matches everything."""
    if expr is None:
        return True
    return truth(expr, record, get or get_path) is True


def truth(expr: Expr, record: dict, get: Getter) -> bool | None:
    """The three-valued truth of `expr`: True, False or None for unknown."""
    if isinstance(expr, And):
        results = [truth(item, record, get) for item in expr.items]
        return False if False in results else (None if None in results else True)
    if isinstance(expr, Or):
        results = [truth(item, record, get) for item in expr.items]
        return True if True in results else (None if None in results else False)
    if isinstance(expr, Not):
        inner = truth(expr.item, record, get)
        return None if inner is None else not inner
    values = _candidates(get(record, expr.field))
    if isinstance(expr, IsNull):
        has_value = any(v is not None for v in values)
        return has_value if expr.negated else not has_value
    return _any(_predicate(expr, value) for value in values)


def _predicate(expr: Compare | Like | In, value: Any) -> bool | None:
    if isinstance(expr, Compare):
        order = compare(value, expr.value)
        return None if order is None else _COMPARE_TESTS[expr.op](order)
    if isinstance(expr, Like):
        return _like(expr, value)
    orders = [compare(value, literal) for literal in expr.values]
    if 0 in orders:
        found: bool | None = True
    else:
        found = None if None in orders else False
    return found if found is None else found != expr.negated


def _like(expr: Like, value: Any) -> bool | None:
    tokens = like_tokens(expr.pattern)
    if all(isinstance(t, str) for t in tokens):  # no wildcard: plain equality
        order = compare(value, "".join(tokens))
        result = None if order is None else order == 0
    elif all(t is ANY for t in tokens):  # only %: any value at all
        result = None if value is None else True
    else:
        text = like_text(value)
        result = None if text is None else like_matches(text, expr.pattern)
    return result if result is None else result != expr.negated


def _any(results: Any) -> bool | None:
    unknown = False
    for result in results:
        if result is True:
            return True
        unknown = unknown or result is None
    return None if unknown else False


def _candidates(value: Any) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        return [value]
    flat: list[Any] = []
    for item in value:
        flat.extend(_candidates(item))
    return flat or [None]


def get_path(record: Mapping[str, Any], field: str) -> Any:
    """The value at `field`: the whole name as a key first, else a dotted path.

    Keys match exactly, else ignoring case. A path through a list collects every element's
    value into a list (missing ones left out)."""
    found = _lookup(record, field)
    if found is not _MISSING or "." not in field:
        return None if found is _MISSING else found
    values: list[Any] = [record]
    fanned_out = False
    for part in field.split("."):
        following: list[Any] = []
        for value in values:
            if isinstance(value, (list, tuple)):
                fanned_out = True
                items = _candidates(value)
            else:
                items = [value]
            for item in items:
                child = _lookup(item, part)
                if child is not _MISSING:
                    following.append(child)
        values = following
    if fanned_out:
        return values
    return values[0] if values else None


def _lookup(item: Any, key: str) -> Any:
    if not isinstance(item, Mapping):
        return _MISSING
    if key in item:
        return item[key]
    folded = key.casefold()
    for candidate, value in item.items():
        if isinstance(candidate, str) and candidate.casefold() == folded:
            return value
    return _MISSING
