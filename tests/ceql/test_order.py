from __future__ import annotations

import pytest

from connector.ceql import (
    MAX_LOCAL_SORT_ROWS,
    is_native_order,
    parse_fields,
    parse_order_by,
    sort_records,
)
from connector.errors import BadRequestError, QuerySyntaxError


@pytest.mark.parametrize(
    ("text", "order"),
    [
        pytest.param("name desc, id", [("name", True), ("id", False)], id="the documented example"),
        pytest.param("name", [("name", False)], id="ascending by default"),
        pytest.param("name ASC", [("name", False)], id="ASC in capitals"),
        pytest.param("name Desc", [("name", True)], id="DESC in any case"),
        pytest.param("addresses.city desc", [("addresses.city", True)], id="a dotted name"),
        pytest.param("`desc` desc", [("desc", True)], id="a backticked name that looks like DESC"),
        pytest.param("`a b`,c", [("a b", False), ("c", False)], id="backticks and no spaces"),
        pytest.param("in", [("in", False)], id="a keyword is a field name here"),
        pytest.param("", [], id="empty means no order"),
        pytest.param(None, [], id="absent means no order"),
    ],
)
def test_parse_order_by(text, order):
    assert parse_order_by(text) == order


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        pytest.param(
            "name sideways", 6, "ASC, DESC, ',' or end of input", id="an unknown direction"
        ),
        pytest.param("name,", 6, "a field name", id="a trailing comma"),
        pytest.param(",name", 1, "a field name", id="a leading comma"),
        pytest.param("name desc desc", 11, "ASC, DESC, ',' or end of input", id="two directions"),
        pytest.param("name; drop", 5, "a field name, a value, an operator", id="a semicolon"),
        pytest.param("'name'", 1, "a field name", id="a quoted string"),
    ],
)
def test_parse_order_by_errors(text, position, expected):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_order_by(text)
    assert caught.value.status == 400
    assert caught.value.position == position
    assert caught.value.expected.startswith(expected)
    assert caught.value.message.startswith(f"orderBy syntax error at position {position}")


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        pytest.param("id,name, addresses.city", ["id", "name", "addresses.city"], id="the example"),
        pytest.param("name,id,name", ["name", "id"], id="repeats are dropped"),
        pytest.param("`a,b`", ["a,b"], id="a backticked name with a comma"),
        pytest.param(" ", [], id="blank means all fields"),
    ],
)
def test_parse_fields(text, fields):
    assert parse_fields(text) == fields


@pytest.mark.parametrize(
    ("text", "position"),
    [
        pytest.param("id,,name", 4, id="an empty item"),
        pytest.param("id name", 4, id="a missing comma"),
        pytest.param("id,", 4, id="a trailing comma"),
        pytest.param("*", 1, id="a star"),
    ],
)
def test_parse_fields_errors(text, position):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_fields(text)
    assert caught.value.position == position
    assert caught.value.message.startswith(f"fields syntax error at position {position}")


ROWS = [
    {"id": 1, "name": "beta", "amount": 10, "created": "2020-01-02T00:00:00Z"},
    {"id": 2, "name": None, "amount": 9, "created": "2020-01-01T20:00:00-0500"},
    {"id": 3, "name": "Alpha", "amount": None, "created": None},
    {"id": 4, "name": "alpha", "amount": 100, "created": "2019-12-31T00:00:00Z"},
    {"id": 5, "name": "Gamma", "amount": 9, "created": "2020-01-01T00:00:00Z"},
]


@pytest.mark.parametrize(
    ("order", "ids"),
    [
        pytest.param([("name", False)], [3, 4, 1, 5, 2], id="case-insensitive, stable, null last"),
        pytest.param(
            [("name", True)], [5, 1, 3, 4, 2], id="descending keeps ties stable, null last"
        ),
        pytest.param([("amount", False)], [2, 5, 1, 4, 3], id="numbers numerically, not as text"),
        pytest.param([("amount", True), ("id", True)], [4, 1, 5, 2, 3], id="two keys"),
        pytest.param([("created", False)], [4, 5, 1, 2, 3], id="dates as instants, offsets too"),
        pytest.param([("missing", True)], [1, 2, 3, 4, 5], id="a missing field keeps the order"),
    ],
)
def test_sort_records(order, ids):
    assert [row["id"] for row in sort_records(ROWS, order)] == ids


def test_sort_records_mixed_types_and_lists():
    rows = [{"v": "x"}, {"v": 2}, {"v": True}, {"v": ["b", "a"]}, {"v": []}, {"v": "2020-01-01"}]
    assert [r["v"] for r in sort_records(rows, [("v", False)])] == [
        True,
        2,
        "2020-01-01",
        ["b", "a"],
        "x",
        [],
    ]


def test_sort_records_refuses_past_the_bound_and_says_so():
    def rows():
        for n in range(MAX_LOCAL_SORT_ROWS * 10):
            yield {"id": n}

    assert len(sort_records(({"id": n} for n in range(50)), [("id", True)], limit=50)) == 50
    with pytest.raises(BadRequestError) as caught:
        sort_records(rows(), [("name", False)])
    assert caught.value.status == 400
    assert f"at most {MAX_LOCAL_SORT_ROWS} matching records" in caught.value.message
    assert "name" in caught.value.message


@pytest.mark.parametrize(
    ("order", "native"),
    [
        pytest.param([], True, id="no order"),
        pytest.param([("id", False)], True, id="id ascending"),
        pytest.param([("ID", False)], True, id="id in capitals"),
        pytest.param([("id", True)], False, id="id descending"),
        pytest.param([("name", False)], False, id="another field"),
        pytest.param([("id", False), ("name", True)], True, id="keys after id change nothing"),
        pytest.param([("name", False), ("id", False)], False, id="another field, then id"),
    ],
)
def test_is_native_order(order, native):
    assert is_native_order(order) is native
