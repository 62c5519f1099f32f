from __future__ import annotations

import pytest

from connector.ceql import evaluate, get_path, parse, truth

RECORD = {
    "name": "Acme",
    "city": None,
    "count": 5,
    "amount": "12.50",
    "active": True,
    "flag": 0,
    "created": "2020-01-01T00:00:00Z",
    "notes": "",
    "emails": [{"address": "a@x.com"}, {"address": "b@x.com"}, {"type": "work"}],
    "tags": ["vip", "new"],
    "customFields": {"Tier": "Gold"},
    "a.b c": 7,
    "Addresses": [{"City": "Oslo"}, {}],
    "phones": [],
}


@pytest.mark.parametrize(
    ("where", "matched"),
    [
        pytest.param("name = 'ACME'", True, id="equality ignores case"),
        pytest.param("name != 'acme'", False, id="inequality ignores case"),
        pytest.param("name > 'Ab' and name < 'b'", True, id="string ordering"),
        pytest.param("count = '5'", True, id="a number equals a numeric string"),
        pytest.param("amount > 9", True, id="a numeric string field compares numerically"),
        pytest.param("amount = 12.5", True, id="a decimal against a numeric string"),
        pytest.param("count >= 5 and count <= 5", True, id="inclusive bounds"),
        pytest.param("created > '2019-12-31T18:59:59-0500'", True, id="a date with an offset"),
        pytest.param("created = '2019-12-31T19:00:00-05:00'", True, id="the same instant"),
        pytest.param("created < '2020-01-01'", False, id="a date alone is midnight UTC"),
        pytest.param("active = true", True, id="a boolean"),
        pytest.param("active = 1", True, id="a boolean against 1"),
        pytest.param("flag = false", True, id="0 against false"),
        pytest.param("active != false", True, id="a boolean inequality"),
        pytest.param("city = 'Oslo'", False, id="a comparison with null is not a match"),
        pytest.param("city != 'Oslo'", False, id="!= never matches null"),
        pytest.param("NOT city = 'Oslo'", False, id="NOT of unknown is still not a match"),
        pytest.param("city IN ('Oslo', 'Rome')", False, id="IN does not match null"),
        pytest.param("city NOT IN ('Oslo')", False, id="NOT IN never matches null"),
        pytest.param("city LIKE '%'", False, id="LIKE does not match null"),
        pytest.param("city NOT LIKE 'x%'", False, id="NOT LIKE never matches null"),
        pytest.param("city IS NULL", True, id="IS NULL on None"),
        pytest.param("missing IS NULL", True, id="IS NULL on a missing field"),
        pytest.param("notes IS NULL", False, id="the empty string is not null"),
        pytest.param("notes IS NOT NULL", True, id="the empty string is a value"),
        pytest.param("notes = ''", True, id="the empty string equals ''"),
        pytest.param("city = 'x' OR name = 'Acme'", True, id="unknown OR true is true"),
        pytest.param("city = 'x' AND name = 'Acme'", False, id="unknown AND true is unknown"),
        pytest.param("NOT (city = 'x' AND name = 'Zed')", True, id="NOT(unknown AND false)"),
        pytest.param("NOT (city = 'x' OR name = 'Zed')", False, id="NOT(unknown OR false)"),
        pytest.param("count < 'abc'", False, id="an incomparable pair is unknown"),
        pytest.param("NOT count < 'abc'", False, id="NOT of an incomparable pair is unknown"),
        pytest.param("name LIKE 'ac%'", True, id="LIKE begins with, any case"),
        pytest.param("name LIKE '_cm_'", True, id="LIKE with underscores"),
        pytest.param("name NOT LIKE '%x%'", True, id="NOT LIKE"),
        pytest.param("count LIKE '5'", True, id="LIKE without a wildcard is equality"),
        pytest.param("created LIKE '2020-01-01'", True, id="so a wildcard-free date LIKE is ="),
        pytest.param("active LIKE '%'", True, id="a pattern of % matches any value"),
        pytest.param("count LIKE '%5'", True, id="LIKE on a number reads its digits"),
        pytest.param("active LIKE 't%'", False, id="LIKE on a boolean is unknown"),
        pytest.param("count IN (1, 5)", True, id="IN"),
        pytest.param("count NOT IN (1, 2)", True, id="NOT IN"),
        pytest.param("count IN ('x', 5)", True, id="IN finds a match despite an incomparable"),
        pytest.param("count NOT IN ('x', 4)", False, id="NOT IN with an incomparable is unknown"),
        pytest.param("emails.address = 'B@x.com'", True, id="a path through a list, any element"),
        pytest.param("emails.address != 'a@x.com'", True, id="!= on a list: some element differs"),
        pytest.param("NOT emails.address = 'a@x.com'", False, id="NOT = on a list: none equal"),
        pytest.param("emails.address LIKE '%@y.com'", False, id="no element matches"),
        pytest.param("emails.type IS NOT NULL", True, id="one element has the field"),
        pytest.param("tags = 'VIP'", True, id="a list value matches any element"),
        pytest.param("phones IS NULL", True, id="an empty list is null"),
        pytest.param("phones = 'x'", False, id="an empty list compares as null"),
        pytest.param("customFields.Tier = 'gold'", True, id="a nested object"),
        pytest.param("`a.b c` = 7", True, id="a key holding dots and a space"),
        pytest.param("addresses.city = 'oslo'", True, id="keys match ignoring case"),
        pytest.param("NAME = 'Acme'", True, id="a field name in another case"),
    ],
)
def test_evaluate(where, matched):
    assert evaluate(parse(where), RECORD) is matched


@pytest.mark.parametrize(
    ("where", "value"),
    [
        pytest.param("city = 'x'", None, id="null comparison is unknown"),
        pytest.param("NOT city = 'x'", None, id="NOT unknown is unknown"),
        pytest.param("city = 'x' OR name = 'Zed'", None, id="unknown OR false is unknown"),
        pytest.param("city = 'x' AND name = 'Zed'", False, id="unknown AND false is false"),
        pytest.param("city IS NULL", True, id="IS NULL is never unknown"),
        pytest.param("name != 'Zed'", True, id="a known inequality"),
    ],
)
def test_three_valued_truth(where, value):
    assert truth(parse(where), RECORD, get_path) is value


def test_no_condition_matches_everything():
    assert evaluate(None, {}) is True


def test_a_custom_getter_is_used():
    def upper_getter(record: dict, field: str) -> object:
        return record.get(field.upper())

    assert evaluate(parse("name = 'x'"), {"NAME": "X"}, upper_getter) is True
    assert evaluate(parse("name = 'x'"), {"name": "X"}, upper_getter) is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("name", "Acme", id="a top-level key"),
        pytest.param("customFields.Tier", "Gold", id="a dotted path"),
        pytest.param("a.b c", 7, id="a whole key with a dot wins over splitting"),
        pytest.param(
            "emails.address", ["a@x.com", "b@x.com"], id="through a list, missing left out"
        ),
        pytest.param("customFields.Nope", None, id="a missing leaf"),
        pytest.param("name.first", None, id="a path through a string"),
    ],
)
def test_get_path(field, value):
    assert get_path(RECORD, field) == value
