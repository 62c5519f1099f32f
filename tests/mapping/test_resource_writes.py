"""ResourceMap.to_vendor: normalized request bodies validated and turned into Autotask bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.errors import ValidationError
from tests.mapping.conftest import load_tenant

ACCOUNT = {"name": "Megadodo Publications", "phone": "555-0100", "ownerId": 4}
OPPORTUNITY = {
    "name": "Guide reprint",
    "accountId": 5,
    "stage": "Qualify",
    "expectedCloseDate": "2024-09-30T00:00:00Z",
}
INCIDENT = {"title": "Towel missing", "accountId": 5, "priority": "High"}


def refusal(resource, body, ctx, *, partial=False) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        resource.to_vendor(body, ctx, partial=partial)
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            {**ACCOUNT, "nickname": "M"}, "field 'nickname': Unknown field.", id="an unknown field"
        ),
        pytest.param(
            {**ACCOUNT, "name": 12},
            "field 'name': Not a valid string.",
            id="a number where text is expected",
        ),
        pytest.param(
            {**ACCOUNT, "ownerId": "4"},
            "field 'ownerId': Not a valid integer.",
            id="text where an integer is expected",
        ),
        pytest.param(
            {**ACCOUNT, "ownerId": 4.5},
            "field 'ownerId': Not a valid integer.",
            id="a fraction where an integer is expected",
        ),
        pytest.param(
            {**ACCOUNT, "active": "yes"},
            "field 'active': Not a valid boolean.",
            id="text where a boolean is expected",
        ),
        pytest.param(
            {**ACCOUNT, "name": "x" * 101},
            "field 'name': Longer than maximum length 100.",
            id="text longer than Autotask keeps",
        ),
        pytest.param(
            {**ACCOUNT, "type": "Customr"},
            "field 'type': unknown value 'Customr'; valid values: Cancelation, Customer, "
            "Dead, Lead, Partner, Prospect, Vendor",
            id="an unknown picklist label, with the valid ones listed",
        ),
        pytest.param(
            {**ACCOUNT, "classification": "Legacy"},
            "field 'classification': unknown value 'Legacy'; valid values: Gold, Silver",
            id="an inactive label is refused and not offered",
        ),
        pytest.param(
            {**ACCOUNT, "createdDate": "2024-01-01T00:00:00Z"},
            "field 'createdDate': read-only field",
            id="a read-only field",
        ),
        pytest.param({**ACCOUNT, "id": 7}, "field 'id': read-only field", id="the id"),
        pytest.param(
            {**ACCOUNT, "links": {"autotask": "x"}},
            "field 'links': read-only field",
            id="a read-only group of fields",
        ),
        pytest.param(
            {"phone": "555", "ownerId": 4},
            "field 'name': Missing data for required field.",
            id="a required field left out of a create",
        ),
        pytest.param(
            {**ACCOUNT, "name": None},
            "field 'name': Field may not be null.",
            id="a required field sent as null",
        ),
        pytest.param(
            {**ACCOUNT, "addresses": [{"type": "home", "city": "X"}]},
            "field 'addresses[0].type': unknown type 'home'; valid types: primary, billing",
            id="an address of an unknown type",
        ),
        pytest.param(
            {**ACCOUNT, "addresses": [{"city": "X", "country": "Atlantis"}]},
            "field 'addresses[type=primary].country': unknown value 'Atlantis'; valid "
            "values: Canada, Germany, United States",
            id="an unknown country",
        ),
        pytest.param(
            {**ACCOUNT, "customFields": {"Shoe Size": "42"}},
            "field 'customFields.Shoe Size': unknown custom field; valid ones: "
            "CustomerRanking, Support Tier",
            id="an unknown custom field, with the valid ones listed",
        ),
        pytest.param(
            {**ACCOUNT, "customFields": {"Support Tier": "Copper"}},
            "field 'customFields.Support Tier': unknown value 'Copper'; valid values: Gold, Silver",
            id="an unknown label of a picklist custom field",
        ),
        pytest.param(
            {**ACCOUNT, "customFields": {"CustomerRanking": ["a"]}},
            "field 'customFields.CustomerRanking.value': Not a valid text, number or boolean.",
            id="a custom field value that is not a scalar",
        ),
    ],
)
def test_account_bodies_that_are_refused(maps, ctx, body, message):
    error = refusal(maps["accounts"], body, ctx)
    assert message in error.message


def test_every_refused_field_is_reported_at_once(maps, ctx):
    error = refusal(maps["accounts"], {"name": 1, "phone": 2, "ownerId": 4}, ctx)
    assert error.fields == {"name": "Not a valid string.", "phone": "Not a valid string."}


def test_labels_are_checked_after_the_shape(maps, ctx):
    error = refusal(maps["accounts"], {**ACCOUNT, "type": "Nope", "classification": "Bronze"}, ctx)
    assert set(error.fields) == {"type", "classification"}


def test_a_body_must_be_an_object(maps, ctx):
    assert "JSON object" in refusal(maps["accounts"], ["name"], ctx).message


def test_a_create_gets_labels_as_values_and_defaults(maps, ctx):
    body = {
        **ACCOUNT,
        "type": "prospect",
        "website": "https://megadodo.example",
        "customFields": {"support tier": "Gold", "CustomerRanking": 7},
    }
    assert maps["accounts"].to_vendor(body, ctx, partial=False) == {
        "companyName": "Megadodo Publications",
        "phone": "555-0100",
        "ownerResourceID": 4,
        "companyType": 3,
        "webAddress": "https://megadodo.example",
        "isActive": True,
        "userDefinedFields": [
            {"name": "Support Tier", "value": "1"},
            {"name": "CustomerRanking", "value": "7"},
        ],
    }


def test_a_partial_update_needs_no_required_field_and_gets_no_default(maps, ctx):
    assert maps["accounts"].to_vendor({"website": None}, ctx, partial=True) == {"webAddress": None}
    assert maps["opportunities"].to_vendor({"probability": 80}, ctx, partial=True) == {
        "probability": 80
    }


def test_a_required_field_defaults_to_an_instance_setting(maps):
    body = {"name": "M", "phone": "555"}
    assert maps["accounts"].to_vendor(body, load_tenant(), partial=False)["ownerResourceID"] == (
        29682885
    )
    error = refusal(maps["accounts"], body, load_tenant(defaultOwnerId=None))
    assert error.fields == {
        "ownerId": "Missing data for required field (instance setting 'defaultOwnerId' is unset)."
    }


@pytest.mark.parametrize(
    ("setting", "written", "problem"),
    [
        pytest.param("29682885", 29682885, None, id="an id given as text is read as a number"),
        pytest.param(
            "Ford",
            None,
            "instance setting 'defaultOwnerId': 'Ford' is not a valid integer",
            id="a setting that is no id is named",
        ),
    ],
)
def test_settings_are_read_as_a_body_would_give_them(maps, setting, written, problem):
    body, ctx = {"name": "M", "phone": "555"}, load_tenant(defaultOwnerId=setting)
    if problem is None:
        assert maps["accounts"].to_vendor(body, ctx, partial=False)["ownerResourceID"] == written
    else:
        assert refusal(maps["accounts"], body, ctx).fields == {"ownerId": problem}


def test_an_opportunity_create_gets_autotask_s_required_defaults(maps, ctx):
    before = datetime.now(UTC).replace(microsecond=0)
    vendor = maps["opportunities"].to_vendor(OPPORTUNITY, ctx, partial=False)
    started = datetime.fromisoformat(vendor.pop("startDate"))
    assert before <= started <= datetime.now(UTC) + timedelta(seconds=1)
    assert vendor == {
        "title": "Guide reprint",
        "companyID": 5,
        "stage": 1,
        "projectedCloseDate": "2024-09-30T00:00:00Z",
        "ownerResourceID": 29682885,
        "amount": 0,
        "cost": 0,
        "status": 1,
        "probability": 0,
        "useQuoteTotals": False,
    }


def test_an_inactive_stage_is_refused_on_write(maps, ctx):
    error = refusal(maps["opportunities"], {**OPPORTUNITY, "stage": "Discovery (old)"}, ctx)
    assert error.fields == {
        "stage": "unknown value 'Discovery (old)'; valid values: Develop, Qualify, Won"
    }


@pytest.mark.parametrize(
    ("setting", "body", "source"),
    [
        pytest.param("Connector Sync", {}, 15, id="the instance's source, named by its label"),
        pytest.param("2", {}, 2, id="the instance's source, named by its value"),
        pytest.param("Connector Sync", {"source": "Phone"}, 2, id="a source in the body wins"),
        pytest.param(None, {}, None, id="no setting: Autotask applies its own default"),
    ],
)
def test_an_incident_carries_the_integration_s_ticket_source(maps, setting, body, source):
    vendor = maps["incidents"].to_vendor(
        {**INCIDENT, **body}, load_tenant(ticketSource=setting), partial=False
    )
    assert vendor.get("source") == source
    assert vendor["status"] == 1 and vendor["priority"] == 1


def test_an_unknown_ticket_source_setting_is_named(maps):
    error = refusal(maps["incidents"], INCIDENT, load_tenant(ticketSource="Carrier Pigeon"))
    assert error.fields["source"] == (
        "instance setting 'ticketSource': unknown value 'Carrier Pigeon'; valid values: "
        "Client Portal, Connector Sync, Insourced, Phone"
    )


def test_an_update_does_not_touch_the_ticket_source(maps, ctx):
    assert maps["incidents"].to_vendor({"priority": "low"}, ctx, partial=True) == {"priority": 3}


@pytest.mark.parametrize(
    ("given", "written"),
    [
        pytest.param(
            "2024-03-05T10:00:00+02:00", "2024-03-05T08:00:00Z", id="an offset goes to UTC"
        ),
        pytest.param("2024-03-05T10:00:00", "2024-03-05T10:00:00Z", id="no offset is read as UTC"),
        pytest.param(
            "2024-03-05T10:00:00.250Z", "2024-03-05T10:00:00.250Z", id="milliseconds stay"
        ),
        pytest.param("2024-03-05", "2024-03-05T00:00:00Z", id="a date is its midnight"),
    ],
)
def test_dates_are_written_in_utc(maps, ctx, given, written):
    assert maps["incidents"].to_vendor({"dueDate": given}, ctx, partial=True) == {
        "dueDateTime": written
    }


def test_a_date_that_is_not_iso_is_refused(maps, ctx):
    error = refusal(maps["incidents"], {"dueDate": "tomorrow"}, ctx, partial=True)
    assert error.fields == {"dueDate": "Not a valid ISO 8601 date-time."}


def test_a_contact_s_active_flag_is_autotask_s_integer(maps, ctx):
    contact = {"firstName": "Zaphod", "lastName": "Beeblebrox", "accountId": 5}
    assert maps["contacts"].to_vendor(contact, ctx, partial=False)["isActive"] == 1
    assert maps["contacts"].to_vendor({"active": False}, ctx, partial=True) == {"isActive": 0}


def test_a_contact_s_lists_replace_the_flat_fields(maps, ctx):
    body = {
        "emails": [{"address": "z@heart.of.gold"}, {"address": "p@x.io", "type": "primary"}],
        "phones": [{"number": "555-1", "type": "MOBILE"}],
    }
    assert maps["contacts"].to_vendor(body, ctx, partial=True) == {
        "emailAddress": "p@x.io",
        "emailAddress2": "z@heart.of.gold",
        "emailAddress3": None,
        "phone": None,
        "mobilePhone": "555-1",
        "alternatePhone": None,
        "faxNumber": None,
    }


@pytest.mark.parametrize(
    ("emails", "problem"),
    [
        pytest.param(
            [{"address": "not-an-email"}],
            ("emails[0].address", "Not a valid email address."),
            id="an address that is not an email",
        ),
        pytest.param(
            [{"type": "primary"}],
            ("emails[0].address", "Missing data for required field."),
            id="an item without its address, even in an update",
        ),
        pytest.param(
            [{"address": f"{n}@x.io"} for n in range(4)],
            ("emails", "at most 3 items (primary, secondary, other)"),
            id="more items than Autotask has fields",
        ),
        pytest.param(
            [{"address": "a@x.io", "type": "other"}, {"address": "b@x.io", "type": "Other"}],
            ("emails[1].type", "type 'Other' given twice"),
            id="one type twice",
        ),
    ],
)
def test_email_lists_that_are_refused(maps, ctx, emails, problem):
    error = refusal(maps["contacts"], {"emails": emails}, ctx, partial=True)
    assert error.fields == dict([problem])


def test_an_address_list_clears_what_it_leaves_out_and_takes_country_labels(maps, ctx):
    body = {"addresses": [{"type": "billing", "street1": "PO Box 1", "country": "germany"}]}
    assert maps["accounts"].to_vendor(body, ctx, partial=True) == {
        "address1": None,
        "address2": None,
        "city": None,
        "state": None,
        "postalCode": None,
        "countryID": None,
        "billingAddress1": "PO Box 1",
        "billingAddress2": None,
        "billToCity": None,
        "billToState": None,
        "billToZipCode": None,
        "billToCountryID": 83,
    }


def test_read_only_resources_accept_nothing(maps, ctx):
    error = refusal(maps["users"], {"firstName": "Ford"}, ctx, partial=True)
    assert error.fields == {"firstName": "read-only field"}


def test_to_vendor_leaves_the_body_alone(maps, ctx):
    body = {**ACCOUNT, "addresses": [{"city": "Denver"}], "customFields": {"Support Tier": "Gold"}}
    snapshot = repr(body)
    maps["accounts"].to_vendor(body, ctx, partial=False)
    assert repr(body) == snapshot
