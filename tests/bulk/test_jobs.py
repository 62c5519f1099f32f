"""Jobs of every kind of resource, their list, cancel and delete."""

from __future__ import annotations

import time

import requests

from tests.fixtures.hub import BASE


def test_a_virtual_resource_downloads_in_its_own_names(bulk):
    auth = {"Authorization": bulk.auth}
    url = bulk.server.url + BASE
    definition = {
        "fields": [
            {"path": "fullName", "type": "string"},
            {"path": "company", "type": "number"},
            {"path": "email", "type": "string"},
        ]
    }
    made = requests.post(
        f"{url}/organizations/objects/bulkContacts/definitions",
        json=definition,
        headers=auth,
        timeout=30,
    )
    assert made.status_code == 200, made.text
    transformation = {
        "vendorName": "contacts",
        "fields": [
            {"path": "fullName", "vendorPath": "lastName"},
            {"path": "company", "vendorPath": "accountId"},
            {"path": "email", "vendorPath": "emails[type=primary].address"},
        ],
        "configuration": [
            {"type": "passThrough", "properties": {"fromVendor": False, "toVendor": False}}
        ],
    }
    made = requests.post(
        f"{url}/organizations/elements/autotaskcrm/transformations/bulkContacts",
        json=transformation,
        headers=auth,
        timeout=30,
    )
    assert made.status_code == 200, made.text
    company = busiest_company(bulk)
    job = bulk.download(f"select * from bulkContacts where company = {company} order by fullName")
    status = bulk.wait(job["id"])
    assert status["status"] == "COMPLETED", status
    rows = bulk.ndjson(job["id"], "bulkContacts")
    assert rows and len(rows) == bulk.sandbox.count("Contacts", companyID=company)
    assert {frozenset(r) for r in rows} <= {frozenset({"id", "fullName", "company", "email"})}
    assert all(r["company"] == company for r in rows)
    names = [r["fullName"].casefold() for r in rows]
    assert names == sorted(names)


def busiest_company(bulk) -> int:
    from collections import Counter

    from tests.bulk.test_download import sandbox_contacts

    return Counter(r["companyID"] for r in sandbox_contacts(bulk)).most_common(1)[0][0]


def test_a_native_entity_downloads_as_autotask_sends_it(bulk):
    company = busiest_company(bulk)
    job = bulk.download(
        f"select id, firstName, companyID from Contacts where companyID = {company}"
    )
    status = bulk.wait(job["id"])
    assert status["status"] == "COMPLETED", status
    rows = bulk.ndjson(job["id"], "Contacts")
    assert rows and all(set(r) <= {"id", "firstName", "companyID"} for r in rows)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert len(rows) == bulk.sandbox.count("Contacts", companyID=company)


def test_jobs_are_listed_newest_first_and_deleted_for_good(bulk):
    first = bulk.download("select id from contacts where id < 0")
    second = bulk.download("select id from contacts where id < 0")
    bulk.wait(second["id"])
    bulk.wait(first["id"])
    listed = bulk.hub.ok("GET", "bulk/jobs")
    ids = [j["id"] for j in listed]
    assert ids.index(second["id"]) < ids.index(first["id"])
    assert {"id", "status", "recordsCount", "createdDate", "endDate"} <= set(listed[0])
    deleted = bulk.hub.ok("DELETE", f"bulk/{first['id']}")
    assert deleted == {"id": first["id"], "deleted": True}
    assert bulk.hub.call("GET", f"bulk/{first['id']}/status").status_code == 404
    assert first["id"] not in [j["id"] for j in bulk.hub.ok("GET", "bulk/jobs")]
    store = bulk.runtime().store
    assert not any(store.redis.exists(store.keys.bulk_part(first["id"], p)) for p in store_parts())


def store_parts():
    from connector.bulk.store import PARTS

    return PARTS


def test_cancel_stops_a_running_download_within_one_page(bulk):
    bulk.sandbox.set_faults(kind="latency", seconds=0.25, path_contains="Contacts/query")
    try:
        job = bulk.download("select id from contacts")
        bulk.wait_for(job["id"], lambda s: s["recordsCount"] >= 500)
        cancelled = bulk.hub.ok("DELETE", f"bulk/{job['id']}")
        assert cancelled["status"] == "CANCELLED"
        at_cancel = len(bulk.sandbox.requests("Contacts/query"))
        store = bulk.runtime().store
        deadline = time.monotonic() + 10
        while store.lease_held(job["id"]) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not store.lease_held(job["id"]), "the worker let go of the job"
        assert len(bulk.sandbox.requests("Contacts/query")) <= at_cancel + 1  # the page in flight
        status = bulk.status(job["id"])
        assert status["status"] == "CANCELLED"
        assert status["recordsCount"] < bulk.sandbox.count("Contacts")
        result = bulk.result(job["id"], "contacts")
        assert result.status_code == 200  # what was read so far
        assert len(result.text.splitlines()) == status["recordsCount"]
    finally:
        bulk.sandbox.clear_faults()
    gone = bulk.hub.ok("DELETE", f"bulk/{job['id']}")  # a second DELETE deletes it
    assert gone["deleted"] is True


def test_status_and_result_of_a_running_job(bulk):
    bulk.sandbox.set_faults(kind="latency", seconds=0.2, path_contains="Contacts/query")
    try:
        job = bulk.download("select id from contacts")
        running = bulk.wait_for(job["id"], lambda s: s["status"] == "RUNNING")
        assert running["startDate"] and "endDate" not in running
        early = bulk.result(job["id"], "contacts")
        assert early.status_code == 409
        assert "RUNNING" in early.json()["message"]
        seen = bulk.wait_for(job["id"], lambda s: 0 < s["recordsCount"] < s["totalCount"])
        assert seen["totalCount"] == bulk.sandbox.count("Contacts")
    finally:
        bulk.sandbox.clear_faults()
    done = bulk.wait(job["id"])
    assert done["recordsCount"] == done["totalCount"]
    assert bulk.result(job["id"], "accounts").status_code == 404  # not this job's resource
    assert bulk.result(job["id"], "contacts", accept="image/png").status_code == 406


def test_deleting_an_instance_deletes_its_jobs(bulk):
    made = requests.post(
        bulk.server.url + BASE + "/instances",
        json=bulk.instance_body(),
        headers={"Authorization": bulk.auth},
        timeout=30,
    ).json()
    headers = {"Authorization": f"{bulk.auth}, Element {made['token']}"}
    started = requests.post(
        f"{bulk.hub.url}/hubs/crm/bulk/query",
        params={"q": "select id from contacts where id < 0"},
        headers=headers,
        timeout=30,
    ).json()
    store = bulk.runtime().store
    assert store.get(started["id"]) is not None
    gone = requests.delete(
        f"{bulk.server.url}{BASE}/instances/{made['id']}",
        headers={"Authorization": bulk.auth},
        timeout=30,
    )
    assert gone.status_code == 200, gone.text
    assert store.get(started["id"]) is None
    assert started["id"] not in store.list_ids(made["id"])
