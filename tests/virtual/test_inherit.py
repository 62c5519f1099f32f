"""What one instance sees of a virtual resource, from the organization's documents and its own."""

from __future__ import annotations

import pytest

from connector.virtual.inherit import Stored, resolve, transformation_view


def definition(*paths: str) -> dict:
    return {"fields": [{"path": p, "type": "string"} for p in paths]}


def transformation(vendor: str, *pairs: tuple[str, str], config: list | None = None) -> dict:
    return {
        "vendorName": vendor,
        "fields": [{"path": p, "type": "string", "vendorPath": v} for p, v in pairs],
        "configuration": config or [],
    }


INHERIT = [{"type": "inherit"}]
ORG_DEF = definition("churrosId", "churrosName")
ORG_XF = transformation("Contacts", ("churrosId", "id"), ("churrosName", "firstName"))


def test_no_transformation_at_either_level_is_not_virtual():
    assert resolve(Stored("x", org_definition=ORG_DEF, instance_definition=definition("a"))) is None


def test_the_organization_transformation_applies_to_every_instance():
    seen = resolve(Stored("x", ORG_DEF, None, ORG_XF, None))
    assert seen.vendor_name == "Contacts"
    assert [(f.path, f.vendor_path, f.level) for f in seen.fields] == [
        ("churrosId", "id", "organization"),
        ("churrosName", "firstName", "organization"),
    ]


def test_an_instance_transformation_without_inherit_stands_alone():
    own = transformation("Companies", ("churrosName", "companyName"))
    seen = resolve(Stored("x", ORG_DEF, None, ORG_XF, own))
    assert seen.vendor_name == "Companies"
    assert [f.path for f in seen.fields] == ["churrosName"]
    assert [f.path for f in seen.definition] == ["churrosId", "churrosName"]  # the org's


def test_inherit_merges_fields_and_definitions_the_instance_winning():
    own = transformation(
        "Contacts", ("churrosName", "lastName"), ("churrosMod", "lastModifiedDate"), config=INHERIT
    )
    seen = resolve(Stored("x", ORG_DEF, definition("churrosMod"), ORG_XF, own))
    assert {f.path: (f.vendor_path, f.level) for f in seen.fields} == {
        "churrosId": ("id", "organization"),
        "churrosName": ("lastName", "instance"),
        "churrosMod": ("lastModifiedDate", "instance"),
    }
    assert {f.path: f.level for f in seen.definition} == {
        "churrosId": "organization",
        "churrosName": "organization",
        "churrosMod": "instance",
    }


def test_inherit_skips_an_organization_map_of_another_vendor():
    org = transformation("Companies", ("churrosId", "id"))
    own = transformation("Contacts", ("churrosName", "firstName"), config=INHERIT)
    seen = resolve(Stored("x", ORG_DEF, None, org, own))
    assert [f.path for f in seen.fields] == ["churrosName"]


@pytest.mark.parametrize(
    ("org_config", "own_config", "expected"),
    [
        pytest.param([], None, (True, True), id="Cloud Elements' default passes everything"),
        pytest.param(
            [{"type": "passThrough", "properties": {"fromVendor": False, "toVendor": False}}],
            None,
            (False, False),
            id="the organization removes unmapped fields",
        ),
        pytest.param(
            [{"type": "passThrough", "properties": {"fromVendor": False, "toVendor": False}}],
            [{"type": "passThrough", "properties": {"fromVendor": True}}, {"type": "inherit"}],
            (True, True),
            id="the instance's own setting wins",
        ),
        pytest.param(
            [{"type": "passThrough", "properties": {"fromVendor": False, "toVendor": True}}],
            [{"type": "inherit"}],
            (False, True),
            id="an inheriting instance without one takes the organization's",
        ),
    ],
)
def test_object_pass_through(org_config, own_config, expected):
    org = transformation("Contacts", ("churrosId", "id"), config=org_config)
    own = None if own_config is None else transformation("Contacts", config=own_config)
    seen = resolve(Stored("x", ORG_DEF, None, org, own))
    assert (seen.pass_from_vendor, seen.pass_to_vendor) == expected


@pytest.mark.parametrize(
    ("config", "read", "write"),
    [
        pytest.param([], True, True, id="kept both ways by default"),
        pytest.param(
            [{"type": "remove", "properties": {"fromVendor": True}}],
            False,
            True,
            id="remove fromVendor",
        ),
        pytest.param(
            [{"type": "remove", "properties": {"toVendor": True}}],
            True,
            False,
            id="remove toVendor",
        ),
        pytest.param([{"type": "remove"}], False, False, id="a bare remove removes both ways"),
        pytest.param(
            [{"type": "passThrough", "properties": {"fromVendor": False}}],
            False,
            True,
            id="passThrough fromVendor false",
        ),
        pytest.param(
            [{"type": "passThrough", "properties": {"toVendor": False}}],
            True,
            False,
            id="passThrough toVendor false",
        ),
    ],
)
def test_field_directions(config, read, write):
    xf = {
        "vendorName": "Contacts",
        "fields": [{"path": "churrosId", "vendorPath": "id", "configuration": config}],
    }
    field = resolve(Stored("x", ORG_DEF, None, xf, None)).fields[0]
    assert (field.read, field.write) == (read, write)
    assert field.type == "string"  # taken from the definition


def test_the_instance_view_shows_what_it_inherits_with_levels():
    own = transformation("Contacts", ("churrosName", "lastName"), config=INHERIT)
    view = transformation_view(Stored("x", ORG_DEF, None, ORG_XF, own), "instance")
    assert [(f["path"], f["vendorPath"], f["level"]) for f in view["fields"]] == [
        ("churrosId", "id", "organization"),
        ("churrosName", "lastName", "instance"),
    ]
