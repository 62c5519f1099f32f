"""The contract of every shipped map: it loads, it names real Autotask fields, its schema holds
its records, and a realistic record survives the trip to normalized and back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from connector.mapping import paths
from tests.mapping.conftest import ROOT

SHIPPED = sorted(path.stem for path in (ROOT / "transformations").glob("*.yaml"))
RESOURCES = {
    "accounts",
    "contacts",
    "opportunities",
    "leads",
    "tasks",
    "notes",
    "users",
    "incidents",
}


def test_every_resource_of_the_hub_has_a_map(maps):
    assert set(SHIPPED) == RESOURCES == set(maps)


def _same(left: Any, right: Any) -> bool:
    """Equal, reading date texts as instants (`...00.000Z` and `...00Z` are one time)."""
    if isinstance(left, str) and isinstance(right, str) and left != right:
        try:
            return datetime.fromisoformat(left) == datetime.fromisoformat(right)
        except ValueError:
            return False
    return left == right


@pytest.mark.parametrize("name", SHIPPED)
class TestShippedMap:
    def test_it_names_only_fields_the_autotask_record_has(self, name, maps, records):
        resource, vendor = maps[name], records[name]
        named = {
            field
            for mapper in resource.fields
            for field in mapper.read_fields() + mapper.written_fields()
        }
        named |= {item["field"] for item in resource.fixed_filter}
        if resource.parent:
            named.add(resource.parent.field)
        assert named - {"userDefinedFields"} <= set(vendor)

    def test_a_record_survives_normalized_to_vendor_and_back(self, name, maps, records, ctx):
        resource, vendor = maps[name], records[name]
        record = resource.to_normalized(vendor, ctx)
        body = resource.writable_part(record)
        written = (
            resource.to_vendor(body, ctx, partial=False) if "create" in resource.operations else {}
        )
        for field, value in written.items():
            assert _same(value, vendor[field]), field
        assert resource.to_normalized({**vendor, **written}, ctx) == record

    def test_an_update_with_the_whole_record_writes_every_writable_field(
        self, name, maps, records, ctx
    ):
        resource, vendor = maps[name], records[name]
        if "update" not in resource.operations:
            assert all(not mapper.writable for mapper in resource.fields)
            return
        body = resource.writable_part(resource.to_normalized(vendor, ctx))
        written = resource.to_vendor(body, ctx, partial=True)
        expected = {f for m in resource.fields if m.writable for f in m.written_fields()}
        assert set(written) == expected

    def test_its_schema_holds_its_records(self, name, maps, records, ctx):
        resource = maps[name]
        schema = resource.json_schema()
        Draft202012Validator.check_schema(schema)
        errors = list(
            Draft202012Validator(schema).iter_errors(resource.to_normalized(records[name], ctx))
        )
        assert errors == []
        assert schema["properties"]["customFields"]["type"] == "object"
        assert schema["properties"]["links"]["properties"]["autotask"]["readOnly"] is True

    def test_every_record_has_custom_fields_and_a_link(self, name, maps, records, ctx):
        record = maps[name].to_normalized(records[name], ctx)
        assert isinstance(record["customFields"], dict)
        assert paths.exists(record, "links.autotask")
        assert record["id"] == records[name]["id"]

    def test_describe_gives_one_row_per_field(self, name, maps, ctx):
        resource = maps[name]
        rows = resource.describe(ctx)
        expected = {"id"} | {f"customFields.{udf}" for udf in ctx.udf_names(resource.entity)}
        assert expected <= {row["path"] for row in rows}
        for row in rows:
            assert {
                "path",
                "type",
                "vendorPath",
                "vendorNativeType",
                "required",
                "readOnly",
                "filterable",
            } <= set(row)
            if row["vendorNativeType"] == "picklist":
                assert isinstance(row["picklistValues"], list)

    def test_include_fields_of_each_top_level_field_exist(self, name, maps, records):
        resource = maps[name]
        for mapper in resource.fields:
            if mapper.readable:
                included = resource.vendor_fields([mapper.path])
                assert included[0] == "id"
                assert set(included) - {"userDefinedFields"} <= set(records[name])

    def test_refused_operations_say_why(self, name, maps):
        resource = maps[name]
        for op in ("list", "get", "create", "update", "delete"):
            assert (op in resource.operations) != bool(resource.refusal(op))


def test_the_schemas_fit_in_an_openapi_document(maps):
    document = {
        "openapi": "3.1.0",
        "info": {"title": "maps", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                name.capitalize(): resource.json_schema() for name, resource in maps.items()
            }
        },
    }
    validate(document)


def test_children_and_parents_follow_autotask(maps):
    assert set(maps["accounts"].children) == {
        "contacts",
        "opportunities",
        "notes",
        "tasks",
        "incidents",
    }
    assert maps["accounts"].children["contacts"].condition(7) == {
        "op": "eq",
        "field": "companyID",
        "value": 7,
    }
    for name, url in (
        ("contacts", "Companies/5/Contacts"),
        ("notes", "Companies/5/Notes"),
        ("tasks", "Companies/5/ToDos"),
    ):
        assert maps[name].parent.collection_url(5) == url
        assert maps[name].parent.parent_id({"companyID": 5}) == 5
    assert maps["accounts"].parent is None
    assert maps["incidents"].hubs == ("crm", "helpdesk")
    assert maps["users"].operations == {"list", "get"}
