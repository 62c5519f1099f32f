"""Checklist "Records" (reference sections 4, 5 and 13), over real HTTP."""

from __future__ import annotations

import pytest

from tests.sandbox.refusals import refusal_text, refused

NEW_COMPANY = {
    "companyName": "Sirius Cybernetics",
    "companyType": 1,
    "ownerResourceID": 29682881,
    "phone": "5555555555",
}


def test_get_of_a_missing_id_is_200_with_a_null_item(sandbox):
    answer = sandbox.call("GET", "Companies/9999999")
    assert (answer.status_code, answer.json()) == (200, {"item": None})


def test_company_zero_is_the_tenants_own_company(sandbox):
    assert sandbox.call("GET", "Companies/0").json()["item"]["companyName"]


def test_create_answers_item_id_and_the_record_reads_back(sandbox):
    answer = sandbox.call("POST", "Companies", json=NEW_COMPANY)
    item = sandbox.call("GET", f"Companies/{answer.json()['itemId']}").json()["item"]
    assert answer.status_code == 200 and set(answer.json()) == {"itemId"}
    assert item["companyName"] == "Sirius Cybernetics" and item["createDate"]


def test_patch_goes_to_the_collection_with_the_id_in_the_body(sandbox):
    company_id = sandbox.ids("Companies")[1]
    answer = sandbox.call(
        "PATCH",
        "Companies",
        json={
            "id": company_id,
            "companyName": "ABC",
            "userDefinedFields": [{"name": "CustomerRanking", "value": "Golden"}],
        },
    )
    record = sandbox.record("Companies", company_id)
    assert answer.json() == {"itemId": company_id}
    assert record["companyName"] == "ABC"
    assert {"name": "CustomerRanking", "value": "Golden"} in record["userDefinedFields"]


def test_put_clears_fields_not_sent_and_keeps_read_only_ones(sandbox):
    company_id = sandbox.ids("Companies")[1]
    before = sandbox.record("Companies", company_id)
    sandbox.call("PUT", "Companies", json={"id": company_id, **NEW_COMPANY})
    after = sandbox.record("Companies", company_id)
    assert after["city"] is None and before["city"] is not None
    assert after["createDate"] == before["createDate"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("PATCH", "Companies/0", id="PATCH on an id"),
        pytest.param("DELETE", "Companies/0", id="deleting a company"),
        pytest.param("GET", "Contacts", id="GET on a write-only root"),
        pytest.param("POST", "Contacts", id="root POST of a child-only entity"),
        pytest.param("POST", "Resources", id="creating a resource"),
        pytest.param("PATCH", "Companies/0/Contacts/1", id="PATCH on a child id"),
    ],
)
def test_unsupported_verbs_are_405_with_message(sandbox, method, path):
    assert refused(sandbox, method, path, {}, status=405) == {
        "Message": f"The requested resource does not support http method '{method}'."
    }


def test_contacts_are_written_under_their_company(sandbox):
    company_id = sandbox.ids("Companies")[1]
    created = sandbox.call(
        "POST",
        f"Companies/{company_id}/Contacts",
        json={"firstName": "Ada", "lastName": "Lovelace", "isActive": 1},
    )
    contact_id = created.json()["itemId"]
    patched = sandbox.call(
        "PATCH", f"Companies/{company_id}/Contacts", json={"id": contact_id, "title": "Countess"}
    )
    child = sandbox.call("GET", f"Companies/{company_id}/Contacts/{contact_id}").json()
    deleted = sandbox.call("DELETE", f"Companies/{company_id}/Contacts/{contact_id}")
    assert sandbox.record("Contacts", contact_id) is None
    assert patched.json() == {"itemId": contact_id}
    assert child["item"]["title"] == "Countess" and child["item"]["companyID"] == company_id
    assert deleted.json() == {"itemId": contact_id}


def test_child_list_returns_the_parents_children(sandbox):
    company_id = sandbox.record("Contacts", sandbox.ids("Contacts")[0])["companyID"]
    items = sandbox.call("GET", f"Companies/{company_id}/Contacts").json()["items"]
    assert len(items) == sandbox.count("Contacts", companyID=company_id)


def test_writes_accept_pascal_case_keys(sandbox):
    body = {
        "CompanyName": "Pascal Inc",
        "CompanyType": 1,
        "OwnerResourceID": 29682881,
        "Phone": "1",
    }
    answer = sandbox.call("POST", "Companies", json=body)
    assert sandbox.record("Companies", answer.json()["itemId"])["companyName"] == "Pascal Inc"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        pytest.param(
            {"companyName": None},
            "Value does not exist for the required field companyName.",
            id="a required field missing",
        ),
        pytest.param(
            {"companyName": "x" * 101},
            "String value exceeds maximum length (field:companyName).",
            id="a string too long",
        ),
        pytest.param(
            {"companyType": 5},
            "Value does not reference an existing entity for companyType . ",
            id="a picklist value that does not exist",
        ),
        pytest.param(
            {"classification": 5},
            "The value 5 of field classification is inactive and cannot be assigned.",
            id="an inactive picklist value",
        ),
        pytest.param(
            {"ownerResourceID": 12345},
            "Reference value on field: ownerResourceID of type: Resource does not "
            "exist or is invalid.",
            id="a reference to a missing resource",
        ),
        pytest.param(
            {"ownerResourceID": 29682898},
            "Reference value on field: ownerResourceID of type: Resource does not "
            "exist or is invalid.",
            id="a reference to an inactive resource",
        ),
        pytest.param(
            {"ownerResourceID": 2**63},
            f"Could not convert value {2**63} to integer for field ownerResourceID.",
            id="a number beyond Int64",
        ),
        pytest.param(
            {"ownerResourceID": "\uff11"},
            "Could not convert value '\uff11' to integer for field ownerResourceID.",
            id="a full-width digit for a number",
        ),
    ],
)
def test_invalid_creates_are_500_with_autotasks_errors(sandbox, change, error):
    assert refused(sandbox, "POST", "Companies", {**NEW_COMPANY, **change}) == {"errors": [error]}


def test_an_update_of_an_id_beyond_int64_is_a_500(sandbox):
    assert refused(sandbox, "PATCH", "Companies", {"id": 2**63, "companyName": "X"}) == {
        "errors": [f"Could not convert value {2**63} to long for field id."]
    }


def test_changing_a_read_only_field_is_refused(sandbox):
    body = {"id": 0, "createDate": "2001-01-01"}
    assert refusal_text(sandbox, "PATCH", "Companies", body, record=("Companies", 0)) == (
        "The field createDate is read-only and cannot be updated."
    )


def test_a_contacts_company_must_match_the_records_company(sandbox):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    other = next(c for c in sandbox.ids("Companies")[1:] if c != contact["companyID"])
    error = refusal_text(
        sandbox,
        "POST",
        "Opportunities",
        {
            "title": "Deal",
            "companyID": other,
            "contactID": contact["id"],
            "ownerResourceID": 29682881,
            "status": 1,
            "stage": 1,
            "probability": 10,
            "amount": 1,
            "cost": 1,
            "projectedCloseDate": "2030-01-01",
            "startDate": "2029-01-01",
        },
    )
    assert error == (
        f"The Contact {contact['id']} referenced by contactID does not belong to Company {other}."
    )
