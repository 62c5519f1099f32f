"""The filter grammar (reference section 3.3), checked against a Python reading of the same
rows: every operator, nested groups, UDFs, case-insensitivity and null semantics."""

from __future__ import annotations

import pytest


def udf(record, name):
    return next(u["value"] for u in record["userDefinedFields"] if u["name"] == name)


def low(value):
    return value.lower() if isinstance(value, str) else value


CASES = [
    pytest.param(
        [{"op": "eq", "field": "lastName", "value": "LARSEN"}],
        lambda r: low(r["lastName"]) == "larsen",
        id="eq ignores case",
    ),
    pytest.param(
        [{"op": "noteq", "field": "mobilePhone", "value": "x"}],
        lambda r: r["mobilePhone"] is not None,
        id="noteq never matches null",
    ),
    pytest.param(
        [{"op": "gt", "field": "id", "value": 30682010}],
        lambda r: r["id"] > 30682010,
        id="gt on ids",
    ),
    pytest.param(
        [{"op": "lte", "field": "createDate", "value": "2025-06-01T00:00:00"}],
        lambda r: r["createDate"] <= "2025-06-01T00:00:00.000Z",
        id="lte on datetimes",
    ),
    pytest.param(
        [{"op": "gte", "field": "createDate", "value": "2025-06-01"}],
        lambda r: r["createDate"] >= "2025-06-01",
        id="gte with a date only",
    ),
    pytest.param(
        [{"op": "beginsWith", "field": "firstName", "value": "j"}],
        lambda r: low(r["firstName"]).startswith("j"),
        id="beginsWith",
    ),
    pytest.param(
        [{"op": "endsWith", "field": "emailAddress", "value": ".COM"}],
        lambda r: low(r["emailAddress"] or "").endswith(".com"),
        id="endsWith",
    ),
    pytest.param(
        [{"op": "contains", "field": "title", "value": "manager"}],
        lambda r: "manager" in low(r["title"] or ""),
        id="contains",
    ),
    pytest.param(
        [{"op": "contains", "field": "title", "value": "%"}],
        lambda r: "%" in (r["title"] or ""),
        id="contains treats % literally",
    ),
    pytest.param(
        [{"op": "exist", "field": "mobilePhone"}],
        lambda r: r["mobilePhone"] is not None,
        id="exist",
    ),
    pytest.param(
        [{"op": "notExist", "field": "mobilePhone"}],
        lambda r: r["mobilePhone"] is None,
        id="notExist",
    ),
    pytest.param(
        [{"op": "in", "field": "namePrefix", "value": [1, 2]}],
        lambda r: r["namePrefix"] in (1, 2),
        id="in",
    ),
    pytest.param(
        [{"op": "notIn", "field": "namePrefix", "value": [1, 2]}],
        lambda r: r["namePrefix"] is not None and r["namePrefix"] not in (1, 2),
        id="notIn never matches null",
    ),
    pytest.param(
        [{"op": "eq", "field": "isActive", "value": 0}],
        lambda r: r["isActive"] == 0,
        id="integer isActive",
    ),
    pytest.param(
        [{"op": "eq", "field": "primaryContact", "value": True}],
        lambda r: r["primaryContact"] is True,
        id="booleans as true/false",
    ),
    pytest.param(
        [
            {
                "op": "or",
                "items": [
                    {"op": "eq", "field": "namePrefix", "value": 1},
                    {
                        "op": "and",
                        "items": [
                            {"op": "exist", "field": "mobilePhone"},
                            {"op": "beginsWith", "field": "lastName", "value": "m"},
                        ],
                    },
                ],
            }
        ],
        lambda r: (
            r["namePrefix"] == 1
            or (r["mobilePhone"] is not None and low(r["lastName"]).startswith("m"))
        ),
        id="nested or and and groups",
    ),
    pytest.param(
        [{"op": "exist", "field": "id"}, {"op": "lt", "field": "id", "value": 30682005}],
        lambda r: r["id"] < 30682005,
        id="the top-level array is an AND",
    ),
    pytest.param(
        [{"op": "eq", "field": "Preferred Language", "udf": True, "value": "2"}],
        lambda r: udf(r, "Preferred Language") == "2",
        id="a picklist UDF",
    ),
    pytest.param(
        [{"op": "noteq", "field": "preferred language", "udf": True, "value": "2"}],
        lambda r: udf(r, "Preferred Language") not in (None, "2"),
        id="noteq on a UDF skips unset values",
    ),
    pytest.param(
        [{"op": "exist", "field": "ExternalContactID", "udf": True}],
        lambda r: udf(r, "ExternalContactID") is not None,
        id="exist on a UDF",
    ),
    pytest.param(
        [{"op": "beginswith", "field": "ExternalContactID", "udf": True, "value": "crm-"}],
        lambda r: low(udf(r, "ExternalContactID") or "").startswith("crm-"),
        id="operators and UDF values ignore case",
    ),
    pytest.param(
        [
            {"op": "eq", "field": "id", "value": 30682003},
            {"op": "bogus", "field": "id", "value": 1},
        ],
        lambda r: r["id"] == 30682003,
        id="an unknown operator drops only itself",
    ),
]


@pytest.mark.parametrize(("filter_items", "predicate"), CASES)
def test_filter_matches_the_python_reading(make_sandbox, filter_items, predicate):
    box = make_sandbox(seed_counts={"Contacts": 120})
    everyone = [box.record("Contacts", i) for i in box.ids("Contacts")]
    expected = [r["id"] for r in everyone if predicate(r)]
    answer = box.call("POST", "Contacts/query", json={"filter": filter_items})
    assert answer.status_code == 200, answer.text
    assert [item["id"] for item in answer.json()["items"]] == expected
    assert expected or filter_items[0]["op"] == "contains"  # the case is not vacuous


def test_a_non_queryable_field_is_a_500(sandbox):
    answer = sandbox.call(
        "POST", "Tickets/query", json={"filter": [{"op": "eq", "field": "creatorType", "value": 1}]}
    )
    assert answer.status_code == 500 and "not queryable" in answer.json()["errors"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("id", "abc", id="text for an id"),
        pytest.param("id", 99999999999999999999999, id="a number beyond Int64 for an id"),
        pytest.param("companyID", "9223372036854775808", id="a numeric string beyond Int64"),
        pytest.param("companyID", "\uff11", id="a full-width digit for an integer"),
        pytest.param("id", "\u00b2", id="a superscript two for an id"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_500(sandbox, field, value):
    answer = sandbox.call(
        "POST", "Contacts/query", json={"filter": [{"op": "eq", "field": field, "value": value}]}
    )
    assert answer.status_code == 500
    assert answer.json() == {"errors": [f"Invalid filter value {value!r} for field {field}."]}


def test_an_in_list_with_a_value_beyond_int64_is_a_500(sandbox):
    condition = {"op": "in", "field": "id", "value": [1, 2**64]}
    answer = sandbox.call("POST", "Contacts/query", json={"filter": [condition]})
    assert answer.status_code == 500 and "Invalid filter value" in answer.json()["errors"][0]


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        pytest.param(500, 200, id="500 OR conditions are accepted"),
        pytest.param(501, 500, id="501 OR conditions are refused"),
    ],
)
def test_or_groups_hold_at_most_500_conditions(sandbox, conditions, status):
    items = [{"op": "eq", "field": "id", "value": n} for n in range(conditions)]
    answer = sandbox.call("POST", "Contacts/query", json={"filter": [{"op": "or", "items": items}]})
    assert answer.status_code == status
