"""Projects with their Tasks, and ClientPortalUsers (the entities behind Cloud Elements'
`tasks`, `users` and `customers`; cloud-elements.md section 10), over real HTTP."""

from __future__ import annotations

import pytest

from tests.sandbox.refusals import refusal_text, refused

ALICE = 29682881
ALL = {"filter": [{"op": "exist", "field": "id"}]}


def project(company_id, **fields):
    return {
        "projectName": "Network refresh",
        "companyID": company_id,
        "status": 1,
        "projectType": 5,
        "startDateTime": "2030-01-01T00:00:00Z",
        "endDateTime": "2030-02-01T00:00:00Z",
        **fields,
    }


def task(**fields):
    return {"title": "Site survey", "status": 1, "taskType": 1, **fields}


def portal_user(contact_id, **fields):
    """Cloud Elements' test body for a `users`/`customers` record, in REST field names."""
    return {
        "contactID": contact_id,
        "userName": f"user{contact_id}@example.com",
        "password": "Correct-Horse-9",
        "securityLevel": 5,
        "dateFormat": 1,
        "timeFormat": 19,
        "numberFormat": 22,
        "isClientPortalActive": True,
        **fields,
    }


@pytest.fixture
def company_id(sandbox):
    return sandbox.ids("Companies")[1]


@pytest.fixture
def project_id(sandbox, company_id):
    answer = sandbox.call("POST", "Projects", json=project(company_id))
    assert answer.status_code == 200, answer.text
    return answer.json()["itemId"]


def free_contact(box) -> int:
    """An active contact without a portal login."""
    with box.store.read() as conn:
        return conn.execute(
            'SELECT id FROM "Contacts" WHERE "isActive" = 1 AND id NOT IN '
            '(SELECT "contactID" FROM "ClientPortalUsers") ORDER BY id LIMIT 1'
        ).fetchone()[0]


def test_the_seed_gives_every_tenth_company_a_project_with_three_tasks(sandbox):
    projects = sandbox.call("POST", "Projects/query", json=ALL).json()["items"]
    tasks = sandbox.call("POST", "Tasks/query", json=ALL).json()["items"]
    users = sandbox.call("POST", "ClientPortalUsers/query", json=ALL).json()["items"]
    assert (len(projects), len(tasks), len(users)) == (1, 3, 2)  # 10 companies
    assert {t["projectID"] for t in tasks} == {projects[0]["id"]}
    contacts = [sandbox.record("Contacts", u["contactID"]) for u in users]
    assert len({c["id"] for c in contacts}) == 2 and all(c["isActive"] for c in contacts)
    assert all("password" not in u for u in users)


def test_a_project_is_created_and_updated_at_its_root(sandbox, company_id, project_id):
    patched = sandbox.call("PATCH", "Projects", json={"id": project_id, "status": 2})
    record = sandbox.record("Projects", project_id)
    assert patched.json() == {"itemId": project_id}
    assert (record["status"], record["companyID"]) == (2, company_id)
    assert record["createDateTime"] and record["lastActivityDateTime"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        pytest.param(
            {"projectName": None},
            "Value does not exist for the required field projectName.",
            id="a name is required",
        ),
        pytest.param(
            {"endDateTime": "2029-12-01T00:00:00Z"},
            "The endDateTime must be later than the startDateTime.",
            id="it cannot end before it starts",
        ),
        pytest.param(
            {"status": 6},
            "The value 6 of field status is inactive and cannot be assigned.",
            id="an inactive status",
        ),
        pytest.param(
            {"companyID": 42},
            "Reference value on field: companyID of type: Company does not exist or is invalid.",
            id="a company that does not exist",
        ),
    ],
)
def test_invalid_projects_are_refused(sandbox, company_id, fields, error):
    assert refusal_text(sandbox, "POST", "Projects", project(company_id, **fields)) == error


def test_tasks_are_written_under_their_project_and_read_flat(sandbox, project_id):
    created = sandbox.call(
        "POST", f"Projects/{project_id}/Tasks", json=task(assignedResourceID=ALICE)
    )
    task_id = created.json()["itemId"]
    patched = sandbox.call(
        "PATCH", f"Projects/{project_id}/Tasks", json={"id": task_id, "estimatedHours": 6}
    )
    found = sandbox.call(
        "POST",
        "Tasks/query",
        json={"filter": [{"op": "eq", "field": "projectID", "value": project_id}]},
    ).json()["items"]
    record = sandbox.record("Tasks", task_id)
    assert patched.json() == {"itemId": task_id}
    assert [t["id"] for t in found] == [task_id]
    assert (record["projectID"], record["estimatedHours"], record["assignedResourceID"]) == (
        project_id,
        6,
        ALICE,
    )
    assert (
        sandbox.record("Projects", project_id)["lastActivityDateTime"]
        == (record["lastActivityDateTime"])
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "Tasks", id="no root create"),
        pytest.param("PATCH", "Tasks", id="no root update"),
        pytest.param("DELETE", "Tasks/1", id="no delete"),
        pytest.param("DELETE", "Projects/1", id="no project delete"),
    ],
)
def test_tasks_take_only_their_projects_urls(sandbox, method, path):
    assert refused(sandbox, method, path, task(projectID=1), status=405) == {
        "Message": f"The requested resource does not support http method '{method}'."
    }


def test_a_task_is_updated_only_under_its_own_project(sandbox, company_id, project_id):
    other = sandbox.call("POST", "Projects", json=project(company_id)).json()["itemId"]
    task_id = sandbox.call("POST", f"Projects/{project_id}/Tasks", json=task()).json()["itemId"]
    body = {"id": task_id, "title": "Moved"}
    wrong_parent = refusal_text(
        sandbox, "PATCH", f"Projects/{other}/Tasks", body, record=("Tasks", task_id)
    )
    mismatch = refusal_text(sandbox, "POST", f"Projects/{project_id}/Tasks", task(projectID=other))
    assert wrong_parent == "No matching records found"
    assert mismatch == (
        f"The projectID in the body ({other}) does not match the parent id in the URL "
        f"({project_id})."
    )


def test_a_task_needs_a_known_type(sandbox, project_id):
    error = refusal_text(sandbox, "POST", f"Projects/{project_id}/Tasks", task(taskType=9))
    assert error == "Value does not reference an existing entity for taskType . "


def test_a_portal_user_takes_cloud_elements_values_and_never_answers_its_password(sandbox):
    contact_id = free_contact(sandbox)
    answer = sandbox.call("POST", "ClientPortalUsers", json=portal_user(contact_id))
    user_id = answer.json()["itemId"]
    item = sandbox.call("GET", f"ClientPortalUsers/{user_id}").json()["item"]
    included = sandbox.call(
        "POST", "ClientPortalUsers/query", json={**ALL, "IncludeFields": ["password", "userName"]}
    ).json()["items"]
    logged = sandbox.requests("ClientPortalUsers", method="POST")[0]["body"]
    with sandbox.store.read() as conn:
        stored = conn.execute(
            'SELECT "password" FROM "ClientPortalUsers" WHERE id = ?', (user_id,)
        ).fetchone()[0]
    assert {k: item[k] for k in ("contactID", "securityLevel", "dateFormat", "timeFormat")} == {
        "contactID": contact_id,
        "securityLevel": 5,
        "dateFormat": 1,
        "timeFormat": 19,
    }
    assert (item["numberFormat"], item["isClientPortalActive"]) == (22, True)
    assert "password" not in item and all("password" not in i for i in included)
    assert logged["password"] == "****"
    assert stored.startswith("pbkdf2_sha256$") and "Correct-Horse-9" not in stored


def test_an_update_without_the_password_keeps_it(sandbox):
    user_id = sandbox.call(
        "POST", "ClientPortalUsers", json=portal_user(free_contact(sandbox))
    ).json()["itemId"]

    def stored():
        with sandbox.store.read() as conn:
            return conn.execute(
                'SELECT "password" FROM "ClientPortalUsers" WHERE id = ?', (user_id,)
            ).fetchone()[0]

    before = stored()
    sandbox.call("PATCH", "ClientPortalUsers", json={"id": user_id, "securityLevel": 1})
    kept = stored()
    sandbox.call("PATCH", "ClientPortalUsers", json={"id": user_id, "password": "New-Pass-77"})
    assert kept == before and stored() != before
    assert sandbox.record("ClientPortalUsers", user_id)["securityLevel"] == 1


def test_user_names_are_unique_whatever_their_case(sandbox):
    first = free_contact(sandbox)
    sandbox.call("POST", "ClientPortalUsers", json=portal_user(first, userName="Ann@Example.com"))
    body = portal_user(free_contact(sandbox), userName="ann@example.COM")
    assert refusal_text(sandbox, "POST", "ClientPortalUsers", body) == (
        "A ClientPortalUser already exists with userName [ann@example.COM]."
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        pytest.param(
            {"contactID": None},
            "Value does not exist for the required field contactID.",
            id="a contact is required",
        ),
        pytest.param(
            {"contactID": 1},
            "Reference value on field: contactID of type: Contact does not exist or is invalid.",
            id="a contact that does not exist",
        ),
        pytest.param(
            {"securityLevel": 4},
            "The value 4 of field securityLevel is inactive and cannot be assigned.",
            id="an inactive security level",
        ),
        pytest.param(
            {"password": "x" * 129},
            "String value exceeds maximum length (field:password).",
            id="a password too long",
        ),
    ],
)
def test_invalid_portal_users_are_refused(sandbox, fields, error):
    body = portal_user(free_contact(sandbox), **fields)
    assert refusal_text(sandbox, "POST", "ClientPortalUsers", body) == error


def test_the_password_is_not_queryable_but_is_in_the_metadata(sandbox):
    fields = sandbox.call("GET", "ClientPortalUsers/entityInformation/fields").json()["fields"]
    password = next(f for f in fields if f["name"] == "password")
    query = {"filter": [{"op": "eq", "field": "password", "value": "x"}]}
    answer = sandbox.call("POST", "ClientPortalUsers/query", json=query)
    assert (password["isQueryable"], password["isRequired"]) == (False, False)
    assert (answer.status_code, answer.json()) == (
        500,
        {"errors": ["The field password of the ClientPortalUser entity is not queryable."]},
    )
