"""`raw=true`: the Autotask record beside the normalized one, at no extra Autotask call."""

from __future__ import annotations

import pytest

from tests.api.test_virtual import ELEMENT, MY_CONTACTS, MY_CONTACTS_MAP, Platform


def read(hub, path: str, **params) -> object:
    response = hub.get(path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def upstream(sandbox, action) -> tuple[object, list[str]]:
    """What `action()` answered, and the Autotask requests it made (method and path)."""
    sandbox.clear_requests()
    answer = action()
    return answer, [f"{r['method']} {r['path']}" for r in sandbox.requests()]


def test_a_read_carries_the_record_as_autotask_sends_it_at_no_extra_call(hub, sandbox):
    first, second = sandbox.ids("Contacts")[2:4]
    read(hub, f"contacts/{first}")  # metadata and the threshold are read once, here
    plain, plain_calls = upstream(sandbox, lambda: hub.get(f"contacts/{first}"))
    raw, raw_calls = upstream(sandbox, lambda: hub.get(f"contacts/{second}", raw="true"))
    assert raw.status_code == 200, raw.text
    assert len(raw_calls) == len(plain_calls) == 1
    body = raw.json()
    assert body["raw"] == sandbox.record("Contacts", second)
    assert "userDefinedFields" in body["raw"]
    assert {k: v for k, v in body.items() if k != "raw"} == read(hub, f"contacts/{second}")
    assert "raw" not in plain.json()


def test_a_page_carries_each_record_whole_even_with_fields(hub, sandbox):
    read(hub, "contacts", pageSize=3)
    params = {"pageSize": 5, "fields": "id,lastName"}
    plain, plain_calls = upstream(sandbox, lambda: hub.get("contacts", **params))
    raw, raw_calls = upstream(sandbox, lambda: hub.get("contacts", raw="true", **params))
    assert raw.status_code == 200, raw.text
    assert len(raw_calls) == len(plain_calls) == 1
    records = raw.json()
    assert [r["id"] for r in records] == [r["id"] for r in plain.json()]
    for record in records:
        assert set(record) == {"id", "lastName", "raw"}
        assert record["raw"] == sandbox.record("Contacts", record["id"])


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"where": "lastName like '%a%b%'"}, id="rows kept by a local filter"),
        pytest.param({"orderBy": "lastName desc"}, id="rows sorted in memory"),
    ],
)
def test_records_keep_their_raw_through_local_filtering_and_sorting(hub, sandbox, params):
    records = read(hub, "contacts", raw="true", pageSize=50, **params)
    assert records
    for record in records:
        assert record["raw"] == sandbox.record("Contacts", record["id"])
        assert record["raw"]["lastName"] == record["lastName"]


def test_children_carry_raw(hub, sandbox):
    company = sandbox.record("Contacts", sandbox.ids("Contacts")[0])["companyID"]
    records = read(hub, f"accounts/{company}/contacts", raw="true")
    assert records
    assert all(r["raw"] == sandbox.record("Contacts", r["id"]) for r in records)


def test_a_virtual_record_carries_its_base_autotask_record(hub, sandbox):
    platform = Platform(hub)
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    platform.ok("POST", f"{ELEMENT}/myContacts", MY_CONTACTS_MAP)
    contact_id = sandbox.ids("Contacts")[1]
    record = read(hub, f"myContacts/{contact_id}", raw="true")
    assert record["raw"] == sandbox.record("Contacts", contact_id)
    assert record["fullName"] == record["raw"]["lastName"]
    page = read(hub, "myContacts", raw="true", pageSize=4)
    assert all(r["raw"] == sandbox.record("Contacts", r["id"]) for r in page)


def test_cached_answers_keep_the_two_views_apart(connect_hub, sandbox):
    hub = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=60)
    contact_id = sandbox.ids("Contacts")[5]
    for params in ({}, {"raw": "true"}):
        for lookup in ("miss", "hit"):
            read = hub.get(f"contacts/{contact_id}", **params)
            page = hub.get("contacts", pageSize=2, **params)
            for answer in (read, page):
                assert answer.headers["Elements-Cache"] == lookup, (params, answer.url)
            assert ("raw" in read.json()) == bool(params)
            assert all(("raw" in r) == bool(params) for r in page.json())
