"""Bulk uploads over real HTTP: creates, updates by identifier, unchanged and bad rows, each
reported with its row number; matches looked up with one `in` query per 500 identifiers."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.bulk.test_download import calls_since, last_request_id


def results(bulk, job_id: int) -> list[dict]:
    return bulk.ndjson(job_id, "contacts")


def a_contact(bulk) -> dict:
    page = bulk.hub.ok(
        "GET", "contacts", params={"pageSize": 1, "where": "emails.address like '%@%'"}
    )
    return page[0]


@pytest.fixture(scope="module")
def upserted(bulk):
    """One CSV upload with every kind of row, and what the sandbox held before it."""
    existing = a_contact(bulk)
    email = existing["emails"][0]["address"]
    company = existing["accountId"]
    twins = [
        bulk.hub.ok(
            "POST",
            "contacts",
            json={
                "firstName": "Twin",
                "lastName": f"T{i}",
                "accountId": company,
                "emails": [{"address": "twin@bulk.test", "type": "primary"}],
            },
        )
        for i in range(2)
    ]
    rows = [
        # row 1: new -> created
        {"firstName": "Ada", "lastName": "Bulk", "accountId": company, "email": "ada@bulk.test"},
        # row 2: the existing contact with a new title -> updated
        {
            "firstName": existing["firstName"],
            "lastName": existing["lastName"],
            "accountId": company,
            "email": email.upper(),  # Autotask compares without case
            "title": "Head of Bulk",
        },
        # row 3: no lastName -> the map's validation refuses it
        {"firstName": "NoLast", "lastName": "", "accountId": company, "email": "nolast@bulk.test"},
        # row 4: two records have this email -> ambiguous
        {"firstName": "Twin", "lastName": "X", "accountId": company, "email": "twin@bulk.test"},
        # row 5: a company that does not exist -> Autotask's own text
        {"firstName": "Lost", "lastName": "Co", "accountId": 999999, "email": "lost@bulk.test"},
        # row 6: the same as row 1 -> it updates what row 1 created, or finds it unchanged
        {"firstName": "Ada", "lastName": "Bulk", "accountId": company, "email": "ada@bulk.test"},
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["firstName", "lastName", "accountId", "emails.0.address", "title"])
    for r in rows:
        writer.writerow(
            [r["firstName"], r["lastName"], r["accountId"], r["email"], r.get("title", "")]
        )
    since = last_request_id(bulk)
    response = bulk.upload(
        "contacts",
        buffer.getvalue().encode(),
        "rows.csv",
        {"identifierFieldName": "emails.address"},
    )
    assert response.status_code == 200, response.text
    job = response.json()
    status = bulk.wait(job["id"])
    return {
        "job": job,
        "status": status,
        "existing": existing,
        "twins": twins,
        "company": company,
        "calls": calls_since(bulk, since),
    }


def test_every_row_ends_in_the_result_with_its_row_number(bulk, upserted):
    status = upserted["status"]
    assert status["status"] == "COMPLETED", status
    got = results(bulk, upserted["job"]["id"])
    assert [r["row"] for r in got] == [1, 2, 3, 4, 5, 6]
    assert [r["status"] for r in got] == [
        "created",
        "updated",
        "error",
        "error",
        "error",
        "unchanged",
    ]
    assert "lastName" in got[2]["message"]
    assert "2 records" in got[3]["message"]
    assert got[4]["message"]  # Autotask's text for the missing company
    assert got[5]["id"] == got[0]["id"]
    assert (status["createdCount"], status["updatedCount"], status["unchangedCount"]) == (1, 1, 1)
    assert status["recordsCount"] == 3 and status["recordsFailedCount"] == 3


def test_the_sandbox_holds_exactly_what_the_result_says(bulk, upserted):
    got = results(bulk, upserted["job"]["id"])
    created = bulk.sandbox.record("Contacts", got[0]["id"])
    assert (created["firstName"], created["lastName"], created["emailAddress"]) == (
        "Ada",
        "Bulk",
        "ada@bulk.test",
    )
    assert bulk.sandbox.count("Contacts", emailAddress="ada@bulk.test") == 1
    updated = bulk.sandbox.record("Contacts", upserted["existing"]["id"])
    assert got[1]["id"] == upserted["existing"]["id"] and updated["title"] == "Head of Bulk"
    assert bulk.sandbox.count("Contacts", emailAddress="lost@bulk.test") == 0
    assert bulk.sandbox.count("Contacts", emailAddress="nolast@bulk.test") == 0


def test_one_lookup_for_the_batch_and_one_call_per_write(bulk, upserted):
    calls = upserted["calls"]
    assert calls.count("Contacts/query") == 1  # every identifier of the batch in one `in`
    writes = [c for c in calls if c.startswith("Companies/") and c.endswith("/Contacts")]
    assert len(writes) == 3  # row 1's create, row 2's update, row 5's refused create
    assert not [c for c in calls if c.startswith("Contacts/") and c[9:].isdigit()]  # no read-back


def test_errors_route_lists_the_failed_rows(bulk, upserted):
    errors = bulk.hub.ok("GET", f"bulk/{upserted['job']['id']}/errors")
    assert [e["row"] for e in errors] == [3, 4, 5]
    page = bulk.hub.call("GET", f"bulk/{upserted['job']['id']}/errors", params={"pageSize": 2})
    assert len(page.json()) == 2 and page.headers["Elements-Next-Page-Token"] == "2"
    rest = bulk.hub.ok("GET", f"bulk/{upserted['job']['id']}/errors", params={"nextPage": "2"})
    assert [e["row"] for e in rest] == [5]


def test_the_result_as_csv(bulk, upserted):
    response = bulk.result(upserted["job"]["id"], "contacts", accept="text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert list(table[0]) == ["row", "status", "id", "message"]
    assert [t["status"] for t in table][:2] == ["created", "updated"]


def test_json_and_ndjson_files_without_identifier_create_every_good_row(bulk, upserted):
    company = upserted["company"]
    records = [{"firstName": "J", "lastName": f"Json{i}", "accountId": company} for i in range(3)]
    response = bulk.upload("contacts", json.dumps(records).encode(), "rows.json")
    assert response.status_code == 200, response.text
    done = bulk.wait(response.json()["id"])
    assert done["createdCount"] == 3
    lines = "\n".join(
        [json.dumps(records[0] | {"lastName": "Nd1"}), "{not json", "[1]", json.dumps(records[0])]
    )
    response = bulk.upload("contacts", lines.encode(), "rows.ndjson")
    got = results(bulk, bulk.wait(response.json()["id"])["id"])
    assert [r["status"] for r in got] == ["created", "error", "error", "created"]
    assert "not valid JSON" in got[1]["message"] and "not a JSON object" in got[2]["message"]
    assert bulk.sandbox.count("Contacts", lastName="Json0") == 2  # the JSON file and line 4


def test_more_than_500_identifiers_take_one_lookup_per_500(bulk):
    known = bulk.sandbox_contacts()[:501]
    lines = [json.dumps({"id": r["id"], "lastName": r["lastName"]}) for r in known]
    since = last_request_id(bulk)
    response = bulk.upload(
        "contacts", "\n".join(lines).encode(), "ids.ndjson", {"identifierFieldName": "id"}
    )
    assert response.status_code == 200, response.text
    done = bulk.wait(response.json()["id"])
    assert done["unchangedCount"] == 501, done
    calls = calls_since(bulk, since)
    assert calls == ["Contacts/query", "Contacts/query"]  # nothing changed: nothing written
    assert done["upstreamCalls"] == 2
