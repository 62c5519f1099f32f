"""Bulk downloads over real HTTP: the sandbox's rows, in order, at ceil(N/500) query calls."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math

from tests.bulk.conftest import CONTACTS


def last_request_id(bulk) -> int:
    entries = bulk.sandbox.requests()
    return entries[-1]["id"] if entries else 0


def calls_since(bulk, since: int) -> list[str]:
    return [r["path"].rsplit("/V1.0/", 1)[-1] for r in bulk.sandbox.requests() if r["id"] > since]


def test_a_download_is_every_contact_in_id_order_at_one_query_per_500(bulk):
    total = bulk.sandbox.count("Contacts")
    assert total >= CONTACTS
    pages = math.ceil(total / 500)
    since = last_request_id(bulk)
    job = bulk.download("select * from contacts")
    status = bulk.wait(job["id"])
    assert status["status"] == "COMPLETED", status
    rows = bulk.ndjson(job["id"], "contacts")
    assert [r["id"] for r in rows] == bulk.sandbox.ids("Contacts")
    assert len(rows) == total == status["recordsCount"]
    cold = calls_since(bulk, since)
    assert cold.count("Contacts/query") == pages
    assert cold.count("Contacts/query/count") == 1  # BULK_MAX_ROWS is checked up front
    metadata = [c for c in cold if "entityInformation" in c]
    assert len(cold) == pages + 1 + len(metadata) and len(metadata) <= 2  # fields and UDFs
    assert status["upstreamCalls"] == len(cold)

    since = last_request_id(bulk)  # warm: the metadata is cached now
    again = bulk.download("select * from contacts")
    assert bulk.wait(again["id"])["upstreamCalls"] == pages + 1
    assert calls_since(bulk, since) == ["Contacts/query/count"] + ["Contacts/query"] * pages
    listed, _ = bulk.hub.list_all("contacts", pageSize=500)
    assert rows == listed  # the records the hub serves, the same way


def test_csv_flattens_nested_fields_with_dotted_headers_in_the_same_order(bulk):
    job = bulk.download("select id, firstName, emails, addresses from contacts")
    bulk.wait(job["id"])
    response = bulk.result(job["id"], "contacts", accept="text/csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    nd = bulk.ndjson(job["id"], "contacts")
    assert [int(r["id"]) for r in table] == [r["id"] for r in nd]
    first = nd[0]
    assert set(first) <= {"id", "firstName", "emails", "addresses"}
    assert table[0]["emails.0.address"] == first["emails"][0]["address"]
    assert "addresses.0.city" in table[0]


def test_gzip_when_asked(bulk):
    limit = bulk.sandbox.ids("Contacts")[600]
    job = bulk.download(f"select id from contacts where id < {limit}")
    bulk.wait(job["id"])
    for accept in ("application/x-ndjson", "text/csv"):
        response = bulk.result(
            job["id"], "contacts", accept=accept, headers={"Accept-Encoding": "gzip"}, stream=True
        )
        assert response.headers["Content-Encoding"] == "gzip"
        raw = response.raw.read(decode_content=False)
        text = gzip.decompress(raw).decode()
        assert len([line for line in text.splitlines() if line]) >= 2
    plain = bulk.ndjson(job["id"], "contacts")
    assert len(plain) == 600 and all(set(r) == {"id"} and r["id"] < limit for r in plain)


def sandbox_contacts(bulk) -> list[dict]:
    return bulk.sandbox_contacts()


def test_where_with_a_local_residual_and_order_by(bulk):
    # the firstName condition goes to Autotask; `phones.type` is checked here, on each row
    where = "firstName like 'a%' and phones.type = 'mobile'"
    job = bulk.download(f"select id, lastName from contacts where {where} order by lastName desc")
    status = bulk.wait(job["id"])
    assert status["status"] == "COMPLETED", status
    rows = bulk.ndjson(job["id"], "contacts")
    expected = [
        r
        for r in sandbox_contacts(bulk)
        if (r["firstName"] or "").lower().startswith("a") and r["mobilePhone"]
    ]
    assert expected, "the case must select something to be meaningful"
    assert sorted(r["id"] for r in rows) == [r["id"] for r in expected]
    names = [r["lastName"].casefold() for r in rows]
    assert names == sorted(names, reverse=True)
    assert all(set(r) == {"id", "lastName"} for r in rows)  # the order field was not selected
    assert status["recordsCount"] == len(expected)
    assert json.dumps(rows)
