"""GET /instances/{id}/usage adds up to the Autotask calls the requests made (the sandbox's log)."""

from __future__ import annotations

from collections import Counter

import requests

from tests.fixtures.hub import BASE


def entity_of(path: str) -> str:
    """`/ATServicesRest/V1.0/Contacts/query` -> `Contacts`."""
    return path.lower().split("/v1.0/", 1)[1].split("/", 1)[0].capitalize()


def usage_of(hub, headers=None) -> requests.Response:
    platform = {"Authorization": hub.headers["Authorization"].rsplit(", Element", 1)[0]}
    return requests.get(
        f"{hub.url}/instances/{hub.instance['id']}/usage", headers=headers or platform, timeout=30
    )


def test_usage_adds_up_to_the_calls_made_by_entity_and_outcome(hub, sandbox):
    sandbox.clear_requests()  # creating the instance proved its credentials before it existed
    contact_id = sandbox.ids("Contacts")[2]
    assert hub.get("contacts", pageSize=3).status_code == 200
    assert hub.get(f"contacts/{contact_id}").status_code == 200
    assert hub.get("accounts", pageSize=2, includeTotalCount="true").status_code == 200
    assert hub.get("contacts/999999999").status_code == 404
    logged = sandbox.requests()
    response = usage_of(hub)
    assert response.status_code == 200, response.text
    usage = response.json()
    assert usage["instanceId"] == hub.instance["id"]
    assert len(usage["hours"]) == 24
    assert usage["calls"] == sum(h["calls"] for h in usage["hours"]) == len(logged)
    by_outcome: Counter[tuple[str, str]] = Counter()
    for hour in usage["hours"]:
        for entity, outcomes in hour["byResource"].items():
            for outcome, count in outcomes.items():
                by_outcome[entity, outcome] += count
    expected: Counter[tuple[str, str]] = Counter(
        (entity_of(r["path"]), "ok" if r["status"] < 400 else "error") for r in logged
    )
    assert by_outcome == expected
    assert by_outcome["Contacts", "ok"] >= 3 and by_outcome["Companies", "ok"] >= 2
    threshold = usage["threshold"]
    assert threshold["limit"] == 10000
    assert threshold["used"] >= len(logged)
    assert usage_of(hub).json()["calls"] == len(logged)  # reading the usage costs no call


def test_usage_is_only_for_the_owning_organization(hub, make_tenant):
    other = make_tenant("Other org")
    assert usage_of(hub, other.headers()).status_code == 404
    assert (
        requests.get(f"{hub.url}/instances/{hub.instance['id']}/usage", timeout=30).status_code
        == 401
    )


def test_an_instance_without_calls_has_empty_hours(connect_hub, sandbox):
    hub = connect_hub(sandbox)
    usage = usage_of(hub).json()
    assert usage["calls"] == 0 and usage["threshold"] is None
    assert all(h["calls"] == 0 and h["byResource"] == {} for h in usage["hours"])
    assert BASE in hub.url


def test_a_retried_call_counts_twice_with_its_outcomes(hub, sandbox):
    contact_id = sandbox.ids("Contacts")[1]
    assert hub.get(f"contacts/{contact_id}").status_code == 200  # metadata read here
    before = usage_of(hub).json()["calls"]
    sandbox.clear_requests()
    sandbox.set_faults(kind="rate_limit", count=1, path_contains=f"Contacts/{contact_id}")
    response = hub.get(f"contacts/{contact_id}")
    assert response.status_code == 200, response.text
    assert int(response.headers["Autotask-Calls"]) == len(sandbox.requests()) == 2
    usage = usage_of(hub).json()
    assert usage["calls"] - before == 2
    outcomes: Counter[str] = Counter()
    for hour in usage["hours"]:
        for outcome, count in hour["byResource"].get("Contacts", {}).items():
            outcomes[outcome] += count
    assert outcomes["rate_limited"] == 1
