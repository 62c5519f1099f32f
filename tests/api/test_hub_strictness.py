"""No silently wrong answer: unknown names, bodies that are not JSON, ids that are not numbers
and empty updates are answered exactly, before Autotask is asked anything it need not be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import yaml

from connector.api.hubs import PARAMETERS

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def refused(response: requests.Response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["message"]


@pytest.mark.parametrize(
    ("params", "named", "suggested"),
    [
        pytest.param({"pagesize": "1"}, "pagesize", "pageSize", id="pagesize in the wrong case"),
        pytest.param({"Where": "lastName = 'x'"}, "Where", "where", id="Where capitalised"),
        pytest.param({"orderby": "id"}, "orderby", "orderBy", id="orderby in the wrong case"),
        pytest.param({"nextpage": "x"}, "nextpage", "nextPage", id="nextpage in the wrong case"),
        pytest.param({"filds": "id"}, "filds", "fields", id="a typo of fields"),
    ],
)
def test_an_unknown_query_parameter_is_named_with_the_nearest_one(
    hub, sandbox, params, named, suggested
):
    sandbox.clear_requests()
    message = refused(hub.get("contacts", **params))
    assert f"'{named}'" in message and f"did you mean '{suggested}'" in message
    assert sandbox.requests() == []  # refused before any Autotask call


def test_a_call_that_takes_no_parameters_says_so(hub):
    assert "takes: no query parameters" in refused(hub.get("ping", verbose="true"))


def test_page_one_stays_a_known_parameter_for_cloud_elements_clients(hub):
    response = hub.get("contacts", page="1", pageSize="2")
    assert response.status_code == 200 and len(response.json()) == 2


@pytest.mark.parametrize(
    ("params", "named", "suggested"),
    [
        pytest.param({"orderBy": "lastname"}, "lastname", "lastName", id="orderBy in wrong case"),
        pytest.param({"orderBy": "nope"}, "nope", None, id="orderBy on nothing like a field"),
        pytest.param({"orderBy": "titel desc"}, "titel", "title", id="orderBy with a typo"),
        pytest.param({"fields": "id,frstName"}, "frstName", "firstName", id="fields with a typo"),
        pytest.param({"where": "lastNme = 'x'"}, "lastNme", "lastName", id="where with a typo"),
    ],
)
def test_an_unknown_field_name_is_refused_before_any_read(hub, sandbox, params, named, suggested):
    sandbox.clear_requests()
    message = refused(hub.get("contacts", **params))
    assert f"'{named}'" in message
    if suggested:
        assert f"did you mean '{suggested}'" in message
    assert sandbox.requests(path_contains="Contacts") == []  # nothing read, nothing sorted


def test_an_unknown_field_of_an_autotask_entity_is_named(hub, sandbox):
    message = refused(hub.get("Companies", orderBy="companyNme"))
    assert "'companyNme'" in message and "did you mean 'companyName'" in message
    assert sandbox.requests(path_contains="Companies/query") == []


def test_a_record_read_checks_its_field_names(hub, sandbox):
    contact = sandbox.ids("Contacts")[0]
    sandbox.clear_requests()
    message = refused(hub.get(f"contacts/{contact}", fields="id,lastname"))
    assert "did you mean 'lastName'" in message
    assert sandbox.requests(path_contains="Contacts") == []


def test_every_validation_problem_comes_in_one_answer(hub, sandbox, company):
    sandbox.clear_requests()
    response = hub.call(
        "POST",
        "contacts",
        json={
            "firstName": 1,
            "lastName": "Ok",
            "accountId": company,
            "title": "x" * 51,
            "emails": [{"address": "not an address", "type": "primary"}],
        },
    )
    body = response.json()
    assert response.status_code == 400, body
    fields = [problem["field"] for problem in body["errors"]]
    assert {"firstName", "title"} <= set(fields) and any(f.startswith("emails") for f in fields)
    assert all(f"field '{field}'" in body["message"] for field in fields)
    assert sandbox.requests(method="POST") == []  # nothing written


def test_a_write_that_fails_on_shape_labels_and_required_fields_reports_all(hub):
    response = hub.call(
        "POST",
        "accounts",
        json={"name": 5, "type": "Spaceship"},
    )
    fields = {problem["field"] for problem in response.json()["errors"]}
    assert response.status_code == 400 and {"name", "type", "phone"} <= fields


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param('{"firstName": "Ada",,}', "line 1, column 21", id="a doubled comma"),
        pytest.param(
            '{\n  "firstName": "Ada"\n  "lastName": "L"\n}',
            "line 3, column 3",
            id="a missing comma on the third line",
        ),
        pytest.param("", "empty", id="an empty body"),
    ],
)
def test_a_body_that_is_not_json_says_what_and_where(hub, sandbox, text, where):
    sandbox.clear_requests()
    response = hub.call("POST", "contacts", data=text, headers={"Content-Type": "application/json"})
    message = refused(response)
    assert where in message and "browser" not in message
    assert sandbox.requests() == []


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_that_is_not_a_number_says_it_must_be_one(hub, method):
    response = hub.call(method, "contacts/abc", json={})
    assert "must be a whole number" in refused(response)


def test_a_childs_parent_id_that_is_not_a_number_says_so(hub):
    assert "must be a whole number" in refused(hub.get("accounts/abc/contacts"))


def test_an_empty_update_answers_the_record_and_writes_nothing(hub, sandbox):
    contact = sandbox.ids("Contacts")[0]
    before = sandbox.record("Contacts", contact)
    sandbox.clear_requests()
    answered = hub.ok("PATCH", f"contacts/{contact}", json={})
    assert answered == hub.ok("GET", f"contacts/{contact}")
    assert sandbox.requests(method="PATCH") == [] and sandbox.requests(method="PUT") == []
    assert sandbox.record("Contacts", contact) == before  # no modification date bumped


def compact(body: str) -> str:
    return json.dumps(json.loads(body), separators=(",", ":")) + "\n"


def test_every_json_answer_has_one_format_and_ends_with_a_newline(
    hub, sandbox, live_server, tenant
):
    contact = sandbox.ids("Contacts")[0]
    base = live_server.url + "/elements/api-v2"
    answers = [
        hub.get("contacts", pageSize="2"),
        hub.get(f"contacts/{contact}"),
        hub.get("ping"),
        hub.get("objects"),
        hub.get("objects/contacts/metadata"),
        hub.get("contacts", orderBy="nope"),
        hub.call("POST", "contacts", data="{", headers={"Content-Type": "application/json"}),
        hub.call("DELETE", f"contacts/{hub.ok('POST', 'contacts', json=new_contact())['id']}"),
        requests.get(f"{base}/instances", headers=tenant.headers(), timeout=30),
        requests.get(f"{base}/openapi.json", timeout=30),
        requests.get(f"{base}/no/such/route", timeout=30),
    ]
    for response in answers:
        assert response.headers["Content-Type"].startswith("application/json"), response.url
        assert response.text == compact(response.text), response.url


def new_contact() -> dict:
    return {"firstName": "Short", "lastName": "Lived", "accountId": 0}


def test_the_parameter_table_is_what_openapi_documents():
    spec = yaml.safe_load(SPEC.read_text())
    operations = {
        "list_records": ("/hubs/{hub}/{object}", "get"),
        "list_children": ("/hubs/{hub}/{object}/{id}/{child}", "get"),
        "get_record": ("/hubs/{hub}/{object}/{id}", "get"),
        "object_metadata": ("/hubs/{hub}/objects/{name}/metadata", "get"),
    }
    for endpoint, (path, method) in operations.items():
        documented = {
            p["name"]
            for p in spec["paths"][path][method].get("parameters", [])
            if p["in"] == "query"
        }
        assert documented == set(PARAMETERS[endpoint]), endpoint


@pytest.fixture
def company(sandbox) -> int:
    return sandbox.ids("Companies")[1]
