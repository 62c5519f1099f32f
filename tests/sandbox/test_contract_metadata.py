"""Entity metadata (reference section 6): entityInformation, fields, userDefinedFields."""

from __future__ import annotations

import pytest


def test_entity_information_describes_the_entity(sandbox):
    info = sandbox.call("GET", "Companies/entityInformation").json()["info"]
    assert info["name"] == "Companies"
    assert (info["canCreate"], info["canDelete"], info["canUpdate"]) == (True, False, True)


def test_fields_carry_picklists_with_string_values(sandbox):
    fields = sandbox.call("GET", "Companies/entityInformation/fields").json()["fields"]
    company_type = next(f for f in fields if f["name"] == "companyType")
    customer = company_type["picklistValues"][0]
    assert company_type["isPickList"] and company_type["dataType"] == "short"
    assert customer == {
        "value": "1",
        "label": "Customer",
        "isDefaultValue": False,
        "sortOrder": 0,
        "parentValue": "",
        "isActive": True,
        "isSystem": True,
    }


def test_child_picklists_carry_their_parent_value(sandbox):
    fields = sandbox.call("GET", "Tickets/entityInformation/fields").json()["fields"]
    sub_issue = next(f for f in fields if f["name"] == "subIssueType")
    assert sub_issue["picklistParentValueField"] == "issueType"
    assert all(v["parentValue"] for v in sub_issue["picklistValues"])


@pytest.mark.parametrize("entity", ["Companies", "Contacts", "Opportunities", "Tickets"])
def test_user_defined_fields_include_a_picklist_and_a_text_field(sandbox, entity):
    udfs = sandbox.call("GET", f"{entity}/entityInformation/userDefinedFields").json()["fields"]
    assert any(u["isPickList"] for u in udfs) and any(not u["isPickList"] for u in udfs)


def test_non_picklist_fields_have_null_picklist_values(sandbox):
    fields = sandbox.call("GET", "Contacts/entityInformation/fields").json()["fields"]
    assert next(f for f in fields if f["name"] == "firstName")["picklistValues"] is None


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("Contacts/entityInformation", id="at the root"),
        pytest.param("Companies/Contacts/entityInformation", id="under the parent"),
        pytest.param("Companies/0/Contacts/entityInformation", id="under a parent record"),
    ],
)
def test_entity_information_is_valid_on_child_paths(sandbox, path):
    assert sandbox.call("GET", path).json()["info"]["name"] == "Contacts"


def test_child_fields_are_served_under_the_parent_too(sandbox):
    fields = sandbox.call("GET", "Tickets/Notes/entityInformation/fields").json()["fields"]
    assert "noteType" in [f["name"] for f in fields]
