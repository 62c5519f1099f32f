"""`orderBy` and `fields` parameters, and the in-memory sort used when Autotask cannot order.

Autotask returns rows in ascending id order only, so `orderBy=id` (ascending) is native. Any
other order is applied here, on all the matching rows at once; that is bounded by
`MAX_LOCAL_SORT_ROWS`, past which the request is refused with a 400 that says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from connector.ceql.evaluate import get_path
from connector.ceql.lexer import COMMA, EOF, KEYWORD, NAME, Lexer, Token
from connector.ceql.values import parse_datetime
from connector.errors import BadRequestError

# The most matching rows an orderBy on a field other than id sorts in memory (10 Autotask pages).
MAX_LOCAL_SORT_ROWS = 5000

Order = list[tuple[str, bool]]  # (field, descending)


def parse_order_by(text: str | None) -> Order:
    """`"name desc, id"` -> `[("name", True), ("id", False)]`; blank gives []."""
    if text is None or not text.strip():
        return []
    lexer = Lexer(text, "orderBy")
    order: Order = []
    while True:
        field = _name(lexer, "a field name")
        token = lexer.peek()
        descending = False
        if token.kind == NAME and not token.quoted and token.text.lower() in ("asc", "desc"):
            descending = token.text.lower() == "desc"
            lexer.advance()
        order.append((field, descending))
        if _end_of_list(lexer, "ASC, DESC, ',' or end of input"):
            return order


def parse_fields(text: str | None) -> list[str]:
    """`"id,name, addresses.city"` -> `["id", "name", "addresses.city"]` (repeats dropped)."""
    if text is None or not text.strip():
        return []
    lexer = Lexer(text, "fields")
    names: dict[str, None] = {}
    while True:
        names.setdefault(_name(lexer, "a field name"), None)
        if _end_of_list(lexer, "',' or end of input"):
            return list(names)


def is_native_order(order: Order) -> bool:
    """True when Autotask's own order (ascending id) already satisfies `order`.

    Ids are unique, so keys after an ascending id never change the order."""
    return not order or (order[0][0].lower() == "id" and not order[0][1])


def sort_records(
    records: Iterable[dict],
    order: Order,
    get: Callable[[dict, str], Any] | None = None,
    limit: int = MAX_LOCAL_SORT_ROWS,
) -> list[dict]:
    """A stable sort by several keys, nulls last in either direction, of at most `limit` rows.

    Values order as the CEQL comparison does: numbers numerically, ISO dates as instants,
    strings ignoring case; booleans, numbers, dates and strings are kept apart in that order.
    More than `limit` records raise a 400 (`records` is read only up to `limit` + 1)."""
    rows = list(itertools.islice(records, limit + 1))
    if len(rows) > limit:
        fields = ", ".join(name for name, _ in order)
        raise BadRequestError(
            f"orderBy {fields} is applied in memory to at most {limit} matching records, and "
            f"this query matches more; narrow the where clause, or order by id"
        )
    getter = get or get_path
    for field, descending in reversed(order):
        rows.sort(
            key=lambda row, name=field, d=descending: _sort_key(getter(row, name), d),
            reverse=descending,
        )
    return rows


def _sort_key(value: Any, descending: bool) -> tuple:
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if v is not None), None)
    if value is None:
        return (0,) if descending else (1,)  # last either way, since `reverse` flips it
    present = 1 if descending else 0
    if isinstance(value, bool):
        return (present, 0, value)
    if isinstance(value, (int, float)):
        return (present, 1, value)
    moment = parse_datetime(value)
    if moment is not None:
        return (present, 2, moment)
    if isinstance(value, str):
        return (present, 3, value.casefold())
    return (present, 4, str(value))


def _name(lexer: Lexer, expected: str) -> str:
    token = lexer.advance()
    if token.kind == NAME:
        return str(token.value)
    if token.kind == KEYWORD:  # no ambiguity in a list of names: `orderBy=in` names a field
        return token.text
    raise lexer.error(token, expected)


def _end_of_list(lexer: Lexer, expected: str) -> bool:
    token: Token = lexer.advance()
    if token.kind == EOF:
        return True
    if token.kind != COMMA:
        raise lexer.error(token, expected)
    return False
