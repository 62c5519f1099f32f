"""ResourceMap on the read side: records, IncludeFields, paths, fixed filters, metadata."""

from __future__ import annotations

import pytest

from connector.errors import MappingError, ValidationError

SPARSE_CONTACT = {
    "id": 1,
    "companyID": 2,
    "firstName": "Trillian",
    "lastName": None,
    "isActive": 0,
    "userDefinedFields": [],
}


def test_a_sparse_record_keeps_nulls_and_gives_empty_lists(maps, ctx):
    record = maps["contacts"].to_normalized(SPARSE_CONTACT, ctx)
    assert record["lastName"] is None and record["title"] is None
    assert record["emails"] == [] and record["phones"] == [] and record["addresses"] == []
    assert record["active"] is False
    assert record["customFields"] == {}
    assert record["links"]["autotask"].endswith("Code=OpenContact&ContactID=1")


def test_values_missing_from_the_metadata_read_as_their_text(maps, ctx, records):
    vendor = {
        **records["accounts"],
        "companyType": 99,
        "userDefinedFields": [
            {"name": "Support Tier", "value": "77"},
            {"name": "Unlisted", "value": "x"},
        ],
    }
    record = maps["accounts"].to_normalized(vendor, ctx)
    assert record["type"] == "99"
    assert record["customFields"] == {"Support Tier": "77", "Unlisted": "x"}


def test_inactive_values_still_read_as_their_label(maps, ctx, records):
    vendor = {**records["accounts"], "classification": 5}
    assert maps["accounts"].to_normalized(vendor, ctx)["classification"] == "Legacy"


def test_a_value_the_map_cannot_read_names_the_map_and_field(maps, ctx, records):
    with pytest.raises(
        MappingError,
        match=r"transformations/accounts.yaml: field 'createdDate': "
        r"cannot read Companies 29683616",
    ):
        maps["accounts"].to_normalized({**records["accounts"], "createDate": "soon"}, ctx)


def test_a_note_links_to_its_company(maps, ctx, records):
    link = maps["notes"].to_normalized(records["notes"], ctx)["links"]["autotask"]
    assert link.endswith("Code=OpenAccount&AccountID=29683616")


@pytest.mark.parametrize(
    ("resource", "wanted", "include"),
    [
        pytest.param("accounts", None, None, id="no selection: every field"),
        pytest.param(
            "accounts", ["name", "type"], ["id", "companyName", "companyType"], id="renamed fields"
        ),
        pytest.param(
            "contacts",
            ["emails"],
            ["id", *(f"emailAddress{n}" for n in ("", 2, 3))],
            id="a list names its flat fields",
        ),
        pytest.param(
            "accounts",
            ["addresses.city"],
            ["id", "city", "billToCity"],
            id="one part of the addresses",
        ),
        pytest.param("accounts", ["links"], ["id"], id="a group names what its fields need"),
        pytest.param(
            "notes", ["links.autotask"], ["id", "companyID"], id="a link needs its parameters"
        ),
        pytest.param(
            "accounts",
            ["customFields"],
            ["id", "userDefinedFields"],
            id="custom fields are asked for, not assumed to come anyway (issue #12)",
        ),
        pytest.param(
            "contacts",
            ["customFields.Preferred Language"],
            ["id", "userDefinedFields"],
            id="one custom field asks for the user-defined fields too",
        ),
        pytest.param("accounts", ["id", "name", "name"], ["id", "companyName"], id="no repeats"),
    ],
)
def test_vendor_fields(maps, resource, wanted, include):
    assert maps[resource].vendor_fields(wanted) == include


def test_vendor_fields_refuses_an_unknown_field(maps):
    with pytest.raises(ValidationError, match="field 'nickname': unknown field of accounts"):
        maps["accounts"].vendor_fields(["name", "nickname"])


def test_get_reads_normalized_paths(maps, ctx, records):
    contacts = maps["contacts"]
    record = contacts.to_normalized(records["contacts"], ctx)
    assert contacts.get(record, "emails.address") == [
        "arthur@sirius.example.com",
        "adent@example.org",
    ]
    assert contacts.get(record, "customFields.Preferred Language") == "French"
    assert contacts.get(record, "addresses[0].country") == "Canada"
    assert contacts.get(record, "nothing") is None


def test_leads_are_companies_of_the_lead_and_prospect_types(maps, records):
    leads = maps["leads"]
    assert leads.fixed_filter == [{"op": "in", "field": "companyType", "value": [2, 3]}]
    assert leads.admits(records["leads"])
    assert not leads.admits(records["accounts"])
    assert maps["accounts"].admits(records["leads"])  # no fixed filter: every company


def test_a_lead_is_created_as_a_lead(maps, ctx):
    body = {"name": "Heart of Gold", "phone": "555"}
    assert maps["leads"].to_vendor(body, ctx, partial=False)["companyType"] == 2


def test_describe_lists_labels_and_custom_fields(maps, ctx):
    rows = {row["path"]: row for row in maps["accounts"].describe(ctx)}
    assert rows["type"]["picklistValues"] == [
        "Cancelation",
        "Customer",
        "Dead",
        "Lead",
        "Partner",
        "Prospect",
        "Vendor",
    ]
    assert rows["type"]["vendorPath"] == "companyType" and rows["type"]["required"] is True
    assert rows["createdDate"]["readOnly"] is True
    assert rows["createdDate"]["vendorNativeType"] == "datetime"
    assert "gt" in rows["createdDate"]["filterable"]
    assert rows["customFields.Support Tier"]["picklistValues"] == ["Gold", "Silver"]
    assert rows["customFields.Support Tier"]["custom"] is True
    assert rows["addresses.city"]["vendorPath"] == "city, billToCity"
    assert rows["addresses.country"]["picklistValues"] == ["Canada", "Germany", "United States"]
    assert rows["links.autotask"]["filterable"] == []


def test_the_record_schema_lists_what_a_create_needs(maps):
    schema = maps["opportunities"].json_schema()
    assert schema["required"] == ["name", "accountId", "stage", "expectedCloseDate"]
    assert schema["properties"]["amount"] == {"type": ["number", "null"]}
    assert schema["properties"]["createdDate"]["readOnly"] is True
    assert schema["properties"]["createdDate"]["format"] == "date-time"
    assert schema["additionalProperties"] is False
    emails = maps["contacts"].json_schema()["properties"]["emails"]["items"]
    assert emails["properties"]["type"]["enum"] == ["primary", "secondary", "other"]


def test_json_schema_gives_a_copy(maps):
    maps["accounts"].json_schema()["properties"].clear()
    assert "name" in maps["accounts"].json_schema()["properties"]
