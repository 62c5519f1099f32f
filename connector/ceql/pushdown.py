"""Split a CEQL tree into an Autotask filter (pushed down) and a residual evaluated locally.

The contract: a row matches the whole expression exactly when it matches the pushed filter
(in Autotask) and the residual (locally, `connector.ceql.evaluate`). The pushed filter alone may
match more rows, never fewer.

How each node is pushed (NOT is first moved down to the predicates; De Morgan and operator
inversion hold in SQL's three-valued logic):
- `=` eq, `!=` noteq, `<` lt, ... ; IN in, NOT IN notIn; IS NULL notExist, IS NOT NULL exist;
  NOT over a comparison uses `connector.autotask.filters.INVERSE` (NOT a > 1 is a <= 1).
- LIKE: no wildcard -> eq; `abc%` beginsWith; `%abc` endsWith; `%abc%` contains; `%` exist.
  Other patterns (`a%b`, `_`) stay in the residual, and their fixed pieces are also pushed as a
  wider filter (`a%b` -> beginsWith a and endsWith b). A piece holding %, _ or [ is never sent
  to a string-match operator: whether Autotask escapes SQL Server's LIKE characters is not
  documented. NOT LIKE stays in the residual.
- AND pushes what it can and keeps the rest as residual; OR is pushed only when every branch
  pushes something (the whole OR stays in the residual unless every branch was exact).
- Limits: at most `MAX_UDF_FIELDS_PER_QUERY` user-defined fields in the whole filter (extra UDF
  conjuncts stay local; an OR needing two is not pushed), and at most `MAX_OR_CONDITIONS`
  conditions under one OR or values in one in/notIn list (assumed: Autotask expands `in`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connector.autotask import filters as f
from connector.ceql.ast import And, Compare, Expr, In, IsNull, Not, Or
from connector.ceql.values import ANY, like_tokens

Translate = Callable[[str, str, Any], dict]

_CEQL_TO_AUTOTASK = {"=": f.EQ, "!=": f.NOTEQ, "<": f.LT, ">": f.GT, "<=": f.LTE, ">=": f.GTE}
_LIKE_UNSAFE = set("%_[")


@dataclass(frozen=True)
class Pushdown:
    filter: list[dict]  # Autotask filter items, implicitly AND-ed
    residual: Expr | None  # what the rows that come back must still satisfy


@dataclass(frozen=True)
class _Part:
    item: dict | None  # None: nothing pushed (matches everything)
    exact: bool  # the item matches exactly the rows the node matches


_NOTHING = _Part(None, False)


def pushdown(expr: Expr | None, translate: Translate) -> Pushdown:
    """Push what Autotask can evaluate; `translate(field, op, value)` names the vendor side."""
    if expr is None:
        return Pushdown([], None)
    members = conjuncts(expr)
    parts = _fit_udf_limit([_push(c, False, translate) for c in members])
    pushed: list[dict] = []
    residual: list[Expr] = []
    for conjunct, part in zip(members, parts, strict=True):
        if part.item is not None:
            pushed.extend(_spliced(f.AND, [part.item]))
        if not part.exact:
            residual.append(conjunct)
    if not residual:
        return Pushdown(pushed, None)
    return Pushdown(pushed, residual[0] if len(residual) == 1 else And(tuple(residual)))


def conjuncts(expr: Expr) -> list[Expr]:
    """Top-level AND members, splitting NOT(a OR b) into NOT a, NOT b (valid in 3VL): each
    is pushed, or kept in the residual, as a whole."""
    if isinstance(expr, And):
        return [c for item in expr.items for c in conjuncts(item)]
    if isinstance(expr, Not) and isinstance(expr.item, Or):
        return [c for item in expr.item.items for c in conjuncts(Not(item))]
    if isinstance(expr, Not) and isinstance(expr.item, Not):
        return conjuncts(expr.item.item)
    return [expr]


def _push(expr: Expr, negated: bool, translate: Translate) -> _Part:
    if isinstance(expr, Not):
        return _push(expr.item, not negated, translate)
    if isinstance(expr, (And, Or)):
        parts = [_push(item, negated, translate) for item in expr.items]
        if isinstance(expr, And) != negated:  # De Morgan turns AND into OR under NOT
            return _all_of(parts)
        return _any_of(parts)
    if isinstance(expr, Compare):
        op = _CEQL_TO_AUTOTASK[expr.op]
        return _leaf(translate, expr.field, f.INVERSE[op] if negated else op, expr.value)
    if isinstance(expr, In):
        if not expr.values or len(expr.values) > f.MAX_OR_CONDITIONS:
            return _NOTHING
        op = f.NOT_IN if negated != expr.negated else f.IN
        return _leaf(translate, expr.field, op, list(expr.values))
    if isinstance(expr, IsNull):
        op = f.EXIST if negated != expr.negated else f.NOT_EXIST
        return _leaf(translate, expr.field, op, None)
    if negated != expr.negated:  # NOT LIKE has no Autotask operator
        return _NOTHING
    return _like(translate, expr.field, expr.pattern)


def _leaf(translate: Translate, field: str, op: str, value: Any) -> _Part:
    try:
        item = translate(field, op, value)
    except f.NotPushable:
        return _NOTHING
    return _Part(item, True) if _within_limits(item) else _NOTHING


def _all_of(parts: list[_Part]) -> _Part:
    parts = _fit_udf_limit(parts)
    items = [p.item for p in parts if p.item is not None]
    exact = all(p.exact for p in parts)
    if not items:
        return _Part(None, exact)
    return _Part(_joined(f.AND, items), exact)


def _any_of(parts: list[_Part]) -> _Part:
    if any(p.item is None for p in parts):
        return _NOTHING  # a branch that matches anything makes the OR match anything
    item = _joined(f.OR, [p.item for p in parts if p.item is not None])
    if not _within_limits(item):
        return _NOTHING
    return _Part(item, all(p.exact for p in parts))


def _fit_udf_limit(parts: list[_Part]) -> list[_Part]:
    """Drop pushed items past the UDF-field limit, exact ones keeping their place first."""
    used: set[str] = set()
    kept = list(parts)
    for want_exact in (True, False):
        for i, part in enumerate(parts):
            if part.item is None or part.exact != want_exact:
                continue
            fields = f.udf_fields(part.item)
            if len(used | fields) <= f.MAX_UDF_FIELDS_PER_QUERY:
                used |= fields
            else:
                kept[i] = _NOTHING
    return kept


def _within_limits(item: dict) -> bool:
    return (
        len(f.udf_fields(item)) <= f.MAX_UDF_FIELDS_PER_QUERY
        and _conditions(item) <= f.MAX_OR_CONDITIONS
        and _or_groups_fit(item)
    )


def _or_groups_fit(item: dict) -> bool:
    if "items" not in item:
        return True
    if item["op"] == f.OR and _conditions(item) > f.MAX_OR_CONDITIONS:
        return False
    return all(_or_groups_fit(child) for child in item["items"])


def _conditions(item: dict) -> int:
    """How many conditions an item costs; an in/notIn list counts one per value."""
    if "items" in item:
        return sum(_conditions(child) for child in item["items"])
    if item["op"] in f.SET_MATCHES and isinstance(item.get("value"), list):
        return len(item["value"])
    return 1


def _joined(op: str, items: list[dict]) -> dict:
    flat = _spliced(op, items)
    return flat[0] if len(flat) == 1 else f.group(op, flat)


def _spliced(op: str, items: list[dict]) -> list[dict]:
    """Items of a group, with children that are groups of the same operator opened up."""
    flat: list[dict] = []
    for item in items:
        flat.extend(item["items"] if "items" in item and item["op"] == op else [item])
    return flat


def _like(translate: Translate, field: str, pattern: str) -> _Part:
    tokens = like_tokens(pattern)
    if all(isinstance(t, str) for t in tokens):
        return _leaf(translate, field, f.EQ, "".join(tokens))
    if all(t is ANY for t in tokens):
        return _leaf(translate, field, f.EXIST, None)
    shape = tuple("lit" if isinstance(t, str) else ("%" if t is ANY else "_") for t in tokens)
    exact_op = {
        ("lit", "%"): f.BEGINS_WITH,
        ("%", "lit"): f.ENDS_WITH,
        ("%", "lit", "%"): f.CONTAINS,
    }.get(shape)
    literals = [(i, t) for i, t in enumerate(tokens) if isinstance(t, str)]
    if exact_op and not _LIKE_UNSAFE & set(literals[0][1]):
        return _leaf(translate, field, exact_op, literals[0][1])
    # A wider filter from the fixed pieces; the LIKE itself stays in the residual.
    parts = []
    for i, text in literals:
        if _LIKE_UNSAFE & set(text):
            continue
        op = f.BEGINS_WITH if i == 0 else f.ENDS_WITH if i == len(tokens) - 1 else f.CONTAINS
        parts.append(_leaf(translate, field, op, text))
    wider = _all_of(parts)
    return _Part(wider.item, False)
