"""A worker killed mid-job (kill -9, work horse and all): another worker continues the job
from its checkpoint, and nothing is duplicated or missing."""

from __future__ import annotations

import json
import time

from tests.bulk.test_download import last_request_id


def kill_the_worker_of(bulk, job_id: int) -> int:
    """kill -9 the worker running the job (its process group); another takes its place.
    Answers the dead worker's pid."""
    pid = int(bulk.runtime().store.get(job_id)["workerPid"])
    worker = next(w for w in bulk.workers if w.pid == pid)
    worker.kill()
    bulk.workers.remove(worker)
    bulk.worker()  # warm for the next test; the other worker resumes this job
    return pid


def sweep_until_resumed(bulk, job_id: int, dead_pid: int, timeout: float = 60) -> None:
    """Sweep until the job is resumed: by this sweep, or by a live worker's own sweeper thread,
    which may find the expired lease first (it marks `resumeAt`, or a worker has taken it)."""
    deadline = time.monotonic() + timeout
    while job_id not in bulk.sweep():
        job = bulk.runtime().store.get(job_id) or {}
        if job.get("resumeAt") or str(job.get("workerPid")) != str(dead_pid):
            return
        assert time.monotonic() < deadline, "the sweep never found the job's lease expired"
        time.sleep(0.1)


def page_reads(bulk, since: int, include_fields: list[str]) -> list[str]:
    """This job's page reads since `since`, as their id conditions: the Contacts queries that
    ask for its fields and filter on the id cursor alone (another test's job left paging in
    this package's sandbox asks for other fields, or filters on more)."""
    reads = []
    for entry in bulk.sandbox.requests("Contacts/query", method="POST"):
        body = entry.get("body") or {}
        if entry["id"] <= since or not entry["path"].endswith("/Contacts/query"):
            continue
        conditions = body.get("filter") or []
        if body.get("IncludeFields") == include_fields and all(
            c.get("field") == "id" for c in conditions
        ):
            reads.append(" ".join(f"{c.get('op')} {c.get('value')}" for c in conditions))
    return reads


def test_a_download_continues_from_its_checkpoint(bulk):
    bulk.sandbox.set_faults(kind="latency", seconds=0.15, path_contains="Contacts/query")
    since = last_request_id(bulk)
    try:
        job = bulk.download("select id, lastName from contacts")
        bulk.wait_for(job["id"], lambda s: s["recordsCount"] >= 500)
        dead = kill_the_worker_of(bulk, job["id"])
        assert bulk.status(job["id"])["status"] == "RUNNING"
        sweep_until_resumed(bulk, job["id"], dead)
        done = bulk.wait(job["id"])
    finally:
        bulk.sandbox.clear_faults()
    assert done["status"] == "COMPLETED", done
    rows = bulk.ndjson(job["id"], "contacts")
    ids = [r["id"] for r in rows]
    assert ids == bulk.sandbox.ids("Contacts")  # in order, none twice, none missing
    pages = -(-len(ids) // 500)
    # at most the page in flight when the worker died is read twice
    reads = page_reads(bulk, since, ["id", "lastName"])
    assert pages <= len(reads) <= pages + 1, (reads, bulk.status(job["id"]))


def test_an_upload_continues_without_creating_a_row_twice(bulk):
    # accounts, not contacts: the download above died holding one of the Contacts slots
    owner = bulk.sandbox.ids("Resources")[0]
    count = 60
    names = [f"Resume R{i:03d}" for i in range(count)]
    lines = [json.dumps({"name": n, "phone": "555-0100", "ownerId": owner}) for n in names]
    bulk.sandbox.set_faults(kind="latency", seconds=0.02, path_contains="/Companies", method="POST")
    try:
        response = bulk.upload("accounts", "\n".join(lines).encode(), "rows.ndjson")
        assert response.status_code == 200, response.text
        job = response.json()
        bulk.wait_for(job["id"], lambda s: s["recordsCount"] >= 15)
        dead = kill_the_worker_of(bulk, job["id"])
        sweep_until_resumed(bulk, job["id"], dead)
        done = bulk.wait(job["id"])
    finally:
        bulk.sandbox.clear_faults()
    assert done["status"] == "COMPLETED", done
    got = bulk.ndjson(job["id"], "accounts")
    assert [r["row"] for r in got] == list(range(1, count + 1))
    assert {r["status"] for r in got} == {"created"}
    stored = {i: bulk.sandbox.record("Companies", i) for i in bulk.sandbox.ids("Companies")}
    mine = {i: r for i, r in stored.items() if r["companyName"].startswith("Resume R")}
    assert sorted(r["companyName"] for r in mine.values()) == names  # each once
    assert sorted(r["id"] for r in got) == sorted(mine)


def test_a_create_sent_before_the_worker_died_is_found_not_repeated(bulk):
    """The state a worker killed right after sending row 1's create leaves: the record exists
    in Autotask, the job is RUNNING with row 1 marked, and no result was written."""
    from connector.bulk import codec, queueing

    company = bulk.sandbox_contacts()[0]["companyID"]
    row = {"firstName": "Lost", "lastName": "Answer", "accountId": company}
    made = bulk.hub.ok("POST", "contacts", json=row)  # the create that went out
    runtime = bulk.runtime()
    store = runtime.store
    job_id = store.create(
        bulk.instance["id"],
        {"kind": "upload", "resource": "contacts", "metaData": {}, "status": "RUNNING"},
    )
    store.add_blob(job_id, "input", codec.pack([{"row": 1, "data": row}]))
    store.update(job_id, creating=1)
    queueing.enqueue_job(runtime, "upload", job_id)  # as the sweep does for a lost job
    done = bulk.wait(job_id)
    assert done["status"] == "COMPLETED", done
    got = bulk.ndjson(job_id, "contacts")
    assert got == [{"row": 1, "status": "created", "id": made["id"]}]
    assert bulk.sandbox.count("Contacts", lastName="Answer") == 1
