"""The CEQL syntax tree: small frozen dataclasses, and a printer that writes them back as CEQL.

A tree is what `parse` returns and what `pushdown` and `evaluate` take. Values are Python
scalars: `str`, `int`, `float` or `bool`; `null` exists only inside `IsNull`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

Value = Union[str, int, float, bool]  # noqa: UP007 - a runtime alias, kept readable

COMPARE_OPS = ("=", "!=", "<", ">", "<=", ">=")
KEYWORDS = frozenset({"AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL", "TRUE", "FALSE"})

_BARE_NAME = re.compile(r"[^\W\d]\w*(?:\.\w+)*")


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: Value

    def __post_init__(self) -> None:
        if self.op not in COMPARE_OPS:
            raise ValueError(f"unknown comparison operator {self.op!r}")


@dataclass(frozen=True)
class Like:
    """`field [NOT] LIKE pattern`; `%` is any run, `_` one character, `\\` escapes the next."""

    field: str
    pattern: str
    negated: bool = False


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsNull:
    field: str
    negated: bool = False


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr = Union[Compare, Like, In, IsNull, And, Or, Not]  # noqa: UP007


def referenced_fields(expr: Expr | None) -> list[str]:
    """The field names an expression reads, in first-use order, each once."""
    seen: dict[str, None] = {}

    def walk(node: Expr) -> None:
        if isinstance(node, (And, Or)):
            for item in node.items:
                walk(item)
        elif isinstance(node, Not):
            walk(node.item)
        else:
            seen.setdefault(node.field, None)

    if expr is not None:
        walk(expr)
    return list(seen)


def to_ceql(expr: Expr) -> str:
    """Write a tree back as CEQL text that `parse` reads into an equal tree."""
    if isinstance(expr, Compare):
        return f"{quote_name(expr.field)} {expr.op} {quote_value(expr.value)}"
    if isinstance(expr, Like):
        op = "NOT LIKE" if expr.negated else "LIKE"
        return f"{quote_name(expr.field)} {op} {quote_value(expr.pattern)}"
    if isinstance(expr, In):
        op = "NOT IN" if expr.negated else "IN"
        values = ", ".join(quote_value(v) for v in expr.values)
        return f"{quote_name(expr.field)} {op} ({values})"
    if isinstance(expr, IsNull):
        return f"{quote_name(expr.field)} IS {'NOT ' if expr.negated else ''}NULL"
    if isinstance(expr, Not):
        return f"NOT ({to_ceql(expr.item)})"
    joiner = " AND " if isinstance(expr, And) else " OR "
    return joiner.join(f"({to_ceql(item)})" for item in expr.items)


def quote_name(name: str) -> str:
    if _BARE_NAME.fullmatch(name) and name.upper() not in KEYWORDS:
        return name
    return "`" + name.replace("`", "``") + "`"


def quote_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
