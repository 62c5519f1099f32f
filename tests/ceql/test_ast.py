from __future__ import annotations

import pytest

from connector.ceql import (
    And,
    Compare,
    In,
    IsNull,
    Like,
    Not,
    Or,
    parse,
    referenced_fields,
    to_ceql,
)


@pytest.mark.parametrize(
    "tree",
    [
        pytest.param(
            Compare("name", "=", "O'Brien \\ co"), id="a string with a quote and backslash"
        ),
        pytest.param(Compare("a.b c", ">=", -1.5), id="a name that needs backticks"),
        pytest.param(Compare("or", "=", 1), id="a keyword as a name"),
        pytest.param(Compare("x`y", "=", True), id="a backtick inside a name"),
        pytest.param(Compare("amount", "<", 1e-05), id="a small float"),
        pytest.param(Like("name", "100\\%%", True), id="NOT LIKE with an escape"),
        pytest.param(In("id", (1, "two", False), True), id="NOT IN with mixed values"),
        pytest.param(IsNull("email", True), id="IS NOT NULL"),
        pytest.param(
            Not(Or((And((Compare("a", "=", 1), Not(IsNull("b")))), Compare("c", "!=", "x")))),
            id="nested groups under NOT",
        ),
    ],
)
def test_to_ceql_reads_back_as_the_same_tree(tree):
    assert parse(to_ceql(tree)) == tree


def test_referenced_fields_in_first_use_order_without_repeats():
    expr = parse("b = 1 and (a is null or not b in (1)) and c.d like 'x%'")
    assert referenced_fields(expr) == ["b", "a", "c.d"]
    assert referenced_fields(None) == []


def test_an_unknown_operator_cannot_be_built():
    with pytest.raises(ValueError, match="=="):
        Compare("a", "==", 1)
