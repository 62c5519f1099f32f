"""Why a CEQL predicate was not pushed down to Autotask, in words a user can act on.

`pushdown` only says what stayed in the residual; `not_pushed` says why, one reason per
predicate that Autotask could not evaluate exactly, for the hub's explain document:

    not_pushed(parse("name like 'a%b'"), translate)
    -> ["name LIKE 'a%b': Autotask has no operator for this pattern (only 'abc%', '%abc' and
        '%abc%'); its fixed parts were sent as a wider filter and the pattern is checked here"]

Pure: it calls `translate` (no I/O of its own) and never raises for a predicate it cannot push.
"""

from __future__ import annotations

from connector.autotask import filters as f
from connector.ceql.ast import And, Compare, Expr, In, IsNull, Like, Not, Or, to_ceql
from connector.ceql.pushdown import Translate, conjuncts, pushdown
from connector.errors import ConnectorError

OR_RULE = "an OR is sent to Autotask only when every branch can be sent exactly"
UDF_RULE = (
    f"Autotask takes at most {f.MAX_UDF_FIELDS_PER_QUERY} user-defined field(s) in one query; "
    "another one was sent, so this one is checked here"
)


def not_pushed(expr: Expr, translate: Translate) -> list[str]:
    """The reasons `expr`, one conjunct of a `where`, stayed (wholly or partly) local."""
    found = _reasons(expr, False, translate)
    if found:
        return found
    if pushdown(expr, translate).residual is None:  # exact alone: the whole query's limits
        return [f"{to_ceql(expr)}: {UDF_RULE}"]
    return [f"{to_ceql(expr)}: Autotask cannot evaluate it exactly"]


def residual_parts(residual: Expr | None) -> list[Expr]:
    """The conjuncts of a residual, each stayed local as a whole."""
    return [] if residual is None else conjuncts(residual)


def _reasons(expr: Expr, negated: bool, translate: Translate) -> list[str]:
    if isinstance(expr, Not):
        return _reasons(expr.item, not negated, translate)
    if isinstance(expr, (And, Or)):
        found = [r for item in expr.items for r in _reasons(item, negated, translate)]
        is_or = isinstance(expr, Or) != negated  # NOT (a AND b) is an OR
        text = to_ceql(Not(expr) if negated else expr)
        return [*found, f"{text}: {OR_RULE}"] if is_or and found else found
    text = to_ceql(Not(expr) if negated else expr)
    reason = _leaf_reason(expr, negated, translate)
    return [f"{text}: {reason}"] if reason else []


def _leaf_reason(expr: Expr, negated: bool, translate: Translate) -> str | None:
    if pushdown(Not(expr) if negated else expr, translate).residual is None:
        return None  # this predicate alone is sent exactly
    field = expr.field  # type: ignore[union-attr]
    if not _filterable(field, translate):
        return f"Autotask cannot filter on {field} (its value is made by the connector)"
    if isinstance(expr, Like):
        if negated != expr.negated:
            return "Autotask has no NOT LIKE"
        return (
            "Autotask has no operator for this pattern (only 'abc%', '%abc' and '%abc%', "
            "without _ or [ or an escaped %); its fixed parts were sent as a wider filter and "
            "the pattern is checked here"
        )
    if isinstance(expr, In):
        if not expr.values:
            return "an empty IN list is decided here"
        if len(expr.values) > f.MAX_OR_CONDITIONS:
            return f"Autotask takes at most {f.MAX_OR_CONDITIONS} values in one IN list"
    if isinstance(expr, (Compare, IsNull, In)):
        return "Autotask cannot evaluate this comparison exactly"
    return None


def _filterable(field: str, translate: Translate) -> bool:
    try:
        translate(field, f.EXIST, None)
    except f.NotPushable:
        return False
    except ConnectorError:  # it refuses `exist` (or the value), yet it does filter
        return True
    return True
