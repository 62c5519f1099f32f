"""The other entities' URLs, rules and system fields (reference sections 5 and 10; the
best-practices seed's LastModifiedDate/LastActivityDate table)."""

from __future__ import annotations

import pytest

from tests.sandbox.refusals import refusal_text, refused

OWNER = 29682881


def opportunity(company_id, **fields):
    return {
        "title": "Deal",
        "companyID": company_id,
        "ownerResourceID": OWNER,
        "status": 1,
        "stage": 1,
        "probability": 10,
        "amount": 1000,
        "cost": 500,
        "projectedCloseDate": "2030-01-01",
        "startDate": "2029-01-01",
        **fields,
    }


@pytest.fixture
def company_id(sandbox):
    return sandbox.ids("Companies")[1]


def test_losing_an_opportunity_stamps_lost_date(sandbox, company_id):
    opp_id = sandbox.call("POST", "Opportunities", json=opportunity(company_id)).json()["itemId"]
    sandbox.call("PATCH", "Opportunities", json={"id": opp_id, "status": 2, "stage": 6})
    record = sandbox.record("Opportunities", opp_id)
    assert record["lostDate"] and record["closedDate"] is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"probability": 101},
            "probability must be between 0 and 100.",
            id="probability above 100",
        ),
        pytest.param(
            {"stage": 7},
            "The value 7 of field stage is inactive and cannot be assigned.",
            id="an inactive stage",
        ),
        pytest.param(
            {"companyID": 42},
            "Reference value on field: companyID of type: Company does not exist or is invalid.",
            id="a company that does not exist",
        ),
    ],
)
def test_invalid_opportunities_are_refused(sandbox, company_id, fields, message):
    body = opportunity(company_id, **fields)
    assert refusal_text(sandbox, "POST", "Opportunities", body) == message


def test_a_company_note_is_written_under_its_company_and_is_company_activity(sandbox, company_id):
    answer = sandbox.call(
        "POST",
        f"Companies/{company_id}/Notes",
        json={
            "actionType": 3,
            "assignedResourceID": OWNER,
            "name": "QBR",
            "startDateTime": "2030-01-01T10:00:00Z",
            "endDateTime": "2030-01-01T11:00:00Z",
        },
    )
    note = sandbox.record("CompanyNotes", answer.json()["itemId"])
    assert note["companyID"] == company_id and note["lastModifiedDate"]
    assert sandbox.record("Companies", company_id)["lastActivityDate"] == note["createDateTime"]


def test_a_child_body_must_agree_with_its_parent_url(sandbox, company_id):
    body = {
        "companyID": 0,
        "actionType": 3,
        "assignedResourceID": OWNER,
        "startDateTime": "2030-01-01",
        "endDateTime": "2030-01-02",
    }
    assert refusal_text(sandbox, "POST", f"Companies/{company_id}/Notes", body) == (
        f"The companyID in the body (0) does not match the parent id in the URL ({company_id})."
    )


def test_an_activity_cannot_end_before_it_starts(sandbox, company_id):
    body = {"actionType": 3, "startDateTime": "2030-01-02", "endDateTime": "2030-01-01"}
    assert refusal_text(sandbox, "POST", f"Companies/{company_id}/ToDos", body) == (
        "The endDateTime must be later than the startDateTime."
    )


def test_to_dos_are_created_and_deleted_under_their_company(sandbox):
    answer = sandbox.call(
        "POST",
        "Companies/0/ToDos",
        json={
            "ActionType": 3,
            "AssignedToResourceID": OWNER,
            "CompanyID": 0,
            "ActivityDescription": "Call back",
            "StartDateTime": "2020-06-15",
            "EndDateTime": "2020-06-16",
        },
    )
    todo_id = answer.json()["itemId"]
    deleted = sandbox.call("DELETE", f"Companies/0/ToDos/{todo_id}")
    assert deleted.json() == {"itemId": todo_id} and sandbox.record("CompanyToDos", todo_id) is None


def test_deleting_under_the_wrong_parent_finds_nothing(sandbox):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    wrong = next(c for c in sandbox.ids("Companies") if c != contact["companyID"])
    path = f"Companies/{wrong}/Contacts/{contact['id']}"
    assert refusal_text(sandbox, "DELETE", path, record=("Contacts", contact["id"])) == (
        "No matching records found"
    )


def test_resources_can_be_updated_but_not_created(sandbox):
    patched = sandbox.call("PATCH", "Resources", json={"id": OWNER, "title": "Lead"})
    assert patched.json() == {"itemId": OWNER}
    assert sandbox.record("Resources", OWNER)["title"] == "Lead"
    assert refused(sandbox, "POST", "Resources", {}, status=405) == {
        "Message": "The requested resource does not support http method 'POST'."
    }


def test_updating_a_contact_stamps_last_modified_and_last_activity(sandbox):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    sandbox.call(
        "PATCH",
        f"Companies/{contact['companyID']}/Contacts",
        json={"id": contact["id"], "title": "Boss"},
    )
    after = sandbox.record("Contacts", contact["id"])
    assert after["lastModifiedDate"] > contact["lastModifiedDate"]
    assert after["lastActivityDate"] == after["lastModifiedDate"]


def test_contacts_is_active_is_an_integer(sandbox, company_id):
    body = {"firstName": "A", "lastName": "B", "isActive": 2}
    assert refusal_text(sandbox, "POST", f"Companies/{company_id}/Contacts", body) == (
        "Invalid value 2 for field isActive."
    )


def test_a_picklist_udf_takes_an_active_item_value(sandbox):
    udfs = [{"name": "Support Tier", "value": "2"}]
    answer = sandbox.call("PATCH", "Companies", json={"id": 0, "userDefinedFields": udfs})
    assert answer.status_code == 200, answer.text
    assert {"name": "Support Tier", "value": "2"} in sandbox.record("Companies", 0)[
        "userDefinedFields"
    ]


@pytest.mark.parametrize(
    ("udfs", "error"),
    [
        pytest.param(
            [{"name": "Support Tier", "value": "4"}],
            "The value 4 of field Support Tier is inactive and cannot be assigned.",
            id="an inactive UDF item",
        ),
        pytest.param(
            [{"name": "Support Tier", "value": "Gold"}],
            "Value does not reference an existing entity for Support Tier . ",
            id="a UDF label instead of its value",
        ),
        pytest.param(
            [{"name": "NoSuchField", "value": "x"}],
            "Unable to find NoSuchField in the Company Entity",
            id="an unknown UDF",
        ),
    ],
)
def test_picklist_udfs_refuse_other_values(sandbox, udfs, error):
    body = {"id": 0, "userDefinedFields": udfs}
    assert refusal_text(sandbox, "PATCH", "Companies", body, record=("Companies", 0)) == error


def test_impersonation_credits_the_impersonated_resource(sandbox, company_id):
    answer = sandbox.call(
        "POST",
        "Opportunities",
        json=opportunity(company_id),
        headers={"ImpersonationResourceId": "29682883"},
    )
    record = sandbox.record("Opportunities", answer.json()["itemId"])
    assert (record["creatorResourceID"], record["impersonatorCreatorResourceID"]) == (
        29682883,
        29682880,
    )


def test_impersonating_an_unknown_resource_is_refused(sandbox, company_id):
    error = refusal_text(
        sandbox,
        "POST",
        "Opportunities",
        opportunity(company_id),
        headers={"ImpersonationResourceId": "1"},
    )
    assert error == "The impersonated resource 1 does not exist or is inactive."
