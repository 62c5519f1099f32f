"""Each normalized resource's create, read, update and delete round trip over real HTTP."""

from __future__ import annotations

import pytest


@pytest.fixture
def owner(sandbox) -> int:
    return sandbox.ids("Resources")[1]


@pytest.fixture
def company(sandbox) -> int:
    return sandbox.ids("Companies")[1]


def _bodies(company: int, owner: int) -> dict[str, tuple[dict, dict]]:
    """Per resource: a create body and a partial update."""
    return {
        "accounts": (
            {
                "name": "Round Trip Ltd",
                "type": "Prospect",
                "phone": "555-0100",
                "ownerId": owner,
                "website": "https://round.example",
                "addresses": [
                    {
                        "type": "primary",
                        "street1": "1 Main St",
                        "city": "Leeds",
                        "country": "United Kingdom",
                    }
                ],
                "customFields": {"Support Tier": "Gold", "CustomerRanking": "Top"},
            },
            {"phone": "555-0199", "type": "Customer"},
        ),
        "contacts": (
            {
                "firstName": "Ada",
                "lastName": "Lovelace",
                "accountId": company,
                "title": "Engineer",
                "emails": [{"address": "ada@example.org", "type": "primary"}],
                "phones": [{"number": "555-0101", "type": "mobile"}],
                "customFields": {"Preferred Language": "German"},
            },
            {"title": "Chief Engineer"},
        ),
        "opportunities": (
            {
                "name": "Big deal",
                "accountId": company,
                "ownerId": owner,
                "stage": "Qualify",
                "status": "Active",
                "amount": 1200.5,
                "expectedCloseDate": "2027-01-31T00:00:00Z",
                "customFields": {"Deal Type": "Upsell"},
            },
            {"stage": "Propose", "probability": 40},
        ),
        "leads": (
            {"name": "Maybe Corp", "phone": "555-0102", "ownerId": owner},
            {"type": "Prospect"},
        ),
        "tasks": (
            {
                "accountId": company,
                "type": "Phone Call",
                "ownerId": owner,
                "description": "Call back",
                "dueDate": "2027-01-02T10:00:00Z",
            },
            {"description": "Call back twice"},
        ),
        "notes": (
            {
                "accountId": company,
                "type": "Meeting",
                "ownerId": owner,
                "title": "Kick-off",
                "content": "Went well",
            },
            {"content": "Went very well"},
        ),
        "incidents": (
            {
                "title": "Printer on fire",
                "accountId": company,
                "priority": "High",
                "queue": "Level I Support",
                "customFields": {"Impact": "Department"},
            },
            {"status": "In Progress", "priority": "Critical"},
        ),
    }


@pytest.mark.parametrize(
    "resource", ["accounts", "contacts", "opportunities", "leads", "tasks", "notes", "incidents"]
)
def test_create_read_update_round_trip(hub, sandbox, company, owner, resource):
    create, update = _bodies(company, owner)[resource]
    created = hub.ok("POST", resource, json=create)
    record_id = created["id"]
    for key, value in create.items():
        if key == "customFields":
            assert {k: created[key][k] for k in value} == value
        elif key in ("emails", "phones", "addresses"):
            assert [
                {k: item.get(k) for k in sent}
                for item, sent in zip(created[key], value, strict=True)
            ] == value
        elif key.endswith("Date"):
            assert created[key].startswith(value[:10])
        else:
            assert created[key] == value, key
    assert created["links"]["autotask"].startswith(sandbox.url)
    read = hub.ok("GET", f"{resource}/{record_id}")
    assert read == created
    updated = hub.ok("PATCH", f"{resource}/{record_id}", json=update)
    for key, value in update.items():
        assert updated[key] == value
    assert hub.ok("GET", f"{resource}/{record_id}") == updated
    untouched = {
        k: v
        for k, v in created.items()
        if k not in update and "Date" not in k and k not in ("lastActivityDate",)
    }
    assert {k: updated.get(k) for k in untouched} == untouched


@pytest.mark.parametrize("resource", ["contacts", "tasks"])
def test_delete_where_autotask_allows_it(hub, sandbox, company, owner, resource):
    created = hub.ok("POST", resource, json=_bodies(company, owner)[resource][0])
    entity = {"contacts": "Contacts", "tasks": "CompanyToDos"}[resource]
    assert sandbox.record(entity, created["id"]) is not None
    assert hub.ok("DELETE", f"{resource}/{created['id']}") == {"id": created["id"], "deleted": True}
    assert sandbox.record(entity, created["id"]) is None
    assert hub.get(f"{resource}/{created['id']}").status_code == 404
    child_path = "contacts" if resource == "contacts" else "todos"
    deletes = sandbox.requests(method="DELETE")
    expected = f"/companies/{company}/{child_path}/{created['id']}"
    assert deletes[-1]["path"].lower().endswith(expected)


@pytest.mark.parametrize(
    ("resource", "method", "fragment"),
    [
        pytest.param("accounts", "DELETE", "canDelete", id="companies cannot be deleted"),
        pytest.param("incidents", "DELETE", "Complete", id="tickets cannot be deleted"),
        pytest.param("users", "POST", "read-only", id="users cannot be created"),
        pytest.param("users", "PATCH", "read-only", id="users cannot be updated"),
    ],
)
def test_operations_autotask_refuses_give_405_saying_why(hub, sandbox, resource, method, fragment):
    record_id = sandbox.ids(
        {"accounts": "Companies", "incidents": "Tickets", "users": "Resources"}[resource]
    )[1]
    path = resource if method == "POST" else f"{resource}/{record_id}"
    before = len(sandbox.requests())
    response = hub.call(method, path, json={})
    assert response.status_code == 405, response.text
    assert fragment in response.json()["message"]
    assert len(sandbox.requests()) == before  # refused without asking Autotask


def test_child_records_are_written_under_the_parent_url(hub, sandbox, company):
    hub.ok(
        "POST", "contacts", json={"firstName": "Kid", "lastName": "Record", "accountId": company}
    )
    posts = sandbox.requests(method="POST")
    assert posts[-1]["path"].lower().endswith(f"/companies/{company}/contacts")


def test_updating_a_child_without_its_parent_reads_the_parent_first(hub, sandbox, company):
    created = hub.ok(
        "POST", "contacts", json={"firstName": "Up", "lastName": "Date", "accountId": company}
    )
    hub.ok("PATCH", f"contacts/{created['id']}", json={"title": "CTO"})
    patches = sandbox.requests(method="PATCH")
    assert patches[-1]["path"].lower().endswith(f"/companies/{company}/contacts")
    assert patches[-1]["body"]["id"] == created["id"]


def test_incidents_carry_the_instance_ticket_source(connect_hub, sandbox, company):
    hub = connect_hub(sandbox, configuration={"crm.autotask.ticket.source": "Monitoring Alert"})
    created = hub.ok(
        "POST",
        "incidents",
        json={"title": "Disk full", "accountId": company, "priority": "Low", "queue": "Post Sale"},
    )
    assert created["source"] == "Monitoring Alert"
    assert sandbox.record("Tickets", created["id"])["source"] == 6
    helpdesk = hub.call("GET", f"../helpdesk/incidents/{created['id']}")
    assert helpdesk.status_code == 200 and helpdesk.json()["id"] == created["id"]


def test_leads_are_companies_of_lead_types_only(hub, sandbox):
    customer = next(
        i for i in sandbox.ids("Companies") if sandbox.record("Companies", i)["companyType"] == 1
    )
    assert hub.get(f"leads/{customer}").status_code == 404
    assert hub.get(f"accounts/{customer}").status_code == 200


def test_autotask_validation_errors_give_400_with_its_text(hub, company):
    response = hub.call(
        "POST", "incidents", json={"title": "No queue", "accountId": company, "priority": "Low"}
    )
    assert response.status_code == 400
    assert "queueID" in response.json()["providerMessage"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param(
            {"firstName": "A", "lastName": "B", "accountId": 1, "shoeSize": 9},
            "shoeSize",
            id="an unknown field is named",
        ),
        pytest.param(
            {"firstName": "A", "lastName": "B", "accountId": "one"},
            "accountId",
            id="a wrong type is named",
        ),
        pytest.param(
            {"firstName": "A", "accountId": 1}, "lastName", id="a missing required field is named"
        ),
        pytest.param(
            {
                "firstName": "A",
                "lastName": "B",
                "accountId": 1,
                "customFields": {"Preferred Language": "Klingon"},
            },
            "English",
            id="an unknown picklist label lists the valid ones",
        ),
    ],
)
def test_bad_bodies_give_400_naming_the_field_before_any_write(hub, sandbox, body, fragment):
    response = hub.call("POST", "contacts", json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]
    assert not sandbox.requests(method="POST")
