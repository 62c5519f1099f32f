"""ResourceMap.translate: a predicate on a normalized field -> an Autotask filter item."""

from __future__ import annotations

import pytest

from connector.autotask.filters import NotPushable
from connector.errors import ValidationError

EMAIL_FIELDS = ["emailAddress", "emailAddress2", "emailAddress3"]


@pytest.mark.parametrize(
    ("resource", "field", "op", "value", "item"),
    [
        pytest.param(
            "accounts",
            "type",
            "eq",
            "Customer",
            {"op": "eq", "field": "companyType", "value": 1},
            id="a label becomes its value",
        ),
        pytest.param(
            "accounts",
            "type",
            "in",
            ["lead", "PROSPECT"],
            {"op": "in", "field": "companyType", "value": [2, 3]},
            id="a set of labels becomes a set of values",
        ),
        pytest.param(
            "accounts",
            "classification",
            "noteq",
            "Legacy",
            {"op": "noteq", "field": "classification", "value": 5},
            id="an inactive label can still be searched for",
        ),
        pytest.param(
            "accounts",
            "customFields.CustomerRanking",
            "eq",
            "Golden",
            {"op": "eq", "field": "CustomerRanking", "udf": True, "value": "Golden"},
            id="a custom field becomes a UDF condition",
        ),
        pytest.param(
            "accounts",
            "customFields.support tier",
            "eq",
            "Silver",
            {"op": "eq", "field": "Support Tier", "udf": True, "value": "2"},
            id="a picklist custom field's label becomes its value",
        ),
        pytest.param(
            "contacts",
            "emails.address",
            "eq",
            "a@x.io",
            {
                "op": "or",
                "items": [{"op": "eq", "field": f, "value": "a@x.io"} for f in EMAIL_FIELDS],
            },
            id="an email matches any of Autotask's three email fields",
        ),
        pytest.param(
            "contacts",
            "emails.address",
            "beginsWith",
            "arthur",
            {
                "op": "or",
                "items": [
                    {"op": "beginsWith", "field": f, "value": "arthur"} for f in EMAIL_FIELDS
                ],
            },
            id="a LIKE on emails is pushed to each field",
        ),
        pytest.param(
            "contacts",
            "emails.address",
            "notExist",
            None,
            {"op": "and", "items": [{"op": "notExist", "field": f} for f in EMAIL_FIELDS]},
            id="no email means none of the fields is set",
        ),
        pytest.param(
            "contacts",
            "active",
            "eq",
            True,
            {"op": "eq", "field": "isActive", "value": 1},
            id="a contact's active flag compares with 1",
        ),
        pytest.param(
            "contacts",
            "active",
            "eq",
            "false",
            {"op": "eq", "field": "isActive", "value": 0},
            id="a boolean written as text",
        ),
        pytest.param(
            "accounts",
            "active",
            "eq",
            True,
            {"op": "eq", "field": "isActive", "value": True},
            id="a company's active flag stays a boolean",
        ),
        pytest.param(
            "contacts",
            "lastModifiedDate",
            "gt",
            "2012-05-25T11:13:29-0500",
            {"op": "gt", "field": "lastModifiedDate", "value": "2012-05-25T16:13:29Z"},
            id="a date with an offset is compared in UTC",
        ),
        pytest.param(
            "users",
            "hireDate",
            "gte",
            "2015-04-01",
            {"op": "gte", "field": "hireDate", "value": "2015-04-01T00:00:00Z"},
            id="a date compares from its midnight",
        ),
        pytest.param(
            "accounts",
            "ownerId",
            "eq",
            "29682885",
            {"op": "eq", "field": "ownerResourceID", "value": 29682885},
            id="a number written as text",
        ),
        pytest.param(
            "accounts",
            "id",
            "in",
            [3, "4"],
            {"op": "in", "field": "id", "value": [3, 4]},
            id="a set of ids",
        ),
        pytest.param(
            "accounts",
            "website",
            "exist",
            None,
            {"op": "exist", "field": "webAddress"},
            id="a null check carries no value",
        ),
        pytest.param(
            "accounts",
            "name",
            "contains",
            "Sirius",
            {"op": "contains", "field": "companyName", "value": "Sirius"},
            id="a text match on a renamed field",
        ),
        pytest.param(
            "accounts",
            "addresses.city",
            "eq",
            "Denver",
            {
                "op": "or",
                "items": [
                    {"op": "eq", "field": "city", "value": "Denver"},
                    {"op": "eq", "field": "billToCity", "value": "Denver"},
                ],
            },
            id="an address part matches any address",
        ),
        pytest.param(
            "contacts",
            "addresses.country",
            "eq",
            "Canada",
            {"op": "eq", "field": "countryID", "value": 39},
            id="a country label becomes its id",
        ),
        pytest.param(
            "users",
            "type",
            "eq",
            "employee",
            {"op": "eq", "field": "resourceType", "value": "Employee"},
            id="a picklist whose values are text",
        ),
        pytest.param(
            "incidents",
            "source",
            "eq",
            "Client Portal",
            {"op": "eq", "field": "source", "value": -1},
            id="a negative picklist value",
        ),
    ],
)
def test_translate(maps, ctx, resource, field, op, value, item):
    assert maps[resource].translate(field, op, value, ctx) == item


@pytest.mark.parametrize(
    ("resource", "field", "op", "value"),
    [
        pytest.param("accounts", "links.autotask", "eq", "x", id="a link is computed"),
        pytest.param(
            "contacts",
            "emails.address",
            "noteq",
            "a@x.io",
            id="'some email differs' has no Autotask form",
        ),
        pytest.param("contacts", "emails.type", "eq", "primary", id="an email's type is the map's"),
        pytest.param("contacts", "emails", "exist", None, id="a whole list"),
        pytest.param("accounts", "customFields", "exist", None, id="the custom fields as a whole"),
        pytest.param("accounts", "ownerId", "beginsWith", "29", id="a text match on a number"),
        pytest.param("accounts", "type", "gt", "Lead", id="an order on picklist ids means nothing"),
        pytest.param("accounts", "active", "lt", True, id="an order on booleans"),
        pytest.param("users", "links.autotask", "exist", None, id="a constant"),
    ],
)
def test_what_autotask_cannot_evaluate_is_left_to_local_filtering(
    maps, ctx, resource, field, op, value
):
    with pytest.raises(NotPushable):
        maps[resource].translate(field, op, value, ctx)


@pytest.mark.parametrize(
    ("resource", "field", "op", "value", "message"),
    [
        pytest.param(
            "accounts",
            "type",
            "eq",
            "Customr",
            "field 'type': unknown value 'Customr'; valid values: Cancelation, Customer,",
            id="an unknown label lists the valid ones",
        ),
        pytest.param(
            "accounts",
            "customFields.Shoe Size",
            "eq",
            "42",
            "field 'customFields.Shoe Size': unknown custom field; valid ones: "
            "CustomerRanking, Support Tier",
            id="an unknown custom field",
        ),
        pytest.param(
            "accounts",
            "customFields.Support Tier",
            "eq",
            "Platinum",
            "field 'customFields.Support Tier': unknown value 'Platinum'",
            id="an unknown label of a picklist custom field",
        ),
        pytest.param(
            "accounts",
            "nickname",
            "eq",
            "x",
            "field 'nickname': unknown field of accounts",
            id="an unknown field",
        ),
        pytest.param(
            "accounts",
            "name.first",
            "eq",
            "x",
            "field 'name.first': unknown field",
            id="a path below a scalar",
        ),
        pytest.param(
            "accounts",
            "ownerId",
            "eq",
            "abc",
            "field 'ownerId': cannot compare with 'abc'",
            id="a literal that is not a number",
        ),
        pytest.param(
            "accounts",
            "createdDate",
            "gt",
            "yesterday",
            "field 'createdDate': cannot compare with 'yesterday'",
            id="a date that is not one",
        ),
        pytest.param(
            "accounts",
            "name",
            "like",
            "x",
            "unknown filter operator 'like'",
            id="an operator that is not Autotask's",
        ),
    ],
)
def test_translate_refuses_what_is_wrong(maps, ctx, resource, field, op, value, message):
    with pytest.raises(ValidationError) as caught:
        maps[resource].translate(field, op, value, ctx)
    assert message in caught.value.message


def test_a_field_that_is_not_filterable_is_evaluated_locally(maps, ctx):
    from connector.mapping import build_map

    raw = {
        "entity": "Companies",
        "description": "d",
        "operations": {op: True for op in ("list", "get", "create", "update", "delete")},
        "fields": [
            {"path": "id", "type": "integer", "vendor": "id", "direction": "read"},
            {"path": "assets", "type": "number", "vendor": "assetValue", "filterable": False},
        ],
    }
    resource = build_map("things", raw, "transformations/things.yaml")
    with pytest.raises(NotPushable):
        resource.translate("assets", "gt", 5, ctx)
    assert resource.describe(ctx)[1]["filterable"] == []
