"""The hub's read cache over real HTTP: a hit asks Autotask nothing, a write invalidates."""

from __future__ import annotations

import pytest


@pytest.fixture
def cached_hub(connect_hub, sandbox):
    return connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=60)


def test_a_cached_read_makes_no_upstream_call_and_a_write_invalidates_it(cached_hub, sandbox):
    contact = sandbox.ids("Contacts")[0]
    first = cached_hub.get(f"contacts/{contact}")
    assert first.headers["Elements-Cache"] == "miss"
    sandbox.clear_requests()
    second = cached_hub.get(f"contacts/{contact}")
    assert second.headers["Elements-Cache"] == "hit"
    assert second.json() == first.json()
    assert sandbox.requests() == []
    cached_hub.ok("PATCH", f"contacts/{contact}", json={"title": "Changed Title"})
    third = cached_hub.get(f"contacts/{contact}")
    assert third.headers["Elements-Cache"] == "miss"
    assert third.json()["title"] == "Changed Title"


def test_cached_list_pages_are_invalidated_by_a_create(cached_hub, sandbox):
    company = sandbox.ids("Companies")[1]
    first = cached_hub.get("contacts", where=f"accountId = {company}")
    sandbox.clear_requests()
    again = cached_hub.get("contacts", where=f"accountId = {company}")
    assert again.headers["Elements-Cache"] == "hit" and sandbox.requests() == []
    cached_hub.ok(
        "POST", "contacts", json={"firstName": "New", "lastName": "Person", "accountId": company}
    )
    after = cached_hub.get("contacts", where=f"accountId = {company}")
    assert after.headers["Elements-Cache"] == "miss"
    assert len(after.json()) == len(first.json()) + 1


def test_an_uncached_instance_says_off_and_always_asks(hub, sandbox):
    contact = sandbox.ids("Contacts")[0]
    hub.get(f"contacts/{contact}")
    sandbox.clear_requests()
    response = hub.get(f"contacts/{contact}")
    assert response.headers["Elements-Cache"] == "off"
    assert len(sandbox.requests(path_contains="Contacts")) == 1


def test_changing_instance_settings_drops_the_cache(cached_hub, sandbox, live_server):
    import requests

    contact = sandbox.ids("Contacts")[0]
    before = cached_hub.get(f"contacts/{contact}").json()
    assert "street1" not in before["addresses"][0]  # null fields left out by default
    auth = cached_hub.headers["Authorization"].rsplit(", Element", 1)[0]
    response = requests.patch(
        f"{cached_hub.url}/instances/{cached_hub.instance['id']}",
        json={"configuration": {"filter.response.nulls": "false"}},
        headers={"Authorization": auth},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    refreshed = cached_hub.get(f"contacts/{contact}")
    assert refreshed.headers["Elements-Cache"] == "miss"
    assert refreshed.json()["addresses"][0]["street1"] is None


def test_a_delete_through_a_caching_instance_leaves_nothing_readable(cached_hub, sandbox):
    company = sandbox.ids("Companies")[1]
    body = {"firstName": "Soon", "lastName": "Gone", "accountId": company}
    contact = cached_hub.ok("POST", "contacts", json=body)["id"]
    where = f"accountId = {company}"
    assert cached_hub.get(f"contacts/{contact}").headers["Elements-Cache"] == "miss"
    assert cached_hub.get(f"contacts/{contact}").headers["Elements-Cache"] == "hit"
    listed = cached_hub.get("contacts", where=where)
    assert contact in [r["id"] for r in listed.json()]
    assert cached_hub.get("contacts", where=where).headers["Elements-Cache"] == "hit"
    cached_hub.ok("DELETE", f"contacts/{contact}")
    assert sandbox.record("Contacts", contact) is None
    gone = cached_hub.get(f"contacts/{contact}")  # the fast path's copy is dropped too
    assert gone.status_code == 404, gone.text
    after = cached_hub.get("contacts", where=where)
    assert after.headers["Elements-Cache"] == "miss"
    assert contact not in [r["id"] for r in after.json()]


def test_a_create_whose_answer_is_lost_still_invalidates_the_cached_pages(cached_hub, sandbox):
    company = sandbox.ids("Companies")[1]
    where = f"accountId = {company}"
    cached_hub.get("contacts", where=where)
    assert cached_hub.get("contacts", where=where).headers["Elements-Cache"] == "hit"
    sandbox.set_faults(kind="drop", count=1, method="POST", path_contains="Contacts")
    lost = cached_hub.call(
        "POST", "contacts", json={"firstName": "Maybe", "lastName": "Made", "accountId": company}
    )
    assert lost.status_code >= 500, lost.text  # never repeated: Autotask may have made it
    after = cached_hub.get("contacts", where=where)
    assert after.headers["Elements-Cache"] == "miss"  # whatever Autotask did, nothing stale
    assert sorted(r["id"] for r in after.json()) == sorted(
        i for i in sandbox.ids("Contacts") if sandbox.record("Contacts", i)["companyID"] == company
    )
