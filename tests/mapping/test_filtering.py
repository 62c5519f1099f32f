from __future__ import annotations

import pytest

from connector.mapping.filtering import admits

TICKET = {
    "id": 5,
    "status": 8,
    "title": "Babel fish",
    "queueID": None,
    "userDefinedFields": [{"name": "Impact", "value": "3"}],
}


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(
            {"op": "eq", "field": "status", "value": "8"}, True, id="a number equals its text"
        ),
        pytest.param(
            {"op": "eq", "field": "Status", "value": 8}, True, id="field names ignore case"
        ),
        pytest.param({"op": "noteq", "field": "status", "value": 8}, False, id="noteq"),
        pytest.param({"op": "in", "field": "status", "value": [1, 8]}, True, id="in"),
        pytest.param({"op": "notIn", "field": "status", "value": [1, 8]}, False, id="notIn"),
        pytest.param({"op": "exist", "field": "queueID"}, False, id="a null does not exist"),
        pytest.param({"op": "notExist", "field": "queueID"}, True, id="notExist"),
        pytest.param(
            {"op": "eq", "field": "queueID", "value": 5}, False, id="null compares with nothing"
        ),
        pytest.param(
            {"op": "beginsWith", "field": "title", "value": "babel"},
            True,
            id="text matches ignore case",
        ),
        pytest.param({"op": "gt", "field": "status", "value": 5}, True, id="an order on numbers"),
        pytest.param(
            {"op": "eq", "field": "Impact", "udf": True, "value": "3"},
            True,
            id="a user-defined field",
        ),
        pytest.param(
            {
                "op": "or",
                "items": [
                    {"op": "eq", "field": "status", "value": 1},
                    {"op": "eq", "field": "id", "value": 5},
                ],
            },
            True,
            id="an or group",
        ),
        pytest.param(
            {
                "op": "and",
                "items": [
                    {"op": "eq", "field": "status", "value": 8},
                    {"op": "eq", "field": "id", "value": 6},
                ],
            },
            False,
            id="an and group",
        ),
    ],
)
def test_admits(item, expected):
    assert admits(item, TICKET) is expected
