"""The transformation engine on plain records: reading, writing, and pushing filters down."""

from __future__ import annotations

import pytest

from connector.autotask import filters
from connector.errors import ValidationError
from connector.virtual.engine import Transformer
from connector.virtual.inherit import Stored, resolve

DEFINITION = {
    "fields": [
        {"path": "fullName", "type": "string"},
        {"path": "company", "type": "number"},
        {"path": "email", "type": "string"},
        {"path": "phone", "type": "string"},
        {"path": "created", "type": "date"},
        {"path": "address.city", "type": "string"},
        {"path": "nickname", "type": "string"},
        {"path": "secret", "type": "string"},
    ]
}
FIELDS = [
    {"path": "fullName", "vendorPath": "lastName"},
    {"path": "company", "vendorPath": "accountId"},
    {"path": "email", "vendorPath": "emails[?(@.type=='primary')].address"},
    {"path": "phone", "vendorPath": "phones[0].number"},
    {
        "path": "created",
        "vendorPath": "createdDate",
        "configuration": [{"type": "transformDate", "properties": {"pattern": "dd/MM/yyyy HH:mm"}}],
    },
    {"path": "address.city", "vendorPath": "addresses.city"},
    {
        "path": "secret",
        "vendorPath": "title",
        "configuration": [{"type": "remove", "properties": {"fromVendor": True}}],
    },
]
BASE = {
    "id": 7,
    "lastName": "Prefect",
    "firstName": "Ford",
    "accountId": 42,
    "title": "Researcher",
    "emails": [
        {"address": "ford@h2g2.test", "type": "primary"},
        {"address": "f@x", "type": "other"},
    ],
    "phones": [{"number": "555-0100", "type": "work"}],
    "addresses": [{"city": "Betelgeuse", "type": "primary"}],
    "createdDate": "2024-03-05T14:07:09Z",
}
TYPES = {"lastName": "string", "accountId": "number", "title": "string", "createdDate": "date"}


def engine(config: list | None = None, fields: list | None = None) -> Transformer:
    xf = {"vendorName": "contacts", "fields": fields or FIELDS, "configuration": config or []}
    return Transformer(resolve(Stored("myContacts", DEFINITION, None, xf, None)), base_types=TYPES)


NO_PASS = [{"type": "passThrough", "properties": {"fromVendor": False, "toVendor": False}}]


def test_reads_each_field_through_its_vendor_path():
    record = engine(NO_PASS).to_virtual(BASE)
    assert record == {
        "id": 7,
        "fullName": "Prefect",
        "company": 42,
        "email": "ford@h2g2.test",
        "phone": "555-0100",
        "created": "05/03/2024 14:07",
        "address": {"city": ["Betelgeuse"]},
        "nickname": None,
    }


def test_pass_through_adds_the_base_fields_no_mapping_reads():
    record = engine().to_virtual(BASE)
    assert record["firstName"] == "Ford"
    assert "lastName" not in record and "emails" not in record  # read by mappings
    assert "title" not in record and "secret" not in record  # removed fromVendor


def test_a_value_that_does_not_convert_reads_null():
    fields = [{"path": "company", "vendorPath": "lastName"}]
    assert engine(NO_PASS, fields).to_virtual(BASE)["company"] is None


def test_writes_each_field_at_its_vendor_path_converted():
    body = {
        "fullName": "Dent",
        "company": 42,
        "email": "arthur@earth.test",
        "phone": "555-0199",
        "created": "01/02/2024 09:30",
        "secret": "not written",
        "id": 99,
    }
    assert engine(NO_PASS).to_base(body) == {
        "lastName": "Dent",
        "accountId": 42,
        "emails": [{"type": "primary", "address": "arthur@earth.test"}],
        "phones": [{"number": "555-0199"}],
        "createdDate": "2024-02-01T09:30:00Z",
        "title": "not written",
    }


def test_remove_to_vendor_keeps_a_field_out_of_the_base_body():
    fields = [
        {
            "path": "fullName",
            "vendorPath": "lastName",
            "configuration": [{"type": "remove", "properties": {"toVendor": True}}],
        }
    ]
    assert engine(NO_PASS, fields).to_base({"fullName": "Dent"}) == {}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            None, {"lastName": "Dent", "firstName": "Arthur"}, id="passed through by default"
        ),
        pytest.param(NO_PASS, {"lastName": "Dent"}, id="dropped with passThrough toVendor off"),
    ],
)
def test_unmapped_body_fields(config, expected):
    assert engine(config).to_base({"fullName": "Dent", "firstName": "Arthur"}) == expected


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"company": "42"}, "company: '42' is not a number", id="a mistyped value"),
        pytest.param(
            {"created": "2024-02-01"},
            "does not match the date pattern",
            id="a date outside its pattern",
        ),
        pytest.param(["a"], "send a JSON object", id="not an object"),
    ],
)
def test_refused_bodies_name_the_field(body, fragment):
    with pytest.raises(ValidationError) as caught:
        engine().to_base(body)
    assert fragment in caught.value.message


def _base_translate(field, op, value):
    return filters.condition(op, "base:" + field, value)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param(
            "fullName", filters.condition("eq", "base:lastName", "x"), id="a mapped field"
        ),
        pytest.param("id", filters.condition("eq", "base:id", "x"), id="the id"),
        pytest.param(
            "firstName", filters.condition("eq", "base:firstName", "x"), id="a passed-through field"
        ),
    ],
)
def test_pushable_fields_become_base_filters(field, expected):
    assert engine().translate(field, "eq", "x", _base_translate) == expected


@pytest.mark.parametrize(
    "field",
    [
        pytest.param("email", id="a filter in the vendor path"),
        pytest.param("phone", id="a list index in the vendor path"),
        pytest.param("created", id="a date pattern"),
        pytest.param("secret", id="a field removed from records"),
        pytest.param("nickname", id="a defined field nothing maps"),
        pytest.param("company", id="types that differ on each side"),
    ],
)
def test_other_fields_stay_local(field):
    types = dict(TYPES, accountId="string")
    xf = {"vendorName": "contacts", "fields": FIELDS, "configuration": []}
    local = Transformer(resolve(Stored("m", DEFINITION, None, xf, None)), base_types=types)
    with pytest.raises(filters.NotPushable):
        local.translate(field, "eq", "x", _base_translate)


def test_an_unknown_field_is_a_400_without_pass_through():
    with pytest.raises(ValidationError, match="Unknown field 'firstName' for myContacts"):
        engine(NO_PASS).translate("firstName", "eq", "x", _base_translate)


def test_base_paths_of_a_field_selection():
    assert engine().base_paths(["fullName", "email", "address", "firstName"]) == [
        "addresses.city",
        "emails",
        "firstName",
        "id",
        "lastName",
    ]
