from __future__ import annotations

import pytest

from connector.ceql import MAX_NESTING, And, Compare, In, IsNull, Like, Not, Or, parse
from connector.errors import BadRequestError, QuerySyntaxError


@pytest.mark.parametrize(
    ("where", "tree"),
    [
        pytest.param("name = 'Acme'", Compare("name", "=", "Acme"), id="equality with a string"),
        pytest.param("id != 4", Compare("id", "!=", 4), id="inequality with an integer"),
        pytest.param("id <> 4", Compare("id", "!=", 4), id="SQL's <> is read as !="),
        pytest.param("id < 4", Compare("id", "<", 4), id="less than"),
        pytest.param("id > 4", Compare("id", ">", 4), id="greater than"),
        pytest.param("id <= 4", Compare("id", "<=", 4), id="less or equal"),
        pytest.param("id >= 4", Compare("id", ">=", 4), id="greater or equal"),
        pytest.param("id>=4", Compare("id", ">=", 4), id="no spaces are needed"),
        pytest.param("amount > -2.5", Compare("amount", ">", -2.5), id="a negative decimal"),
        pytest.param("amount=-3", Compare("amount", "=", -3), id="a negative integer after ="),
        pytest.param("amount < 2e3", Compare("amount", "<", 2000.0), id="an exponent"),
        pytest.param("isActive = TRUE", Compare("isActive", "=", True), id="true in capitals"),
        pytest.param("isActive = fAlSe", Compare("isActive", "=", False), id="false in any case"),
        pytest.param("name = 'O''Brien'", Compare("name", "=", "O'Brien"), id="a doubled quote"),
        pytest.param(r"name = 'O\'Brien'", Compare("name", "=", "O'Brien"), id="a backslash quote"),
        pytest.param(
            r"path = 'C:\\dir'", Compare("path", "=", "C:\\dir"), id="an escaped backslash"
        ),
        pytest.param(
            r"path = 'C:\dir'", Compare("path", "=", "C:\\dir"), id="a lone backslash is kept"
        ),
        pytest.param("name = ''", Compare("name", "=", ""), id="the empty string"),
        pytest.param(
            "name = 'a and b'", Compare("name", "=", "a and b"), id="keywords in a string"
        ),
        pytest.param(
            "name = 'Zoë 東京'", Compare("name", "=", "Zoë 東京"), id="unicode in a string"
        ),
        pytest.param(
            "addresses.city = 'Oslo'", Compare("addresses.city", "=", "Oslo"), id="a dotted name"
        ),
        pytest.param(
            "`a.b c` = 1", Compare("a.b c", "=", 1), id="a backticked name keeps dots and spaces"
        ),
        pytest.param("`in` = 1", Compare("in", "=", 1), id="a backticked keyword is a name"),
        pytest.param("`a``b` = 1", Compare("a`b", "=", 1), id="a doubled backtick in a name"),
        pytest.param("notes = 1", Compare("notes", "=", 1), id="a name starting with a keyword"),
        pytest.param("name LIKE 'Ac%'", Like("name", "Ac%"), id="LIKE"),
        pytest.param("name not like '%x'", Like("name", "%x", True), id="NOT LIKE in lower case"),
        pytest.param(r"name LIKE '100\%'", Like("name", "100\\%"), id="a LIKE escape is kept"),
        pytest.param("id IN (1, 2,3)", In("id", (1, 2, 3)), id="IN"),
        pytest.param("type in ('a')", In("type", ("a",)), id="IN with one value"),
        pytest.param("id NOT IN (1,'x')", In("id", (1, "x"), True), id="NOT IN with mixed values"),
        pytest.param("email IS NULL", IsNull("email"), id="IS NULL"),
        pytest.param("email is not null", IsNull("email", True), id="IS NOT NULL in lower case"),
        pytest.param("NOT a = 1", Not(Compare("a", "=", 1)), id="NOT before a predicate"),
        pytest.param(
            "not not a = 1", Not(Not(Compare("a", "=", 1))), id="a double NOT is kept as written"
        ),
        pytest.param("((a = 1))", Compare("a", "=", 1), id="redundant parentheses"),
    ],
)
def test_parses_each_construct(where, tree):
    assert parse(where) == tree


A, B, C = Compare("a", "=", 1), Compare("b", "=", 2), Compare("c", "=", 3)


@pytest.mark.parametrize(
    ("where", "tree"),
    [
        pytest.param(
            "a = 1 OR b = 2 AND c = 3", Or((A, And((B, C)))), id="AND binds tighter than OR"
        ),
        pytest.param("a = 1 AND b = 2 OR c = 3", Or((And((A, B)), C)), id="AND first, then OR"),
        pytest.param("(a = 1 OR b = 2) AND c = 3", And((Or((A, B)), C)), id="parentheses win"),
        pytest.param("NOT a = 1 AND b = 2", And((Not(A), B)), id="NOT binds tighter than AND"),
        pytest.param("NOT (a = 1 AND b = 2)", Not(And((A, B))), id="NOT over a group"),
        pytest.param("a = 1 and b = 2 and c = 3", And((A, B, C)), id="a chain of AND is flat"),
        pytest.param("a = 1 or (b = 2 or c = 3)", Or((A, B, C)), id="nested OR is flattened"),
        pytest.param(
            "lastActivityDate > '2012-05-25T11:13:29-0500' and "
            "(lastName = 'Eckle' or lastName = 'Schrage')",
            And(
                (
                    Compare("lastActivityDate", ">", "2012-05-25T11:13:29-0500"),
                    Or((Compare("lastName", "=", "Eckle"), Compare("lastName", "=", "Schrage"))),
                )
            ),
            id="the Cloud Elements Autotask contacts test",
        ),
    ],
)
def test_precedence_and_grouping(where, tree):
    assert parse(where) == tree


@pytest.mark.parametrize("where", [None, "", "   \t\n"], ids=["none", "empty", "blank"])
def test_blank_where_means_no_condition(where):
    assert parse(where) is None


@pytest.mark.parametrize(
    ("where", "position", "expected", "found"),
    [
        pytest.param("name = 'Acme", 8, "a closing '", "end of input", id="unclosed quote"),
        pytest.param("name = 'it''s", 8, "a closing '", "end of input", id="unclosed after ''"),
        pytest.param("`name = 1", 1, "a closing `", "end of input", id="unclosed backtick"),
        pytest.param(
            "`` = 1", 1, "a field name between the backticks", "an empty name", id="empty backticks"
        ),
        pytest.param("name =", 7, "a value after '='", "end of input", id="missing value"),
        pytest.param(
            "name = and b = 1",
            8,
            "a value after '='",
            "the keyword AND",
            id="a keyword instead of a value",
        ),
        pytest.param(
            "name = other", 8, "a value after '='", "the name other", id="a name instead of a value"
        ),
        pytest.param(
            "name = null", 8, "a value after '='", "NULL (write IS NULL", id="null outside IS NULL"
        ),
        pytest.param("name == 'x'", 6, "an operator (=, !=", "'=='", id="unknown operator =="),
        pytest.param(
            "name ~ 'x'", 6, "a field name, a value, an operator", "'~'", id="an unknown character"
        ),
        pytest.param("name 'x'", 6, "an operator", "the string 'x'", id="missing operator"),
        pytest.param("name", 5, "an operator", "end of input", id="a name alone"),
        pytest.param(
            'name = "x"',
            8,
            "a single-quoted string",
            "'\"' (CEQL strings use single quotes)",
            id="double quotes",
        ),
        pytest.param(
            "a = 1 AND", 10, "a field name, NOT or '(' after AND", "end of input", id="dangling AND"
        ),
        pytest.param("a = 1 or", 9, "after OR", "end of input", id="dangling OR"),
        pytest.param(
            "AND a = 1", 1, "a field name, NOT or '('", "the keyword AND", id="leading AND"
        ),
        pytest.param("a = 1 AND OR b = 2", 11, "after AND", "the keyword OR", id="AND OR"),
        pytest.param("NOT", 4, "after NOT", "end of input", id="NOT alone"),
        pytest.param(
            "(a = 1",
            7,
            "')' to close the '(' at position 1",
            "end of input",
            id="unclosed parenthesis",
        ),
        pytest.param(
            "((a = 1)",
            9,
            "')' to close the '(' at position 1",
            "end of input",
            id="one of two parentheses unclosed",
        ),
        pytest.param(
            "a = 1)",
            6,
            "AND, OR or end of input",
            "')' without a matching '('",
            id="an extra closing parenthesis",
        ),
        pytest.param("()", 2, "a field name, NOT or '(' after '('", "')'", id="empty parentheses"),
        pytest.param(
            "a = 1 b = 2",
            7,
            "AND, OR or end of input",
            "the name b",
            id="two predicates without AND",
        ),
        pytest.param("id IN ()", 8, "a value in the IN list", "')'", id="empty IN list"),
        pytest.param("id IN (1,)", 10, "a value after ','", "')'", id="trailing comma in IN"),
        pytest.param(
            "id IN (1 2)", 10, "',' or ')' in the IN list", "the number 2", id="missing comma in IN"
        ),
        pytest.param("id IN (1, 2", 12, "',' or ')'", "end of input", id="unclosed IN list"),
        pytest.param("id IN 1", 7, "'(' to open the IN list", "the number 1", id="IN without ("),
        pytest.param(
            "name LIKE 5",
            11,
            "a quoted pattern after LIKE",
            "the number 5",
            id="LIKE with a number",
        ),
        pytest.param("name NOT = 'x'", 10, "LIKE or IN after NOT", "'='", id="NOT before ="),
        pytest.param(
            "email IS", 9, "NULL or NOT NULL after IS", "end of input", id="IS without NULL"
        ),
        pytest.param(
            "email IS NOT 'x'", 14, "NULL after IS NOT", "the string 'x'", id="IS NOT without NULL"
        ),
        pytest.param("id = 5abc", 6, "a number", "'5abc'", id="a malformed number"),
        pytest.param("id = 1.2.3", 6, "a number", "'1.2.3'", id="a number with two points"),
        pytest.param("'x' = name", 1, "a field name", "the string 'x'", id="value first"),
    ],
)
def test_syntax_errors_name_position_and_expectation(where, position, expected, found):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(where)
    error = caught.value
    assert isinstance(error, BadRequestError) and error.status == 400
    assert error.position == position
    assert expected in error.expected
    assert error.message.startswith(f"CEQL syntax error at position {position}: expected ")
    assert f"found {found}" in error.message


def test_the_message_reads_as_documented():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("lastName = 'x' and firstName =")
    assert caught.value.message == (
        "CEQL syntax error at position 31: expected a value after '=' "
        "(a quoted string, a number, true or false), found end of input"
    )


def test_a_long_string_is_shortened_in_the_message():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("name 'abcdefghijklmnopqrstuvwxyz'")
    assert "found the string 'abcdefghijklmnopqrs...'" in caught.value.message


def test_nesting_is_bounded_but_generous():
    deep_ok = "(" * MAX_NESTING + "a = 1" + ")" * MAX_NESTING
    assert parse(deep_ok) == Compare("a", "=", 1)
    too_deep = "NOT " * (MAX_NESTING + 1) + "a = 1"
    with pytest.raises(QuerySyntaxError) as caught:
        parse(too_deep)
    assert caught.value.position == 4 * MAX_NESTING + 1
    assert "nested" in caught.value.message


def test_keywords_are_case_insensitive_everywhere():
    mixed = "a = 1 And NoT b iS nOt NuLl Or c LiKe 'x' oR d nOt In (TRUE)"
    assert parse(mixed) == Or(
        (
            And((A, Not(IsNull("b", True)))),
            Like("c", "x"),
            In("d", (True,), True),
        )
    )
