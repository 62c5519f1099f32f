"""Why a predicate stayed local: one reason per predicate, as plain functions."""

from __future__ import annotations

import pytest

from connector import ceql
from connector.autotask import filters as f
from connector.ceql.reasons import not_pushed, residual_parts


def translate(field: str, op: str, value):
    if field == "fullName":
        raise f.NotPushable(field)
    return f.condition(op, field, value, udf=field.startswith("udf"))


def reasons(where: str) -> list[list[str]]:
    residual = ceql.pushdown(ceql.parse(where), translate).residual
    return [not_pushed(part, translate) for part in residual_parts(residual)]


COMPUTED = "Autotask cannot filter on fullName (its value is made by the connector)"
UDF = "Autotask takes at most 1 user-defined field(s) in one query; another one was sent"
OR = "an OR is sent to Autotask only when every branch can be sent exactly"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param("name = 'a' and id > 3", [], id="all pushed: no reasons"),
        pytest.param(
            "fullName = 'Ada Lovelace'",
            [[f"fullName = 'Ada Lovelace': {COMPUTED}"]],
            id="a field the map computes",
        ),
        pytest.param(
            "name not like 'A%'",
            [["name NOT LIKE 'A%': Autotask has no NOT LIKE"]],
            id="NOT LIKE",
        ),
        pytest.param(
            "udf1 = 1 and udf2 = 2",
            [[f"udf2 = 2: {UDF}, so this one is checked here"]],
            id="the second user-defined field",
        ),
        pytest.param(
            "not (name = 'a' and fullName = 'b')",
            [
                [
                    f"NOT (fullName = 'b'): {COMPUTED}",
                    f"NOT ((name = 'a') AND (fullName = 'b')): {OR}",
                ]
            ],
            id="NOT over AND is an OR with a branch that cannot be sent",
        ),
    ],
)
def test_reasons(where, expected):
    assert reasons(where) == expected


def test_a_like_pattern_without_an_operator_says_its_fixed_parts_were_sent():
    [[reason]] = reasons("name like 'a%b'")
    assert reason.startswith("name LIKE 'a%b': Autotask has no operator for this pattern")
    assert "wider filter" in reason


def test_an_in_list_past_the_limit():
    values = ", ".join(str(i) for i in range(f.MAX_OR_CONDITIONS + 1))
    [[reason]] = reasons(f"id in ({values})")
    assert reason.endswith(f"Autotask takes at most {f.MAX_OR_CONDITIONS} values in one IN list")
