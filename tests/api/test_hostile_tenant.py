"""A hostile tenant steering the connector's Autotask calls, over real HTTP (issue #11).

Three loopback servers play the parts: the sandbox (a real Autotask the operator allows),
"the tenant's Autotask" (a server the operator allowed, e.g. a proxy, whose zone answers the
tenant writes: a FAKE by design, it plays the attacker) and "the internal target" (a service
on the connector's network that nothing may reach: its request log must stay empty).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.fixtures.hub import BASE, instance_body
from tests.outbound.servers import Handler, LoopbackServer

ZONE_PATH = "/atservicesrest/v1.0/zoneInformation"


class TenantAutotask:
    """The tenant's own server: answers zoneInformation with whatever the tenant wrote."""

    def __init__(self) -> None:
        self.answer: dict = {}
        self.server = LoopbackServer({ZONE_PATH: self._zone})
        self.url = f"http://127.0.0.1:{self.server.port}"

    def _zone(self, handler: Handler) -> None:
        handler.answer(200, json.dumps(self.answer).encode(), {"Content-Type": "application/json"})

    def authenticated_calls(self) -> list[str]:
        return [path for path, headers, _ in self.server.requests if "Secret" in headers]


@pytest.fixture
def internal() -> Iterator[LoopbackServer]:
    server = LoopbackServer({})  # every path: 404, recorded
    yield server
    server.close()


@pytest.fixture
def tenant_autotask(allow_autotask_host) -> Iterator[TenantAutotask]:
    fake = TenantAutotask()
    allow_autotask_host(fake.url)  # the operator allowed this host (a proxy, say)
    yield fake
    fake.server.close()


def _create(live_server, tenant, sandbox, server_url: str) -> requests.Response:
    body = instance_body(sandbox, configuration={"crm.autotask.server.url": server_url})
    return requests.post(
        live_server.url + BASE + "/instances", json=body, headers=tenant.headers(), timeout=30
    )


def _zone_answer(url: str, ci: int = 31337) -> dict:
    return {"zoneName": "Mine", "url": url, "webUrl": url, "ci": ci}


@pytest.mark.parametrize(
    "server_url",
    [
        pytest.param("http://127.0.0.1:{internal}", id="the internal target itself"),
        pytest.param("http://127.0.0.1:{internal}/admin?x=", id="its admin path with a query"),
        pytest.param("https://10.0.0.7:6379", id="a private address"),
        pytest.param("http://169.254.169.254/latest", id="the cloud metadata address"),
        pytest.param("http://ww3.autotask.net", id="Autotask's web host over plain http"),
    ],
)
def test_a_server_url_outside_the_allowed_hosts_is_refused_unsent(
    live_server, tenant, sandbox, internal, server_url
):
    url = server_url.format(internal=internal.port)
    answer = _create(live_server, tenant, sandbox, url)
    assert answer.status_code == 400, answer.text
    message = answer.json()["message"]
    assert "crm.autotask.server.url" in message and "rule:" in message
    assert str(internal.port) not in answer.text and "10.0.0.7" not in answer.text
    assert internal.requests == [] and internal.connections == 0


def test_open_and_closed_ports_answer_alike(live_server, tenant, sandbox, internal):
    closed = internal.port + 1 if internal.port < 65535 else internal.port - 1
    open_answer = _create(live_server, tenant, sandbox, f"http://127.0.0.1:{internal.port}")
    closed_answer = _create(live_server, tenant, sandbox, f"http://127.0.0.1:{closed}")
    assert open_answer.status_code == closed_answer.status_code == 400

    def text(answer):
        return {k: v for k, v in answer.json().items() if k != "requestId"}

    assert text(open_answer) == text(closed_answer)


@pytest.mark.parametrize(
    "zone_url",
    [
        pytest.param("http://127.0.0.1:{internal}/ATServicesRest/", id="the internal target"),
        pytest.param("{tenant}/x?x=", id="a query that swallows the fixed suffix"),
        pytest.param("{tenant}/a/../ATServicesRest/", id="a path that climbs"),
        pytest.param("{tenant}/%2e%2e/ATServicesRest/", id="an encoded climb"),
        pytest.param("{tenant}/ATServicesRest/#", id="a fragment"),
        pytest.param("http://user:pw@127.0.0.1:{internal}/ATServicesRest/", id="userinfo"),
    ],
)
def test_a_zone_answer_outside_the_rules_is_refused_unsent(
    live_server, tenant, sandbox, internal, tenant_autotask, redis_client, zone_url
):
    tenant_autotask.answer = _zone_answer(
        zone_url.format(internal=internal.port, tenant=tenant_autotask.url)
    )
    answer = _create(live_server, tenant, sandbox, tenant_autotask.url)
    assert answer.status_code == 400, answer.text
    assert "the zone answer's url" in answer.json()["message"]
    assert str(internal.port) not in answer.text
    assert internal.requests == [] and internal.connections == 0
    assert tenant_autotask.authenticated_calls() == []  # only the (credential-free) lookup


def test_a_failed_create_repoints_no_existing_instance(
    live_server, make_tenant, sandbox, make_sandbox, tenant_autotask, redis_client, key_prefix
):
    # a victim's instance whose zone its lookup server (the tenant's proxy) sent to the sandbox
    tenant_autotask.answer = _zone_answer(sandbox.api_url)
    victim = make_tenant("Victim corp")
    created = _create(live_server, victim, sandbox, tenant_autotask.url)
    assert created.status_code == 200, created.text
    token = created.json()["token"]
    # an attacker with the same user name and lookup URL but a wrong secret, whose lookup
    # answer now points at another (allowed) Autotask
    elsewhere = make_sandbox()
    tenant_autotask.answer = _zone_answer(elsewhere.api_url)
    attacker = make_tenant("Attacker corp")
    body = instance_body(
        sandbox,
        configuration={
            "crm.autotask.server.url": tenant_autotask.url,
            "crm.autotask.password": "not-the-secret",
        },
    )
    refused = requests.post(
        live_server.url + BASE + "/instances", json=body, headers=attacker.headers(), timeout=30
    )
    assert refused.status_code == 400, refused.text
    elsewhere.clear_requests()
    sandbox.clear_requests()
    # the victim's calls still go where its zone was proved
    got = requests.get(
        live_server.url + BASE + "/hubs/crm/accounts",
        headers=victim.headers(token),
        params={"pageSize": 1},
        timeout=30,
    )
    assert got.status_code == 200, got.text
    assert sandbox.requests("Companies/query") != []
    assert elsewhere.requests() == []


def test_a_claimed_database_id_lands_under_its_own_key(
    live_server, make_tenant, sandbox, tenant_autotask, redis_client, key_prefix
):
    # the victim reaches the sandbox through the sandbox's own lookup; the attacker's lookup
    # server claims the same API host and ci, to share (and poison) the victim's state
    victim = make_tenant("Victim corp")
    created = _create(live_server, victim, sandbox, sandbox.url)
    assert created.status_code == 200, created.text
    victim_token = created.json()["token"]
    requests.get(
        live_server.url + BASE + "/hubs/crm/accounts",
        headers=victim.headers(victim_token),
        params={"pageSize": 1},
        timeout=30,
    )
    before = _shared_state(redis_client, key_prefix)
    assert before, "the victim's calls left counters and a threshold snapshot"

    tenant_autotask.answer = _zone_answer(sandbox.api_url, ci=31337)
    attacker = make_tenant("Attacker corp")
    made = _create(live_server, attacker, sandbox, tenant_autotask.url)
    assert made.status_code == 200, made.text
    for _ in range(3):
        requests.get(
            live_server.url + BASE + "/hubs/crm/accounts",
            headers=attacker.headers(made.json()["token"]),
            params={"pageSize": 1},
            timeout=30,
        )
    after = _shared_state(redis_client, key_prefix)
    for key, value in before.items():
        if ":threshold" in key or ":meta:" in key:
            assert after.get(key) == value, f"{key} changed under the attacker's calls"
    attacker_keys = set(after) - set(before)
    # under its own lookup server's origin, or (its creation probe) a provisional key
    mine = tenant_autotask.url.split("//")[1]
    assert attacker_keys and all(mine in k or ":unproved:" in k for k in attacker_keys)


def _shared_state(redis_client, prefix: str) -> dict[str, str]:
    found = {}
    for pattern in (f"{prefix}limits:*", f"{prefix}meta:*"):
        for key in redis_client.scan_iter(match=pattern, count=500):
            if redis_client.type(key) == "string" and ":requests:" not in key:
                found[key] = redis_client.get(key)
    return found


def test_a_named_host_at_another_port_answers_like_an_unnamed_host(
    live_server, tenant, sandbox, internal
):
    # 127.0.0.1 is named (the sandbox's port); 127.0.0.9 is named nowhere: telling the two
    # apart would let a tenant learn the allowed hosts one probe at a time
    port = sandbox.url.rsplit(":", 1)[1]
    named = _create(live_server, tenant, sandbox, f"http://127.0.0.1:{internal.port}")
    unnamed = _create(live_server, tenant, sandbox, f"http://127.0.0.9:{port}")
    assert named.status_code == unnamed.status_code == 400

    def text(answer):
        return {k: v for k, v in answer.json().items() if k != "requestId"}

    assert text(named) == text(unnamed)
    assert "rule: host" in named.json()["message"]
    assert internal.requests == [] and internal.connections == 0
