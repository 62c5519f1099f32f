"""What a base holds: a normalized map's paths from its JSON schema, an entity's from metadata."""

from __future__ import annotations

import pytest

from connector.virtual.bases import native_shape, normalized_shape, shape_of


@pytest.fixture
def contacts(registry):
    return normalized_shape(registry.normalized["contacts"].map)


@pytest.mark.parametrize(
    ("vendor_path", "expected"),
    [
        pytest.param("lastName", "string", id="a scalar"),
        pytest.param("accountId", "number", id="an integer is a number"),
        pytest.param("createdDate", "date", id="a date-time is a date"),
        pytest.param("emails", "array", id="a list"),
        pytest.param("links", "object", id="an object"),
        pytest.param(
            "emails[?(@.type=='primary')].address", "string", id="inside a list, by filter"
        ),
        pytest.param("phones[0].number", "string", id="inside a list, by index"),
        pytest.param("customFields.Anything", None, id="any custom field, type unknown"),
        pytest.param("addresses[0].country", None, id="a label or an id: no one type"),
    ],
)
def test_normalized_paths_and_types(contacts, vendor_path, expected):
    found = contacts.lookup_vendor_path(vendor_path)
    assert found is not None and found.type == expected


@pytest.mark.parametrize(
    "vendor_path",
    [
        pytest.param("nickname", id="an unknown name"),
        pytest.param("LastName", id="normalized paths match case exactly"),
        pytest.param("faxes[0].number", id="an unknown list"),
    ],
)
def test_normalized_paths_it_lacks(contacts, vendor_path):
    assert contacts.lookup_vendor_path(vendor_path) is None


def test_an_entity_from_its_metadata(tenant_ctx):
    shape = native_shape("Contacts", tenant_ctx)
    assert shape.type_of("LASTNAME") == "string"  # any case
    assert shape.type_of("countryID") == "number"  # a picklist travels as its value
    assert shape.type_of("Preferred Language") == "string"  # a UDF travels as text
    assert (
        shape.write_path("preferred language")
        == "userDefinedFields[name='Preferred Language'].value"
    )
    assert shape.lookup("nickName") is None


def test_an_entity_at_organization_level_cannot_be_known(registry):
    shape = shape_of(registry.base("Contacts"), None)
    assert shape.known is None and shape.lookup("anything") is not None
