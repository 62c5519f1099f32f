"""Which types convert, and how values cross in each direction."""

from __future__ import annotations

import pytest

from connector.virtual import convert


@pytest.mark.parametrize(
    ("virtual", "base", "ok"),
    [
        pytest.param("string", "number", True, id="a number reads as text"),
        pytest.param("number", "string", True, id="text may hold a number"),
        pytest.param("boolean", "number", True, id="0 and 1 are booleans"),
        pytest.param("date", "string", True, id="text may hold a date"),
        pytest.param("date", "number", False, id="a number is no date"),
        pytest.param("number", "date", False, id="a date is no number"),
        pytest.param("boolean", "date", False, id="a date is no boolean"),
        pytest.param("string", "array", False, id="a list is no text"),
        pytest.param("string", "object", False, id="an object is no text"),
        pytest.param("number", None, True, id="an unknown base type is not refused"),
    ],
)
def test_converts(virtual, base, ok):
    assert convert.converts(virtual, base) is ok


@pytest.mark.parametrize(
    ("value", "virtual", "expected"),
    [
        pytest.param(42, "string", "42", id="number to text"),
        pytest.param(2.0, "string", "2", id="a whole float prints without .0"),
        pytest.param(True, "string", "true", id="boolean to text"),
        pytest.param("17", "number", 17, id="numeric text to number"),
        pytest.param("abc", "number", None, id="text that is no number reads null"),
        pytest.param(1, "boolean", True, id="1 is true"),
        pytest.param("FALSE", "boolean", False, id="boolean words in any case"),
        pytest.param("2024-01-02T03:04:05Z", "date", "2024-01-02T03:04:05Z", id="a date stays"),
        pytest.param("soon", "date", None, id="text that is no date reads null"),
        pytest.param(["1", "x"], "number", [1, None], id="each value of a list"),
        pytest.param({"a": 1}, "string", None, id="an object reads null"),
    ],
)
def test_to_virtual(value, virtual, expected):
    assert convert.to_virtual(value, virtual) == expected


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        pytest.param(5, "string", "5", id="number written as text"),
        pytest.param("12", "number", 12, id="numeric text written as number"),
        pytest.param(True, "number", 1, id="boolean written as 1"),
        pytest.param("x", None, "x", id="an unknown base type takes the value as is"),
    ],
)
def test_to_base(value, base, expected):
    assert convert.to_base(value, base, "f") == expected


@pytest.mark.parametrize(
    ("value", "base"),
    [
        pytest.param("abc", "number", id="text that is no number"),
        pytest.param("maybe", "boolean", id="a word that is no boolean"),
        pytest.param("tomorrow", "date", id="text that is no date"),
        pytest.param([1], "string", id="a list for a scalar"),
    ],
)
def test_to_base_refuses_naming_the_field(value, base):
    with pytest.raises(convert.ConversionError, match="^company:"):
        convert.to_base(value, base, "company")


@pytest.mark.parametrize(
    ("value", "virtual"),
    [
        pytest.param(5, "string", id="a number for a string field"),
        pytest.param("5", "number", id="text for a number field"),
        pytest.param(1, "boolean", id="1 for a boolean field"),
        pytest.param("next week", "date", id="text that is no date for a date field"),
    ],
)
def test_body_values_must_have_their_virtual_type(value, virtual):
    with pytest.raises(convert.ConversionError):
        convert.check_written(value, virtual, "f")
