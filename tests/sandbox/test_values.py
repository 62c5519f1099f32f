"""Field values between JSON and the store (pure functions)."""

from __future__ import annotations

import pytest

from connector.sandbox.catalog import FieldDef
from connector.sandbox.errors import SandboxError
from connector.sandbox.values import parse_datetime, to_store


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        pytest.param("2020-06-15", "2020-06-15T00:00:00.000Z", id="a date"),
        pytest.param("2030-03-21T00:00:00", "2030-03-21T00:00:00.000Z", id="no zone: UTC"),
        pytest.param("2019-11-05T00:28:25Z", "2019-11-05T00:28:25.000Z", id="Z"),
        pytest.param(
            "2019-11-05T02:28:25+02:00", "2019-11-05T00:28:25.000Z", id="an offset converts to UTC"
        ),
        pytest.param(
            "2019-11-05T00:28:25.1234567Z",
            "2019-11-05T00:28:25.123Z",
            id=".NET's seven fraction digits",
        ),
    ],
)
def test_datetimes_are_stored_as_utc_text(raw, stored):
    assert parse_datetime(raw) == stored


@pytest.mark.parametrize(
    ("data_type", "raw", "stored"),
    [
        pytest.param("integer", "12", 12, id="a numeric string to an integer"),
        pytest.param("boolean", "true", 1, id="a boolean string"),
        pytest.param("boolean", False, 0, id="a boolean"),
        pytest.param("string", "", None, id="a blank string is no value"),
        pytest.param("decimal", "1.5", 1.5, id="a decimal string"),
        pytest.param("long", 2**63 - 1, 2**63 - 1, id="the largest Int64"),
        pytest.param("integer", " -7 ", -7, id="a signed, padded numeric string"),
    ],
)
def test_values_convert_to_their_column(data_type, raw, stored):
    assert to_store(FieldDef(name="f", data_type=data_type), raw) == stored


@pytest.mark.parametrize(
    ("data_type", "raw"),
    [
        pytest.param("integer", "abc", id="text for an integer"),
        pytest.param("integer", 1.5, id="a fraction for an integer"),
        pytest.param("boolean", "maybe", id="text for a boolean"),
        pytest.param("datetime", "yesterday", id="text for a datetime"),
        pytest.param("string", {"a": 1}, id="an object for a string"),
        pytest.param("integer", "\uff11", id="a full-width digit for an integer"),
        pytest.param("integer", "\u00b2", id="a superscript two for an integer"),
        pytest.param("long", 2**63, id="a number just beyond Int64"),
        pytest.param("long", "-9223372036854775809", id="a numeric string below Int64"),
        pytest.param("long", 1e30, id="a whole float beyond Int64"),
        pytest.param("decimal", "\uff11.5", id="full-width digits for a decimal"),
        pytest.param("decimal", "inf", id="infinity for a decimal"),
    ],
)
def test_values_that_do_not_convert_are_a_500(data_type, raw):
    with pytest.raises(SandboxError) as caught:
        to_store(FieldDef(name="f", data_type=data_type), raw)
    assert caught.value.status == 500
