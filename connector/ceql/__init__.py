"""CEQL, the Cloud Elements query language: parse it, push it down to Autotask, finish locally.

    expr = parse("type = 'Customer' and name like 'Ac%'")
    split = pushdown(expr, translate)            # split.filter -> Autotask; split.residual -> here
    rows = [r for r in rows if evaluate(split.residual, r)]

When `residual` is not None the caller must read `referenced_fields(residual)` from Autotask,
filter the rows here and keep reading upstream pages until a client page is full: the pushed
filter may match more rows than the query. `utc_iso` helps a translator send dates in UTC.

Pure functions, no I/O. Errors are `connector.errors.QuerySyntaxError` / `BadRequestError` (400).
"""

from __future__ import annotations

from connector.ceql.ast import (
    And,
    Compare,
    Expr,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Value,
    referenced_fields,
    to_ceql,
)
from connector.ceql.evaluate import evaluate, get_path, truth
from connector.ceql.order import (
    MAX_LOCAL_SORT_ROWS,
    is_native_order,
    parse_fields,
    parse_order_by,
    sort_records,
)
from connector.ceql.parser import MAX_NESTING, parse
from connector.ceql.pushdown import Pushdown, Translate, conjuncts, pushdown
from connector.ceql.values import parse_datetime, utc_iso

__all__ = [
    "MAX_LOCAL_SORT_ROWS",
    "MAX_NESTING",
    "And",
    "Compare",
    "Expr",
    "In",
    "IsNull",
    "Like",
    "Not",
    "Or",
    "Pushdown",
    "Translate",
    "Value",
    "conjuncts",
    "evaluate",
    "get_path",
    "is_native_order",
    "parse",
    "parse_datetime",
    "parse_fields",
    "parse_order_by",
    "pushdown",
    "referenced_fields",
    "sort_records",
    "to_ceql",
    "truth",
    "utc_iso",
]
