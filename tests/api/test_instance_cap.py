"""An organization holds at most CONNECTOR_MAX_INSTANCES instances (#11): each one polls up to
four resources and holds cache and state. Creates sent all at once get no more places than
creates sent in turn, a refused create sends nothing upstream, and a DELETE makes room."""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from connector.storage.redis_conn import get_keys, get_redis
from tests.fixtures.hub import BASE, instance_body

LIMIT = 3
AT_ONCE = 12


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, max_instances=LIMIT)


def _post(live_server, tenant, body) -> requests.Response:
    return requests.post(
        live_server.url + BASE + "/instances", json=body, headers=tenant.headers(), timeout=60
    )


def _probes(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if "zoneinformation" not in r["path"].lower()]


def test_concurrent_creates_never_exceed_the_cap_and_a_delete_makes_room(
    live_server, tenant, make_tenant, sandbox
):
    body = instance_body(sandbox)
    sandbox.clear_requests()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(lambda _: _post(live_server, tenant, body), range(AT_ONCE)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * LIMIT + [409] * (AT_ONCE - LIMIT), codes
    refused = next(a for a in answers if a.status_code == 409).json()
    assert f"limit {LIMIT}" in refused["message"]
    assert "CONNECTOR_MAX_INSTANCES" in refused["message"]
    assert len(_probes(sandbox)) == LIMIT  # a refused create proved nothing upstream

    listed = requests.get(
        live_server.url + BASE + "/instances", headers=tenant.headers(), timeout=30
    ).json()
    assert len(listed) == LIMIT
    assert _post(live_server, tenant, body).status_code == 409

    # another organization has its own places
    assert _post(live_server, make_tenant("Other tenant"), body).status_code == 200

    gone = requests.delete(
        f"{live_server.url}{BASE}/instances/{listed[0]['id']}", headers=tenant.headers(), timeout=30
    )
    assert gone.status_code == 200, gone.text
    assert _post(live_server, tenant, body).status_code == 200
    assert _post(live_server, tenant, body).status_code == 409


def test_a_failed_create_gives_its_place_back(live_server, tenant, sandbox):
    wrong = instance_body(sandbox, configuration={"crm.autotask.password": "a-wrong-guess"})
    for _ in range(LIMIT + 1):
        assert _post(live_server, tenant, wrong).status_code == 400
    for _ in range(LIMIT):
        assert _post(live_server, tenant, instance_body(sandbox)).status_code == 200


def test_an_organization_past_the_cap_from_before_lists_but_creates_none(
    app, live_server, tenant, sandbox
):
    first = _post(live_server, tenant, instance_body(sandbox))
    assert first.status_code == 200
    # an earlier version let the organization make more than today's cap (ids of its records)
    client, keys = get_redis(app), get_keys(app)
    record = client.get(keys.instance(first.json()["id"]))
    for n in range(1, LIMIT + 2):
        clone = {**json.loads(record), "id": 10_000 + n, "tokenHash": f"legacy{n}"}
        client.set(keys.instance(10_000 + n), json.dumps(clone))
        client.sadd(keys.org_instances(str(tenant.organization_id)), 10_000 + n)
    listed = requests.get(
        live_server.url + BASE + "/instances", headers=tenant.headers(), timeout=30
    )
    assert listed.status_code == 200 and len(listed.json()) == LIMIT + 2
    refused = _post(live_server, tenant, instance_body(sandbox))
    assert refused.status_code == 409 and f"limit {LIMIT}" in refused.json()["message"]
