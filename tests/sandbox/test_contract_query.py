"""Checklist "Query" (reference sections 3 and 13), over real HTTP."""

from __future__ import annotations

import json

import pytest
import requests

ALL = {"op": "gte", "field": "id", "value": 0}


def post_query(box, entity, body):
    return box.call("POST", f"{entity}/query", json=body)


def get_query(box, entity, body):
    return box.call("GET", f"{entity}/query", params={"search": json.dumps(body)})


@pytest.mark.parametrize(
    "send", [pytest.param(post_query, id="POST body"), pytest.param(get_query, id="GET search")]
)
def test_query_returns_items_in_ascending_id_order(sandbox, send):
    answer = send(sandbox, "Contacts", {"filter": [ALL]})
    ids = [item["id"] for item in answer.json()["items"]]
    assert answer.status_code == 200
    assert ids == sorted(ids) and ids == sandbox.ids("Contacts")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param({}, "Value cannot be null.\r\nParameter name: filters", id="a missing filter"),
        pytest.param(
            {"filter": [{"op": "eq", "field": "projectID", "value": 1}]},
            "Unable to find projectID in the Contact Entity",
            id="an unknown field",
        ),
        pytest.param(
            {"filter": [ALL], "MaxRecords": 0},
            "maxCountOfRecordsToReturn must be between 1 and 500",
            id="MaxRecords 0",
        ),
        pytest.param(
            {"filter": [ALL], "MaxRecords": 501},
            "maxCountOfRecordsToReturn must be between 1 and 500",
            id="MaxRecords 501",
        ),
        pytest.param(
            {"filter": [ALL], "MaxRecords": "\uff15"},
            "maxCountOfRecordsToReturn must be between 1 and 500",
            id="MaxRecords as a full-width five",
        ),
        pytest.param(
            {"filter": [ALL], "MaxRecords": 2**64},
            "maxCountOfRecordsToReturn must be between 1 and 500",
            id="MaxRecords beyond Int64",
        ),
        pytest.param(
            {
                "filter": [
                    {"op": "eq", "field": "ExternalContactID", "udf": True, "value": "x"},
                    {"op": "eq", "field": "Preferred Language", "udf": True, "value": "1"},
                ]
            },
            "You can only query by one user-defined field at a time.",
            id="two user-defined fields",
        ),
    ],
)
def test_query_failures_are_500_with_errors(sandbox, body, error):
    answer = post_query(sandbox, "Contacts", body)
    assert answer.status_code == 500
    assert answer.json() == {"errors": [error]}


def test_an_empty_filter_returns_no_rows(sandbox):
    answer = post_query(sandbox, "Contacts", {"filter": []})
    assert answer.status_code == 200
    assert answer.json()["items"] == []


def test_an_unknown_operator_is_ignored(sandbox):
    answer = post_query(sandbox, "Contacts", {"filter": [{"op": "ne", "field": "id", "value": 1}]})
    assert len(answer.json()["items"]) == sandbox.count("Contacts")


def test_keys_and_field_names_are_case_insensitive(sandbox):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    body = {
        "Filter": [{"op": "eq", "field": "LASTNAME", "value": contact["lastName"].upper()}],
        "includefields": ["FirstName"],
        "maxrecords": 5,
    }
    items = post_query(sandbox, "Contacts", body).json()["items"]
    assert contact["id"] in [item["id"] for item in items]
    assert set(items[0]) == {"id", "firstName", "userDefinedFields"}


def test_include_fields_keeps_id_and_user_defined_fields(sandbox):
    items = post_query(
        sandbox, "Companies", {"filter": [ALL], "IncludeFields": ["companyName"]}
    ).json()["items"]
    assert all(set(item) == {"id", "companyName", "userDefinedFields"} for item in items)


def test_count_answers_query_count(sandbox):
    answer = sandbox.call("POST", "Contacts/query/count", json={"filter": [ALL]})
    assert answer.json() == {"queryCount": sandbox.count("Contacts")}


def test_max_records_limits_the_page_and_next_page_url_follows_by_get_and_post(sandbox):
    body = {"filter": [ALL], "MaxRecords": 15}
    first = post_query(sandbox, "Contacts", body).json()
    next_url = first["pageDetails"]["nextPageUrl"]
    assert first["pageDetails"]["count"] == 15
    assert next_url.startswith(f"{sandbox.url}/ATServicesRest/V1.0/Contacts/query/next?paging=")
    by_get = sandbox.call("GET", next_url).json()
    by_post = sandbox.call("POST", next_url, json=body).json()
    assert by_get == by_post
    assert [i["id"] for i in by_get["items"]] == sandbox.ids("Contacts")[15:30]


def test_paging_to_the_end_visits_every_row_once(make_sandbox):
    box = make_sandbox(seed_counts={"Contacts": 1001})
    seen, url = [], None
    answer = post_query(box, "Contacts", {"filter": [ALL]}).json()
    while True:
        seen += [item["id"] for item in answer["items"]]
        url = answer["pageDetails"]["nextPageUrl"]
        if url is None:
            break
        answer = box.call("GET", url).json()
    assert seen == box.ids("Contacts")


def test_next_page_url_is_null_when_the_last_page_is_exactly_full(make_sandbox):
    box = make_sandbox(seed_counts={"Contacts": 20})
    page = post_query(box, "Contacts", {"filter": [ALL], "MaxRecords": 10}).json()
    second = box.call("GET", page["pageDetails"]["nextPageUrl"]).json()
    assert second["pageDetails"]["count"] == 10
    assert second["pageDetails"]["nextPageUrl"] is None


def test_prev_page_url_goes_back_to_the_previous_page(sandbox):
    body = {"filter": [ALL], "MaxRecords": 7}
    first = post_query(sandbox, "Contacts", body).json()
    assert first["pageDetails"]["prevPageUrl"] is None
    second = sandbox.call("GET", first["pageDetails"]["nextPageUrl"]).json()
    back = sandbox.call("GET", second["pageDetails"]["prevPageUrl"]).json()
    assert back["items"] == first["items"]


def test_a_tampered_paging_token_is_refused(sandbox):
    first = post_query(sandbox, "Contacts", {"filter": [ALL], "MaxRecords": 5}).json()
    url = first["pageDetails"]["nextPageUrl"].replace("paging=", "paging=x")
    assert requests.get(url, headers=sandbox.headers(), timeout=10).status_code == 500


@pytest.mark.parametrize(
    ("include", "udf_names"),
    [
        pytest.param(["companyName"], [], id="no UDF named: an empty array"),
        pytest.param(["companyName", "customerranking"], ["CustomerRanking"], id="one UDF named"),
        pytest.param(
            ["companyName", "userDefinedFields"],
            ["CustomerRanking", "Support Tier", "IntegrationReference"],
            id="userDefinedFields names them all",
        ),
    ],
)
def test_include_fields_selects_user_defined_fields(sandbox, include, udf_names):
    item = post_query(sandbox, "Companies", {"filter": [ALL], "IncludeFields": include}).json()[
        "items"
    ][0]
    assert [u["name"] for u in item["userDefinedFields"]] == udf_names
