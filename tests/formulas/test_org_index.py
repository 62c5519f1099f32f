"""Formula instances stored before the per-organization index existed (before the count cap)
are counted by the cap: a capped create indexes those stored since the last walk, each under
its own organization, and never brings back one that was deleted."""

from __future__ import annotations

import json
import threading

import pytest

from connector.formulas.org_index import OrgIndexBackfill
from connector.storage.redis_conn import get_keys, get_redis
from tests.formulas.conftest import BASE
from tests.formulas.test_count_caps import _install

CAP = 2


def _store_the_old_way(redis, keys, org_id: int, element_id: int) -> int:
    """A formula instance as the store wrote it before the organization index: its document,
    its template's index and its element instance's index, and nothing else."""
    instance_id = int(redis.incr(keys.sequence("formula-instance")))
    doc = {
        "id": instance_id,
        "formulaId": "ticket-to-alert",
        "organizationId": org_id,
        "userId": 1,
        "name": "old",
        "active": True,
        "configuration": {"autotask": element_id, "alertWebhookUrl": "http://127.0.0.1:9/a"},
        "elementInstanceIds": [element_id],
        "createdDate": "2026-11-01T00:00:00Z",
        "updatedDate": "2026-11-01T00:00:00Z",
    }
    with redis.pipeline() as pipe:
        pipe.set(keys.formula_instance(instance_id), json.dumps(doc))
        pipe.sadd(keys.formula_instances("ticket-to-alert"), instance_id)
        pipe.sadd(keys.element_formula_instances(element_id), instance_id)
        pipe.execute()
    return instance_id


@pytest.fixture
def service(app):
    found = app.extensions["connector.formulas"]["service"]
    found.instance_cap.limit = CAP  # the shipped 1,000
    return found


def test_instances_stored_before_the_index_count_against_the_cap(
    app, client, tenant, element_instance, service
):
    redis, keys = get_redis(app), get_keys(app)
    old = [
        _store_the_old_way(redis, keys, tenant.organization_id, element_instance["id"])
        for _ in range(CAP)
    ]
    refused = _install(client, tenant, element_instance["id"])
    assert refused.status_code == 409, refused.get_data(as_text=True)
    assert f"limit {CAP}" in refused.get_json()["message"]

    gone = client.delete(
        f"{BASE}/formulas/ticket-to-alert/instances/{old[0]}", headers=tenant.headers()
    )
    assert gone.status_code == 200
    assert _install(client, tenant, element_instance["id"]).status_code == 200
    assert _install(client, tenant, element_instance["id"]).status_code == 409


def test_each_stored_instance_is_indexed_once_under_its_own_organization(app):
    redis, keys = get_redis(app), get_keys(app)
    mine = [_store_the_old_way(redis, keys, 9001, 1) for _ in range(3)]
    theirs = [_store_the_old_way(redis, keys, 9002, 2)]
    deleted = _store_the_old_way(redis, keys, 9001, 1)
    redis.delete(keys.formula_instance(deleted))

    walks = [OrgIndexBackfill(redis, keys) for _ in range(3)]  # three processes at once
    added: list[int] = []
    threads = [threading.Thread(target=lambda w=w: added.append(w.ensure())) for w in walks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert {int(i) for i in redis.smembers(keys.org_formula_instances(9001))} == set(mine)
    assert {int(i) for i in redis.smembers(keys.org_formula_instances(9002))} == set(theirs)
    assert sum(added) == 4  # each id added by exactly one of the walks
    assert redis.get(keys.org_formula_instances_backfilled()) == str(deleted)

    # a later walk goes on from the marker: the ids walked are not read again, and one
    # stored the old way since (a host on the old code during a rolling upgrade) is indexed
    assert OrgIndexBackfill(redis, keys).ensure() == 0
    late = _store_the_old_way(redis, keys, 9001, 1)
    assert OrgIndexBackfill(redis, keys).ensure() == 1
    assert str(late) in redis.smembers(keys.org_formula_instances(9001))
    assert redis.get(keys.org_formula_instances_backfilled()) == str(late)


def test_an_instance_deleted_after_it_was_read_is_not_added_back(app):
    """The walk reads documents, then adds their ids in a script that checks each is still
    stored: a delete between the two (one MULTI: document and index entry) is not undone."""
    redis, keys = get_redis(app), get_keys(app)
    instance_id = _store_the_old_way(redis, keys, 9003, 3)
    walk = OrgIndexBackfill(redis, keys)
    redis.delete(keys.formula_instance(instance_id))  # deleted after the walk's MGET
    index = keys.org_formula_instances(9003)
    assert walk._add(keys=[keys.formula_instance(instance_id), index], args=[instance_id]) == 0
    assert not redis.exists(index)


# A rolling upgrade (found by a hostile review): the walk ran once a deployment, so an
# instance a host still on the code before the index stored after the marker was set was
# never counted. Each walk now goes on from the last id walked.
def test_an_instance_an_old_host_stored_after_the_marker_counts_against_the_cap(
    app, client, tenant, element_instance, service
):
    redis, keys = get_redis(app), get_keys(app)
    first = _install(client, tenant, element_instance["id"])  # a new host: walks, sets marker
    assert first.status_code == 200, first.get_data(as_text=True)
    assert redis.exists(keys.org_formula_instances_backfilled())

    # a host still on the code before the organization index, during the roll-out
    _store_the_old_way(redis, keys, tenant.organization_id, element_instance["id"])

    # the roll-out ends; a host (re)started on the new code makes the next create
    service.org_index = OrgIndexBackfill(redis, keys)
    refused = _install(client, tenant, element_instance["id"])
    assert refused.status_code == 409, refused.get_data(as_text=True)  # it holds CAP already
