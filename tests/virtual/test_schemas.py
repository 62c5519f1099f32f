"""Cloud Elements' definition and transformation bodies: what loads and what is refused."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from connector.virtual.schemas import DefinitionSchema, TransformationSchema, check_name


def _messages(schema, body) -> str:
    with pytest.raises(ValidationError) as caught:
        schema.load(body)
    return str(caught.value.messages)


def test_a_definition_loads_with_its_fields():
    body = {"fields": [{"path": "fullName", "type": "string"}, {"path": "a.b", "type": "date"}]}
    assert DefinitionSchema().load(body)["fields"] == body["fields"]


def test_what_a_get_answers_loads_again():
    body = {
        "level": "organization",
        "fields": [{"path": "email", "type": "string", "associatedLevel": "organization"}],
    }
    assert DefinitionSchema().load(body)["fields"] == [{"path": "email", "type": "string"}]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"fields": []}, "Shorter than minimum", id="no fields"),
        pytest.param(
            {"fields": [{"path": "a", "type": "text"}]}, "Must be one of", id="a type CE lacks"
        ),
        pytest.param(
            {"fields": [{"path": "a[0]", "type": "string"}]}, "without [...]", id="selectors"
        ),
        pytest.param(
            {"fields": [{"path": "a", "type": "string"}, {"path": "a", "type": "number"}]},
            "appears twice",
            id="one path twice",
        ),
        pytest.param(
            {"fields": [{"path": "a", "type": "string"}, {"path": "a.b", "type": "number"}]},
            "inside",
            id="a value and an object at once",
        ),
        pytest.param(
            {"fields": [{"path": "a", "type": "string", "x": 1}]}, "Unknown", id="unknown key"
        ),
    ],
)
def test_bad_definitions_name_the_problem(body, fragment):
    assert fragment in _messages(DefinitionSchema(), body)


def test_a_transformation_loads_with_its_configuration():
    body = {
        "vendorName": "contacts",
        "fields": [
            {
                "path": "email",
                "type": "string",
                "vendorPath": "emails[?(@.type=='primary')].address",
                "configuration": [{"type": "remove", "properties": {"toVendor": True}}],
            },
            {
                "path": "created",
                "type": "date",
                "vendorPath": "createdDate",
                "configuration": [
                    {"type": "transformDate", "properties": {"pattern": "dd/MM/yyyy"}}
                ],
            },
        ],
        "configuration": [
            {"type": "passThrough", "properties": {"fromVendor": False, "toVendor": False}},
            {"type": "inherit"},
        ],
        "isLegacy": False,
        "script": None,
    }
    loaded = TransformationSchema().load(body)
    assert [f["vendorPath"] for f in loaded["fields"]] == [
        "emails[?(@.type=='primary')].address",
        "createdDate",
    ]
    assert loaded["configuration"][1]["type"] == "inherit"


@pytest.mark.parametrize(
    ("script", "refused"),
    [
        pytest.param({"body": "done(transformedObject);"}, True, id="a script body is refused"),
        pytest.param("transformedObject.x = 1", True, id="a bare script text is refused"),
        pytest.param(None, False, id="script null is no script"),
        pytest.param({"body": ""}, False, id="an empty script body is no script"),
    ],
)
def test_scripts_are_refused_saying_so(script, refused):
    body = {"vendorName": "Contacts", "fields": [], "script": script}
    if refused:
        assert "scripts are not run" in _messages(TransformationSchema(), body)
    else:
        TransformationSchema().load(body)


@pytest.mark.parametrize(
    ("field", "fragment"),
    [
        pytest.param({"path": "a"}, "vendorPath", id="vendorPath is required"),
        pytest.param(
            {"path": "a", "vendorPath": "b[x"},
            "never closed",
            id="a vendorPath that does not parse",
        ),
        pytest.param(
            {
                "path": "a",
                "type": "string",
                "vendorPath": "b",
                "configuration": [{"type": "transformDate", "properties": {"pattern": "yyyy"}}],
            },
            "applies to date fields",
            id="a date pattern on a string",
        ),
        pytest.param(
            {
                "path": "a",
                "vendorPath": "b",
                "configuration": [{"type": "transformDate", "properties": {"pattern": "yyyy-ww"}}],
            },
            "letter 'w'",
            id="a date pattern we cannot read",
        ),
        pytest.param(
            {
                "path": "a",
                "vendorPath": "b",
                "configuration": [{"type": "remove", "properties": {"fromVendor": "yes"}}],
            },
            "Not a valid boolean",
            id="direction flags are booleans",
        ),
        pytest.param(
            {"path": "a", "vendorPath": "b", "configuration": [{"type": "default"}]},
            "Must be one of",
            id="a configuration type we do not know",
        ),
    ],
)
def test_bad_transformation_fields_name_the_problem(field, fragment):
    body = {"vendorName": "Contacts", "fields": [field]}
    assert fragment in _messages(TransformationSchema(), body)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        pytest.param("myContacts", True, id="a plain name"),
        pytest.param("churros-object-12", True, id="dashes and digits"),
        pytest.param("objects", False, id="the hub's own objects path"),
        pytest.param("1st", False, id="a leading digit"),
        pytest.param("my contacts", False, id="a space"),
    ],
)
def test_names(name, ok):
    assert (check_name(name) is None) is ok
