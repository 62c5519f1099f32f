"""Property check, seeded: pushed filter (in Autotask) + residual (here) == the whole expression.

Random expressions over random records; Autotask is played by the reference evaluator of filter
JSON in tests/ceql/reference.py, which knows nothing of CEQL.
"""

from __future__ import annotations

import random

import pytest

from connector.autotask import filters as f
from connector.ceql import (
    And,
    Compare,
    Expr,
    In,
    IsNull,
    Like,
    Not,
    Or,
    evaluate,
    parse,
    pushdown,
    to_ceql,
)
from tests.ceql import reference

LITERALS = {
    "id": [1, 2, 3, -1, 2.5, "2"],
    "count": [0, 1, 5, None],
    "name": ["", "a", "A", "ab", "Ab", "b", "ba", "abc"],
    "city": ["a", "B", "ab"],
    "notes": ["a", "ab", "x"],  # not pushable
    "tier": ["a", "AB", "b"],  # a UDF
    "rank": ["a", "b"],  # another UDF
    "created": [
        "2020-01-01T00:00:00Z",
        "2019-12-31T19:00:00-0500",
        "2020-01-02",
        "2020-01-01T12:00:00+02:00",
    ],
    "active": [True, False, 1, 0],
    "type": ["Customer", "lead", "PROSPECT", "Nobody"],
}
STRING_FIELDS = ["name", "city", "notes", "tier", "rank", "type"]
PATTERNS = ["a%", "%b", "%b%", "a%b", "a_", "%", "ab", "_b%", "a\\%", "a\\%%", "%%a", "A", ""]
RECORD_VALUES = {
    "id": [1, 2, 3],
    "count": [0, 1, 5],
    "name": ["", "a", "ab", "AB", "b", "ba", "abc", "a%"],
    "city": ["a", "b", "AB"],
    "notes": ["a", "ab", "x"],
    "tier": ["a", "ab", "B"],
    "rank": ["a", "b"],
    "created": ["2020-01-01T00:00:00Z", "2019-12-31T23:00:00Z", "2020-01-02T00:00:00Z"],
    "active": [True, False],
    "type": ["Customer", "Lead", "Prospect"],
}
OPS = ["=", "!=", "<", ">", "<=", ">="]


def random_record(rng: random.Random) -> dict:
    return {
        field: (None if rng.random() < 0.25 else rng.choice(values))
        for field, values in RECORD_VALUES.items()
    }


def random_literal(rng: random.Random, field: str) -> object:
    value = rng.choice(LITERALS[field])
    return rng.choice(LITERALS["id"]) if value is None else value


def random_predicate(rng: random.Random) -> Expr:
    field = rng.choice(list(LITERALS))
    kind = rng.random()
    if kind < 0.45:
        return Compare(field, rng.choice(OPS), random_literal(rng, field))
    if kind < 0.65 and field in STRING_FIELDS:
        return Like(field, rng.choice(PATTERNS), rng.random() < 0.3)
    if kind < 0.85:
        values = tuple(random_literal(rng, field) for _ in range(rng.randint(1, 3)))
        return In(field, values, rng.random() < 0.4)
    return IsNull(field, rng.random() < 0.5)


def random_expr(rng: random.Random, depth: int) -> Expr:
    roll = rng.random()
    if depth == 0 or roll < 0.3:
        return random_predicate(rng)
    if roll < 0.45:
        return Not(random_expr(rng, depth - 1))
    kind = And if roll < 0.75 else Or
    items: list[Expr] = []
    for _ in range(rng.randint(2, 3)):
        item = random_expr(rng, depth - 1)
        items.extend(item.items if isinstance(item, kind) else [item])  # as the parser flattens
    return kind(tuple(items))


CASES = 600
RECORDS_PER_CASE = 25


@pytest.mark.parametrize("seed", [11, 2024, 31337], ids=lambda s: f"seed {s}")
def test_pushed_filter_and_residual_agree_with_the_whole_expression(seed):
    rng = random.Random(seed)
    records = [random_record(rng) for _ in range(RECORDS_PER_CASE * 4)]
    pushed_something = exact = 0
    for _ in range(CASES):
        expr = random_expr(rng, depth=3)
        assert parse(to_ceql(expr)) == expr, to_ceql(expr)
        split = pushdown(expr, reference.translate)
        udfs = set().union(*(f.udf_fields(item) for item in split.filter))
        assert len(udfs) <= f.MAX_UDF_FIELDS_PER_QUERY, to_ceql(expr)
        pushed_something += bool(split.filter)
        exact += split.residual is None
        for record in rng.sample(records, RECORDS_PER_CASE):
            whole = evaluate(expr, record)
            in_autotask = reference.matches(split.filter, reference.vendor_record(record))
            if whole:
                assert in_autotask, (to_ceql(expr), split.filter, record)
            assert whole == (in_autotask and evaluate(split.residual, record)), (
                to_ceql(expr),
                split.filter,
                split.residual and to_ceql(split.residual),
                record,
            )
    # the generator is not degenerate: a good share is pushed, some of it entirely
    assert pushed_something > CASES // 3
    assert exact > CASES // 10
