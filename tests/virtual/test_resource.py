"""`VirtualResource` over the shipped maps and an Autotask entity, with a literal tenant."""

from __future__ import annotations

import pytest
import yaml

from connector import ceql
from connector.autotask import filters
from connector.errors import ValidationError
from connector.virtual.inherit import Stored, resolve
from connector.virtual.resource import VirtualResource
from tests.mapping.conftest import DATA

RECORDS = yaml.safe_load((DATA / "records.yaml").read_text())


def virtual(registry, vendor: str, definition: dict, fields: list, config: list | None = None):
    xf = {"vendorName": vendor, "fields": fields, "configuration": config or []}
    vmap = resolve(
        Stored(
            "mine",
            {"fields": definition and [{"path": p, "type": t} for p, t in definition.items()]},
            None,
            xf,
            None,
        )
    )
    return VirtualResource(vmap, registry.base(vendor))


NO_PASS = [{"type": "passThrough", "properties": {"fromVendor": False, "toVendor": False}}]


@pytest.fixture
def my_contacts(registry):
    return virtual(
        registry,
        "contacts",
        {"fullName": "string", "company": "number", "email": "string", "country": "string"},
        [
            {"path": "fullName", "vendorPath": "lastName"},
            {"path": "company", "vendorPath": "accountId"},
            {"path": "email", "vendorPath": "emails[?(@.type=='primary')].address"},
            {"path": "country", "vendorPath": "addresses[0].country"},
        ],
        NO_PASS,
    )


def test_a_filter_on_a_virtual_field_goes_through_both_maps(my_contacts, tenant_ctx):
    my_contacts.check("list", tenant_ctx)
    where = ceql.parse("company = 29683616 and fullName like 'De%' and email = 'a@b'")
    split = ceql.pushdown(where, lambda f, op, v: my_contacts.translate(f, op, v, tenant_ctx))
    assert split.filter == [
        filters.condition("eq", "companyID", 29683616),
        filters.condition("beginsWith", "lastName", "De"),
    ]
    assert ceql.referenced_fields(split.residual) == ["email"]


def test_a_normalized_label_is_still_translated_to_its_value(registry, tenant_ctx):
    kinds = virtual(
        registry, "accounts", {"kind": "string"}, [{"path": "kind", "vendorPath": "type"}]
    )
    kinds.check("list", tenant_ctx)
    assert kinds.translate("kind", "eq", "Prospect", tenant_ctx) == filters.condition(
        "eq", "companyType", 3
    )


def test_reads_a_vendor_record_into_virtual_terms(my_contacts, tenant_ctx):
    my_contacts.check("get", tenant_ctx)
    assert my_contacts.to_record(RECORDS["contacts"], tenant_ctx) == {
        "id": 30682885,
        "fullName": "Dent",
        "company": 29683616,
        "email": "arthur@sirius.example.com",
        "country": "Canada",
    }


def test_writes_a_virtual_body_as_autotask_fields(my_contacts, tenant_ctx):
    my_contacts.check("update", tenant_ctx)
    body = {"fullName": "Prefect", "company": 12, "email": "ford@h2g2.test"}
    assert my_contacts.to_vendor(body, tenant_ctx, partial=True) == {
        "lastName": "Prefect",
        "companyID": 12,
        "emailAddress": "ford@h2g2.test",
    }


def test_a_base_refusal_names_both_resources(my_contacts, tenant_ctx):
    my_contacts.check("create", tenant_ctx)
    with pytest.raises(ValidationError, match=r"^mine \(written as contacts\): .*firstName"):
        my_contacts.to_vendor({"fullName": "Prefect", "company": 12}, tenant_ctx, partial=False)


def test_a_field_selection_asks_for_the_vendor_fields_behind_it(my_contacts, tenant_ctx):
    my_contacts.check("list", tenant_ctx)
    wanted = my_contacts.vendor_fields(["fullName", "email"])
    assert {"id", "lastName", "emailAddress"} <= set(wanted)
    assert "firstName" not in wanted


def test_a_udf_of_an_entity_by_its_name(registry, tenant_ctx):
    people = virtual(
        registry,
        "Contacts",
        {"name": "string", "language": "string"},
        [
            {"path": "name", "vendorPath": "lastName"},
            {"path": "language", "vendorPath": "Preferred Language"},
        ],
        NO_PASS,
    )
    people.check("update", tenant_ctx)
    assert people.to_record(RECORDS["contacts"], tenant_ctx)["language"] == "2"
    assert people.to_vendor({"language": "1"}, tenant_ctx, partial=True) == {
        "userDefinedFields": [{"name": "Preferred Language", "value": "1"}]
    }
    assert people.translate("language", "eq", "1", tenant_ctx) == filters.condition(
        "eq", "Preferred Language", "1", udf=True
    )
    assert people.vendor_fields(["language"]) is None  # UDFs come with whole records


def test_names_an_entity_lacks_are_refused_on_first_use(registry, tenant_ctx):
    stale = virtual(
        registry, "Contacts", {"name": "string"}, [{"path": "name", "vendorPath": "nickName"}]
    )
    with pytest.raises(ValidationError, match="Contacts has no field\\(s\\) nickName"):
        stale.check("list", tenant_ctx)


def test_metadata_describes_virtual_fields_with_their_base(my_contacts, tenant_ctx):
    described = {f["path"]: f for f in my_contacts.describe(tenant_ctx)}
    assert described["fullName"]["vendorPath"] == "lastName"
    assert described["company"]["type"] == "number"
    assert described["email"]["associatedLevel"] == "organization"


def test_an_update_through_a_list_path_leaves_the_lists_other_items(my_contacts, tenant_ctx):
    my_contacts.check("update", tenant_ctx)
    vendor = my_contacts.to_vendor({"email": "new@h2g2.test"}, tenant_ctx, partial=True)
    assert vendor == {"emailAddress": "new@h2g2.test"}  # emailAddress2 and 3 untouched


def test_an_explicit_null_still_clears(registry, tenant_ctx):
    jobs = virtual(
        registry, "contacts", {"job": "string"}, [{"path": "job", "vendorPath": "title"}]
    )
    jobs.check("update", tenant_ctx)
    assert jobs.to_vendor({"job": None}, tenant_ctx, partial=True) == {"title": None}
