"""Cloud Elements' own calls, bodies and assertions (its public API tests for `autotaskcrm`,
reference/cloud-elements.md section 10), replayed against the service and the sandbox over
real HTTP (issue #18): a client of the old element switches by changing its base URL.

The records the SOAP-era model answers are compared with the sandbox's own rows, so a field
that reads right but writes the wrong Autotask field fails here."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import requests
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV2SpecValidator

from tests.fixtures.hub import BASE, instance_body

ORIGIN = "https://app.example.com"
# general/headers.js: what a browser client must be able to read
CE_EXPOSED = {
    "Elements-Returned-Count",
    "Elements-Total-Count",
    "Elements-Request-Id",
    "Elements-Next-Page-Token",
    "Elements-Trace-Id",
    "Elements-Error",
    "Content-Disposition",
}


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, readable_tokens=True, cors_origins=ORIGIN)


class Client:
    """A Cloud Elements client: base URL, its secrets, and the instance token once it has one."""

    def __init__(self, live_server, tenant) -> None:
        self.url = live_server.url + BASE
        self.tenant = tenant
        self.token: str | None = None

    def call(self, method: str, path: str, *, token: bool = True, **kwargs: Any):
        headers = self.tenant.headers(self.token if token else None)
        headers.update(kwargs.pop("headers", {}))
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response.json()


@pytest.fixture
def ce(live_server, tenant, sandbox) -> Client:
    """An instance of the Cloud Elements model, created with the docs' body (no tags)."""
    client = Client(live_server, tenant)
    body = instance_body(sandbox, configuration={"crm.autotask.model": "cloudElements"})
    body.pop("tags")
    created = client.ok("POST", "/instances", json=body, token=False)
    client.token = created["token"]
    client.instance = created
    return client


def row(sandbox, entity: str, record_id: int) -> dict[str, Any]:
    found = sandbox.record(entity, record_id)
    assert found is not None, f"no {entity} {record_id} in the sandbox"
    return found


def owner(sandbox) -> int:
    return sandbox.ids("Resources")[0]


# -- instances ----------------------------------------------------------------------------------
def test_the_instance_schema_has_the_token_wherever_cloud_elements_returned_it(ce):
    instance = ce.instance
    # instances.js: required id, name, token, valid, tags, user{id, emailAddress, ...}
    for key in ("id", "name", "token", "valid", "tags", "user"):
        assert key in instance, key
    assert {"id", "emailAddress", "firstName", "lastName"} <= set(instance["user"])
    assert instance["tags"] == [instance["name"]]  # no tags sent: the name is the first
    read = ce.ok("GET", f"/instances/{instance['id']}", token=False)
    assert read["token"] == ce.token
    assert read["configuration"]["crm.autotask.password"] == "********"
    listed = ce.ok("GET", "/instances", token=False)
    assert [i["token"] for i in listed if i["id"] == instance["id"]] == [ce.token]


# -- SOAP-era resources, against the sandbox's rows ---------------------------------------------
def test_accounts_create_read_update_and_search_by_soap_names(ce, sandbox):
    body = {"accountName": "Churros Inc", "accountType": 1, "phone": "303-555-3001"}
    created = ce.ok("POST", "/hubs/crm/accounts", json={**body, "ownerResourceID": owner(sandbox)})
    stored = row(sandbox, "Companies", created["id"])
    assert (stored["companyName"], stored["companyType"], stored["phone"]) == (
        "Churros Inc",
        1,
        "303-555-3001",
    )
    assert stored["ownerResourceID"] == owner(sandbox) == created["ownerResourceID"]
    assert ce.ok("GET", f"/hubs/crm/accounts/{created['id']}")["accountName"] == "Churros Inc"
    patched = ce.ok("PATCH", f"/hubs/crm/accounts/{created['id']}", json={"phone": "303-555-3002"})
    assert patched["phone"] == row(sandbox, "Companies", created["id"])["phone"] == "303-555-3002"
    found = ce.ok("GET", "/hubs/crm/accounts", params={"where": "accountName='Churros Inc'"})
    assert [a["id"] for a in found] == [created["id"]]


def test_contacts_take_account_id_and_active_as_one_and_where_with_or(ce, sandbox):
    company = sandbox.ids("Companies")[1]
    body = {"accountID": company, "active": 1, "firstName": "Mr", "lastName": "Churros"}
    created = ce.ok("POST", "/hubs/crm/contacts", json=body)
    stored = row(sandbox, "Contacts", created["id"])
    assert (stored["companyID"], stored["firstName"], stored["lastName"]) == (
        company,
        "Mr",
        "Churros",
    )
    assert stored["isActive"] in (1, True) and created["active"] == 1
    ce.ok("PATCH", f"/hubs/crm/contacts/{created['id']}", json={"title": "Chief Churro"})
    assert row(sandbox, "Contacts", created["id"])["title"] == "Chief Churro"
    where = "lastName = 'Churros' and (firstName = 'Mr' or firstName = 'Mrs')"
    found = ce.ok("GET", "/hubs/crm/contacts", params={"where": where})
    assert [c["id"] for c in found] == [created["id"]]
    assert found[0]["accountID"] == company


def test_opportunities_take_numbers_as_text_and_us_dates(ce, sandbox):
    stage = _picklist_value(ce, "opportunities", "stage")
    body = {
        "accountID": sandbox.ids("Companies")[1],
        "amount": "1234.56",
        "cost": "2333",
        "createDate": "8/8/16",
        "ownerResourceID": owner(sandbox),
        "probability": "50",
        "projectedCloseDate": "8/9/2020",
        "stage": stage,
        "status": 1,
        "title": "Churros for everyone",
        "useQuoteTotals": False,
    }
    created = ce.ok("POST", "/hubs/crm/opportunities", json=body)
    stored = row(sandbox, "Opportunities", created["id"])
    assert stored["title"] == "Churros for everyone" and float(stored["amount"]) == 1234.56
    assert float(stored["cost"]) == 2333 and int(stored["probability"]) == 50
    assert stored["projectedCloseDate"].startswith("2020-08-09")
    read = ce.ok("GET", f"/hubs/crm/opportunities/{created['id']}")
    assert read["title"] == body["title"] and read["projectedCloseDate"].startswith("2020-08-09")
    found = ce.ok("GET", "/hubs/crm/opportunities", params={"where": f"title='{body['title']}'"})
    assert [o["id"] for o in found] == [created["id"]]


def test_users_are_client_portal_users_as_the_sandbox_holds_them(ce, sandbox):
    users = ce.ok("GET", "/hubs/crm/users", params={"pageSize": "5"})
    assert users, "the sandbox seeds client portal users"
    for user in users:
        stored = row(sandbox, "ClientPortalUsers", user["id"])
        assert (user["userName"], user["contactID"]) == (stored["userName"], stored["contactID"])
        assert "password" not in user


def _picklist_value(ce, resource: str, field: str) -> Any:
    fields = ce.ok("GET", f"/hubs/crm/objects/{resource}/metadata")["fields"]
    [found] = [f for f in fields if f.get("path", f.get("vendorPath")) == field]
    return found["picklistValues"][0]["value"]


def test_metadata_answers_by_soap_entity_name(ce):
    # metadata.js asks by the SOAP entity name; the REST entity answers (Account: Companies),
    # its picklist with its values
    fields = ce.ok("GET", "/hubs/crm/objects/Account/metadata")["fields"]
    [company_type] = [f for f in fields if f["vendorPath"] == "companyType"]
    assert company_type["vendorNativeType"] == "picklist" and company_type["picklistValues"]
    # the model's own resource names the SOAP-era field, over the REST field it reads
    fields = ce.ok("GET", "/hubs/crm/objects/accounts/metadata")["fields"]
    [account_type] = [f for f in fields if f.get("path") == "accountType"]
    assert account_type["vendorPath"] == "companyType" and account_type["picklistValues"]


# -- paging ---------------------------------------------------------------------------------------
def test_page_beside_next_page_follows_the_token(ce):
    first = ce.call("GET", "/hubs/crm/contacts", params={"page": "1", "pageSize": "2"})
    assert first.status_code == 200 and first.headers["Elements-Returned-Count"] == "2"
    token = first.headers["Elements-Next-Page-Token"]
    both = ce.call(
        "GET", "/hubs/crm/contacts", params={"page": "2", "nextPage": token, "pageSize": "2"}
    )
    alone = ce.call("GET", "/hubs/crm/contacts", params={"nextPage": token, "pageSize": "2"})
    assert both.status_code == 200 and both.json() == alone.json()
    assert {c["id"] for c in both.json()}.isdisjoint(c["id"] for c in first.json())
    numbered = ce.call("GET", "/hubs/crm/contacts", params={"page": "2", "pageSize": "2"})
    assert numbered.json() == both.json()  # page=N alone: where N-1 nextPage steps lead


# -- the hub segment ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("/hubs/documents", id="another hub's segment"),
        pytest.param("/hubs/crap", id="a made-up hub"),
        pytest.param("/hubs/general", id="the general hub"),
        pytest.param("", id="no hub at all"),
    ],
)
def test_the_hub_segment_is_ignored(ce, prefix):
    expected = ce.call("GET", "/hubs/crm/accounts", params={"pageSize": "3"})
    answer = ce.call("GET", f"{prefix}/accounts", params={"pageSize": "3"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == expected.json()
    assert answer.headers["Elements-Element-Instance-Id"] == str(ce.instance["id"])
    record = expected.json()[0]["id"]
    assert ce.ok("GET", f"{prefix}/accounts/{record}")["id"] == record
    assert ce.ok("GET", f"{prefix}/ping")["instanceId"] == ce.instance["id"]
    assert "accounts" in ce.ok("GET", f"{prefix}/objects")
    refused = ce.call("GET", f"{prefix}/accounts", params={"pagesize": "3"})
    assert refused.status_code == 400 and "did you mean 'pageSize'" in refused.json()["message"]


def test_platform_paths_keep_their_routes_beside_hub_less_resources(ce):
    assert ce.ok("GET", "/instances", token=False)[0]["id"] == ce.instance["id"]
    # a platform path's first segment is never a hub-less resource: POST /health would
    # otherwise be a create on a resource named health
    refused = ce.call("POST", "/health", json={})
    assert refused.status_code == 405 and "POST" not in refused.headers["Allow"]
    unrouted = ce.call("GET", f"/instances/{ce.instance['id']}/nothing")  # not list_children
    assert unrouted.status_code == 404 and "/docs" in unrouted.json()["message"]
    assert ce.call("GET", "/health").json()["status"] == "ok"
    unknown = ce.call("GET", "/no-such-resource")
    assert unknown.status_code == 404 and unknown.headers["Content-Type"] == "application/json"


# -- token-scoped and element-scoped routes --------------------------------------------------------
def test_token_scoped_routes_act_on_the_tokens_instance(ce):
    instance_id = ce.instance["id"]
    rows = ce.ok("GET", "/instances/configuration")
    assert "crm.autotask.model" in {r["key"] for r in rows}
    assert ce.ok("PATCH", "/instances", json={"tags": ["replayed"]})["tags"] == ["replayed"]
    definition = {"fields": [{"path": "surname", "type": "string"}]}
    ce.ok("POST", "/instances/objects/churros/definitions", json=definition)
    assert ce.ok("GET", f"/instances/{instance_id}/objects/churros/definitions")["fields"]
    transformation = {
        "vendorName": "Contact",
        "fields": [{"path": "surname", "type": "string", "vendorPath": "lastName"}],
    }
    ce.ok("POST", "/instances/transformations/churros", json=transformation)
    assert ce.ok("GET", "/instances/transformations/churros")["vendorName"] == "Contact"
    assert "churros" in ce.ok("GET", f"/instances/{instance_id}/transformations")
    assert ce.ok("GET", "/instances/docs")["openapi"].startswith("3.1")
    assert ce.ok("DELETE", f"/instances/{instance_id}/enabled", token=False)["disabled"] is True
    assert ce.call("GET", "/hubs/crm/accounts").status_code == 403
    assert ce.ok("PUT", "/instances/enabled")["disabled"] is False


def test_element_scoped_routes_and_the_elements_event_methods(ce):
    instance_id = ce.instance["id"]
    assert ce.ok("GET", "/elements/autotaskcrm", token=False)["key"] == "autotaskcrm"
    listed = ce.ok("GET", "/elements/autotaskcrm/instances", token=False)
    assert [i["id"] for i in listed] == [instance_id]
    assert ce.ok("GET", f"/elements/50/instances/{instance_id}", token=False)["token"] == ce.token
    metadata = ce.ok("GET", "/elements/50/metadata", token=False)
    assert "polling" in metadata["events"]["methods"]
    deleted = ce.ok("DELETE", f"/elements/autotaskcrm/instances/{instance_id}", token=False)
    assert deleted == {"id": instance_id, "deleted": True}
    assert ce.call("GET", "/hubs/crm/accounts").status_code == 401  # the old token is dead


# -- transformations, docs, CORS ----------------------------------------------------------------
def test_a_transformation_with_add_to_documentation_is_served_and_documented(ce, sandbox):
    ce.ok(
        "POST",
        "/organizations/objects/myContacts/definitions",
        token=False,
        json={"fields": [{"path": "surname", "type": "string"}, {"path": "key", "type": "string"}]},
    )
    ce.ok(
        "POST",
        "/organizations/elements/autotaskcrm/transformations/myContacts",
        token=False,
        json={
            "level": "organization",
            "vendorName": "Contact",
            "fields": [
                {"path": "surname", "type": "string", "vendorPath": "lastName"},
                {"path": "key", "type": "string", "vendorPath": "id", "vendorType": "string"},
            ],
            "configuration": [{"type": "addToDocumentation"}],
        },
    )
    contact = sandbox.ids("Contacts")[0]
    mapped = ce.ok("GET", f"/hubs/crm/myContacts/{contact}")
    assert mapped["surname"] == row(sandbox, "Contacts", contact)["lastName"]
    assert mapped["key"] in (contact, str(contact))  # vendorType is a hint, not a check
    swagger = ce.ok("GET", "/instances/docs", params={"format": "swagger2"})
    assert any(path.endswith("/myContacts") for path in swagger["paths"])
    assert "surname" in str(swagger["definitions"])


@pytest.mark.parametrize(
    ("params", "accept"),
    [
        pytest.param({"format": "swagger2"}, None, id="format=swagger2"),
        pytest.param({}, "application/swagger+json", id="an Accept asking for Swagger 2.0"),
        pytest.param(
            {}, "application/openapi+json;version=2.0", id="OpenAPI's media type at version 2.0"
        ),
    ],
)
def test_the_docs_answer_swagger_2_that_validates(ce, live_server, params, accept):
    headers = {"Accept": accept} if accept else {}
    path = f"/instances/{ce.instance['id']}/docs"
    document = ce.ok("GET", path, params=params, headers=headers, token=False)
    validate(document, cls=OpenAPIV2SpecValidator)
    assert document["swagger"] == "2.0" and document["basePath"] == BASE
    assert document["host"] == live_server.url.removeprefix("http://")
    assert document["definitions"] and "/hubs/crm/accounts" in document["paths"]


def test_cors_exposes_cloud_elements_headers_to_a_browser(ce):
    preflight = requests.options(
        f"{ce.url}/hubs/crm/accounts",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=10,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    answer = ce.call("GET", "/accounts", params={"pageSize": "1"}, headers={"Origin": ORIGIN})
    exposed = {h.strip() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert CE_EXPOSED <= exposed and answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    other = ce.call("GET", "/accounts", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
