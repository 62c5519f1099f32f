from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.ceql.values import compare, like_matches, parse_datetime, utc_iso


@pytest.mark.parametrize(
    ("actual", "literal", "order"),
    [
        pytest.param("acme", "ACME", 0, id="strings ignore case"),
        pytest.param("apple", "Banana", -1, id="strings order ignoring case"),
        pytest.param(10, 9, 1, id="integers"),
        pytest.param(2.5, 2, 1, id="a float and an integer"),
        pytest.param("10", 9, 1, id="a numeric string against a number compares numerically"),
        pytest.param(10, "9", 1, id="a number against a numeric string compares numerically"),
        pytest.param("10", "9", -1, id="two numeric strings compare as text"),
        pytest.param("abc", 5, None, id="a word against a number is incomparable"),
        pytest.param(
            "2012-05-25T16:13:29Z", "2012-05-25T11:13:29-0500", 0, id="offsets are normalized"
        ),
        pytest.param("2012-05-25T16:13:30Z", "2012-05-25T11:13:29-05:00", 1, id="offset w/ colon"),
        pytest.param("2020-06-15T00:00:00", "2020-06-15", 0, id="a date is midnight UTC"),
        pytest.param("2019-11-05T00:28:25.000Z", "2019-11-05T00:28:25", 0, id="milliseconds"),
        pytest.param("2020-06-15", "2020-6-15", -1, id="a non-ISO date compares as text"),
        pytest.param(True, True, 0, id="booleans"),
        pytest.param(1, True, 0, id="1 is true"),
        pytest.param(True, 0, 1, id="true is more than 0"),
        pytest.param("false", False, 0, id="the string false"),
        pytest.param(2, True, None, id="2 is not a boolean"),
        pytest.param(None, 1, None, id="null is incomparable"),
        pytest.param({"a": 1}, "x", None, id="an object is incomparable"),
    ],
)
def test_compare(actual, literal, order):
    assert compare(actual, literal) == order


@pytest.mark.parametrize(
    ("text", "pattern", "matched"),
    [
        pytest.param("Acme Inc", "acme%", True, id="percent at the end, any case"),
        pytest.param("Acme Inc", "%INC", True, id="percent at the start"),
        pytest.param("Acme Inc", "%me i%", True, id="contains"),
        pytest.param("Acme Inc", "a%c", True, id="percent in the middle"),
        pytest.param("Acme", "a_me", True, id="underscore is one character"),
        pytest.param("Acme", "a_e", False, id="underscore is exactly one character"),
        pytest.param("100%", "100\\%", True, id="an escaped percent is literal"),
        pytest.param("1000", "100\\%", False, id="an escaped percent is not a wildcard"),
        pytest.param("a_b", "a\\_b", True, id="an escaped underscore"),
        pytest.param("line\nbreak", "line%", True, id="percent spans newlines"),
        pytest.param("a.c", "a.c", True, id="regex characters are literal"),
        pytest.param("abc", "a.c", False, id="a dot is not a wildcard"),
    ],
)
def test_like_matches(text, pattern, matched):
    assert like_matches(text, pattern) is matched


def test_parse_datetime_and_utc_iso():
    assert parse_datetime("2012-05-25T11:13:29-0500") == datetime(
        2012, 5, 25, 16, 13, 29, tzinfo=UTC
    )
    assert parse_datetime("20120525") is None  # basic format is not taken for a date
    assert parse_datetime("2020-13-01") is None
    assert parse_datetime(7) is None
    assert utc_iso("2012-05-25T11:13:29-0500") == "2012-05-25T16:13:29Z"
    assert utc_iso("2020-06-15") == "2020-06-15T00:00:00Z"
    assert utc_iso("soon") is None
