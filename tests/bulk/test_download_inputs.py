"""What a download refuses up front, with a 400 that says why, before any job exists."""

from __future__ import annotations

import pytest
import requests

from connector.app import create_app
from tests.fixtures.app import LiveServer
from tests.fixtures.hub import BASE


@pytest.mark.parametrize(
    ("q", "says"),
    [
        pytest.param("", "select", id="no query"),
        pytest.param("select * contacts", "must read", id="no from"),
        pytest.param("from contacts select *", "must read", id="clauses out of order"),
        pytest.param("select * from contacts order by id where id = 1", "order", id="where last"),
        pytest.param("select * from contacts where", "condition", id="an empty where"),
        pytest.param("select * from contacts where (id = 1", "", id="an unclosed parenthesis"),
        pytest.param("select * from contacts where id == 1", "", id="a bad operator"),
        pytest.param("select * from no_such_thing", "No resource", id="an unknown resource"),
        pytest.param("select colour from contacts", "colour", id="an unknown field"),
        pytest.param(
            "select * from contacts where colour = 'red'", "colour", id="unknown in where"
        ),
        pytest.param("select * from contacts order by colour", "colour", id="unknown in order"),
        pytest.param("select Colour from Contacts", "Colour", id="an unknown native field"),
        pytest.param("select * from contacts where active = 'maybe'", "", id="a bad value"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_problem(bulk, q, says):
    before = len(bulk.hub.ok("GET", "bulk/jobs"))
    response = bulk.hub.call("POST", "bulk/query", params={"q": q})
    assert response.status_code == 400, response.text
    assert says in response.json()["message"]
    assert len(bulk.hub.ok("GET", "bulk/jobs")) == before  # no job was made


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(["select * from contacts"], id="not an object"),
        pytest.param({"resource": 7}, id="a resource that is not a string"),
        pytest.param({"resource": "contacts", "fields": "id"}, id="fields not a list"),
        pytest.param({"q": 5}, id="q not a string"),
    ],
)
def test_a_bad_json_body_is_a_400(bulk, body):
    response = bulk.hub.call("POST", "bulk/query", json=body)
    assert response.status_code == 400, response.text


def test_the_json_body_form_starts_the_same_job(bulk):
    response = bulk.hub.call(
        "POST",
        "bulk/query",
        json={"resource": "contacts", "fields": ["id"], "where": "id < 0", "orderBy": "id"},
    )
    assert response.status_code == 200, response.text
    status = bulk.wait(response.json()["id"])
    assert status["status"] == "COMPLETED"
    assert status["query"] == "select id from contacts where id < 0 order by id"
    assert status["recordsCount"] == 0


def test_a_query_over_bulk_max_rows_is_refused_when_the_count_says_so(bulk):
    # a second app on the same Redis, with a lower limit
    small = create_app(bulk.settings.with_overrides(bulk_max_rows=100))
    server = LiveServer(small).start()
    try:
        url = f"{server.url}{BASE}/hubs/crm/bulk/query"
        response = requests.post(
            url, params={"q": "select * from contacts"}, headers=bulk.hub.headers, timeout=30
        )
        assert response.status_code == 400, response.text
        assert "BULK_MAX_ROWS" in response.json()["message"]
        assert str(bulk.sandbox.count("Contacts")) in response.json()["message"]
        fine = requests.post(
            url,
            params={"q": f"select id from contacts where id < {bulk.sandbox.ids('Contacts')[50]}"},
            headers=bulk.hub.headers,
            timeout=30,
        )
        assert fine.status_code == 200, fine.text
        assert bulk.wait(fine.json()["id"])["recordsCount"] == 50
    finally:
        server.stop()
        small.extensions["connector.deps"].local.close()


def test_bulk_paths_are_not_taken_by_the_hub_record_routes(bulk):
    adapter = bulk.app.url_map.bind("localhost")
    for method, path, endpoint in [
        ("GET", "/hubs/crm/bulk/7/status", "bulk.job_status"),
        ("GET", "/hubs/crm/bulk/7/errors", "bulk.job_errors"),
        ("GET", "/hubs/crm/bulk/7/contacts", "bulk.job_result"),
        ("DELETE", "/hubs/crm/bulk/7", "bulk.end_job"),
        ("GET", "/hubs/helpdesk/bulk/jobs", "bulk.list_jobs"),
        ("POST", "/hubs/crm/bulk/query", "bulk.start_download"),
        ("POST", "/hubs/crm/bulk/contacts", "bulk.start_upload"),
    ]:
        assert adapter.match(BASE + path, method=method)[0] == endpoint, path


def test_another_instance_cannot_see_a_job(bulk):
    job = bulk.download("select id from contacts where id < 0")
    other = requests.post(
        bulk.server.url + BASE + "/instances",
        json=bulk.instance_body(),
        headers={"Authorization": bulk.auth},
        timeout=30,
    ).json()
    headers = {"Authorization": f"{bulk.auth}, Element {other['token']}"}
    for method, path in [("GET", "status"), ("GET", "errors"), ("GET", "contacts")]:
        url = f"{bulk.hub.url}/hubs/crm/bulk/{job['id']}/{path}"
        assert requests.request(method, url, headers=headers, timeout=30).status_code == 404
    url = f"{bulk.hub.url}/hubs/crm/bulk/{job['id']}"
    assert requests.delete(url, headers=headers, timeout=30).status_code == 404
    assert all(
        j["id"] != job["id"]
        for j in requests.get(
            f"{bulk.hub.url}/hubs/crm/bulk/jobs", headers=headers, timeout=30
        ).json()
    )
    assert requests.get(f"{bulk.hub.url}/hubs/crm/bulk/jobs", timeout=30).status_code == 401
