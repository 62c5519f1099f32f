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
