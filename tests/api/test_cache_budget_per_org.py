"""One organization cannot take the whole global cache budget from the others (#11).

Written by the review of #18/#11 and left failing for the trust work: the global budget
refuses new puts once all instances' entries reach it, and nothing bounds an organization's
instances (64 MiB each, 512 MiB for all: 8 instances of one tenant, on its own Autotask, with
cacheTimeToLive at 7 days). Every other tenant's reads then miss for up to 7 days, each one an
Autotask call. Budgets set small as in test_cache_budget.py (module settings, read at each put).
"""

from __future__ import annotations

from connector.hub import cache as hub_cache
from tests.fixtures.hub import HubApi, instance_api


def _instance(live_server, tenant, sandbox) -> HubApi:
    return instance_api(live_server.url, tenant, sandbox, cachingEnabled=True)


def _read(hub: HubApi, record_id: int) -> str:
    answer = hub.get(f"contacts/{record_id}")
    assert answer.status_code == 200, answer.text
    return answer.headers["Elements-Cache"]


def test_one_organizations_instances_leave_others_room_in_the_cache(
    live_server, make_tenant, sandbox, redis_client, key_prefix, monkeypatch
):
    hostile, victim = make_tenant("Hostile org"), make_tenant("Victim org")
    mine = [_instance(live_server, hostile, sandbox) for _ in range(2)]
    theirs = _instance(live_server, victim, sandbox)
    ids = sandbox.ids("Contacts")
    _read(mine[0], ids[0])
    one = int(redis_client.hget(f"{key_prefix}cache:all:bytes", "_total"))
    monkeypatch.setattr(hub_cache, "INSTANCE_BYTES", int(one * 2.5))  # two records each
    monkeypatch.setattr(hub_cache, "GLOBAL_BYTES", int(one * 4.5))  # four for all
    for hub, record_ids in zip(mine, (ids[1:3], ids[3:5]), strict=True):
        for record_id in record_ids:
            _read(hub, record_id)
    sandbox.clear_requests()
    assert _read(theirs, ids[5]) == "miss"
    assert _read(theirs, ids[5]) == "hit", "the hostile organization holds the whole budget"
    assert len(sandbox.requests(f"Contacts/{ids[5]}")) == 1
