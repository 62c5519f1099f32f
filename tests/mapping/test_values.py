from __future__ import annotations

import pytest

from connector.mapping.values import VALUE_TYPES


@pytest.mark.parametrize(
    ("kind", "raw", "normalized"),
    [
        pytest.param(
            "datetime",
            "2019-11-05T00:28:25.000Z",
            "2019-11-05T00:28:25Z",
            id="Autotask's milliseconds of zero are dropped",
        ),
        pytest.param(
            "datetime",
            "2019-11-05T00:28:25.5Z",
            "2019-11-05T00:28:25.500Z",
            id="milliseconds are kept",
        ),
        pytest.param(
            "datetime", "2019-11-05T00:28:25", "2019-11-05T00:28:25Z", id="no offset is UTC"
        ),
        pytest.param(
            "datetime",
            "2019-11-05T02:28:25+02:00",
            "2019-11-05T00:28:25Z",
            id="an offset is turned to UTC",
        ),
        pytest.param("date", "2015-04-01T00:00:00Z", "2015-04-01", id="a date from a datetime"),
        pytest.param("intBoolean", 1, True, id="1 is true"),
        pytest.param("intBoolean", 0, False, id="0 is false"),
        pytest.param("number", "12.5", 12.5, id="a decimal sent as text"),
        pytest.param("integer", 7.0, 7, id="a whole float is an integer"),
        pytest.param("string", 1042, "1042", id="a number where text is expected"),
        pytest.param("datetime", None, None, id="null stays null"),
    ],
)
def test_read(kind, raw, normalized):
    assert VALUE_TYPES[kind].read(raw) == normalized


@pytest.mark.parametrize(
    ("kind", "literal"),
    [
        pytest.param("integer", True, id="a boolean is not an integer"),
        pytest.param("integer", 1.5, id="a fraction is not an integer"),
        pytest.param("boolean", "maybe", id="maybe is not a boolean"),
        pytest.param("datetime", "yesterday", id="not a date"),
    ],
)
def test_literal_refuses(kind, literal):
    with pytest.raises(ValueError):
        VALUE_TYPES[kind].literal(literal)
