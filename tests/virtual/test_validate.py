"""Does a transformation fit its base: every problem named at once."""

from __future__ import annotations

from connector.virtual import validate
from connector.virtual.bases import normalized_shape
from connector.virtual.inherit import Stored, resolve


def vmap(definition: dict, fields: list):
    doc = {"fields": [{"path": p, "type": t} for p, t in definition.items()]}
    return resolve(Stored("x", doc, None, {"vendorName": "contacts", "fields": fields}, None))


def test_every_problem_is_named(registry):
    shape = normalized_shape(registry.normalized["contacts"].map)
    found = validate.problems(
        vmap(
            {"id": "number", "a": "string", "b": "date", "c": "boolean", "d": "string"},
            [
                {"path": "id", "vendorPath": "accountId"},
                {"path": "a", "vendorPath": "nickname"},
                {"path": "b", "vendorPath": "accountId"},
                {"path": "c", "vendorPath": "lastName", "vendorType": "boolean"},
                {"path": "d", "vendorPath": "bogus[0].x"},
            ],
        ),
        shape,
    )
    assert found == [
        "contacts has no field(s) nickname, bogus[0].x",
        "id is the record's id: map it to the base's id or leave it out",
        "b: a date does not convert from accountId, a number",
        "c: vendorType boolean does not match lastName, a string",
    ]


def test_a_fitting_transformation_has_no_problem(registry):
    shape = normalized_shape(registry.normalized["contacts"].map)
    fitting = vmap(
        {"id": "string", "when": "string", "on": "boolean"},
        [
            {"path": "id", "vendorPath": "id"},
            {"path": "when", "vendorPath": "createdDate"},
            {"path": "on", "vendorPath": "active"},
        ],
    )
    assert validate.problems(fitting, shape) == []
