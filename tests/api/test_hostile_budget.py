"""A hostile tenant spending what is not its own, over real HTTP (issue #11, review findings):
another database's request counters, the zone service, and error texts that would tell it
about hosts behind an allowed proxy.

"The tenant's Autotask" is a loopback server the operator allowed (a proxy, say) whose
answers the tenant writes: a FAKE by design, it plays the attacker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.fixtures.hub import BASE, instance_body
from tests.outbound.servers import Handler, LoopbackServer

ZONE_PATH = "/atservicesrest/v1.0/zoneInformation"
PROBE_PATH = "/ATServicesRest/V1.0/ThresholdInformation"


class TenantAutotask:
    """Answers zoneInformation with its own API base, and the probe with what the test set."""

    def __init__(self) -> None:
        self.probe: tuple[int, bytes] = (200, b"{}")
        self.server = LoopbackServer({ZONE_PATH: self._zone, PROBE_PATH: self._probe})
        self.url = f"http://127.0.0.1:{self.server.port}"

    def _zone(self, handler: Handler) -> None:
        api = f"{self.url}/ATServicesRest/"
        body = {"zoneName": "Mine", "url": api, "webUrl": self.url + "/", "ci": 4242}
        handler.answer(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _probe(self, handler: Handler) -> None:
        status, body = self.probe
        handler.answer(status, body, {"Content-Type": "application/json"})


@pytest.fixture
def tenant_autotask(allow_autotask_host) -> Iterator[TenantAutotask]:
    fake = TenantAutotask()
    allow_autotask_host(fake.url)
    yield fake
    fake.server.close()


def _create(live_server, tenant, sandbox, **configuration: str) -> requests.Response:
    body = instance_body(sandbox, configuration=configuration)
    return requests.post(
        live_server.url + BASE + "/instances", json=body, headers=tenant.headers(), timeout=30
    )


def _counters(redis_client, prefix: str) -> dict[str, str]:
    return {
        key: redis_client.get(key)
        for key in redis_client.scan_iter(match=f"{prefix}limits:*:requests:*", count=500)
    }


def test_failed_probes_never_count_under_the_claimed_database(
    live_server, make_tenant, sandbox, redis_client, key_prefix
):
    victim = make_tenant("Victim corp")
    made = _create(live_server, victim, sandbox)
    assert made.status_code == 200, made.text
    token = made.json()["token"]
    got = requests.get(
        live_server.url + BASE + "/hubs/crm/accounts",
        headers=victim.headers(token),
        params={"pageSize": 1},
        timeout=30,
    )
    assert got.status_code == 200, got.text
    before = _counters(redis_client, key_prefix)
    victims = {k: v for k, v in before.items() if "unproved:" not in k}
    assert victims, "the victim's calls are counted under its database"

    attacker = make_tenant("Attacker corp")  # the victim's username, a guessed secret
    sandbox.clear_requests()
    for _ in range(3):
        refused = _create(live_server, attacker, sandbox, **{"crm.autotask.password": "guess"})
        assert refused.status_code == 400, refused.text
    assert len(sandbox.requests("ThresholdInformation")) == 3  # the probes did go out
    after = _counters(redis_client, key_prefix)
    for key, value in victims.items():
        assert after.get(key) == value, f"{key} moved under the attacker's probes"
    probes = {k: int(v) - int(before.get(k) or 0) for k, v in after.items()}
    probes = {k: moved for k, moved in probes.items() if moved}
    assert probes and all("unproved:" in k for k in probes) and sum(probes.values()) == 3


def test_failed_creates_are_limited_per_organization_with_retry_after(
    live_server, make_tenant, sandbox, settings
):
    attacker = make_tenant("Attacker corp")
    for _ in range(settings.instance_create_failures):
        refused = _create(live_server, attacker, sandbox, **{"crm.autotask.password": "guess"})
        assert refused.status_code == 400, refused.text
    sandbox.clear_requests()
    limited = _create(live_server, attacker, sandbox, **{"crm.autotask.password": "guess"})
    assert limited.status_code == 429, limited.text
    assert 0 < int(limited.headers["Retry-After"]) <= 600
    assert sandbox.requests() == []  # refused before any lookup or probe
    # right credentials are refused too while the window runs: guessing costs the turn
    assert _create(live_server, attacker, sandbox).status_code == 429
    # another organization is not held back by this one's failures
    assert _create(live_server, make_tenant("Bystander corp"), sandbox).status_code == 200


def test_an_unproved_hosts_own_error_text_is_never_echoed(
    live_server, tenant, sandbox, tenant_autotask
):
    inside = b'{"Message": "db 10.1.2.3:5432 refused user svc_admin\\r\\nat Internal.Stack"}'
    tenant_autotask.probe = (500, inside)
    answer = _create(
        live_server, tenant, sandbox, **{"crm.autotask.server.url": tenant_autotask.url}
    )
    assert answer.status_code >= 400, answer.text
    assert answer.json()["providerMessage"] is None
    for leaked in ("10.1.2.3", "svc_admin", "Internal.Stack"):
        assert leaked not in answer.text


def test_autotask_error_items_are_shown_bounded_without_control_characters(
    live_server, tenant, sandbox, tenant_autotask
):
    text = "Invalid \x1b[31mcredentials\x1b[0m\nforged: line" + "x" * 5000
    tenant_autotask.probe = (401, json.dumps({"errors": [text, "second\u2028item"]}).encode())
    answer = _create(
        live_server, tenant, sandbox, **{"crm.autotask.server.url": tenant_autotask.url}
    )
    assert answer.status_code == 400, answer.text
    shown = answer.json()["providerMessage"]
    assert shown.startswith("Invalid  [31mcredentials")
    assert len(shown) <= 1000 and "second item" in shown
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u2028" not in shown and "x" * 400 not in shown


def test_bad_credentials_ask_the_zone_service_once_a_minute_not_per_request(
    live_server, tenant, sandbox, redis_client, key_prefix
):
    made = _create(live_server, tenant, sandbox)
    assert made.status_code == 200, made.text
    token = made.json()["token"]
    headers = tenant.headers(token)
    page = {"pageSize": 1}
    url = live_server.url + BASE + "/hubs/crm/accounts"
    assert requests.get(url, headers=headers, params=page, timeout=30).status_code == 200
    # the zone cache entry is older than a minute (as after a minute of use): forget it
    for key in redis_client.scan_iter(match=f"{key_prefix}zone:*"):
        redis_client.delete(key)
    sandbox.set_faults(kind="error", status=401, path_contains="Companies")
    sandbox.clear_requests()
    for _ in range(5):
        got = requests.get(url, headers=headers, params=page, timeout=30)
        assert got.status_code == 401, got.text
    assert len(sandbox.requests("Companies/query")) == 5
    assert len(sandbox.requests("zoneInformation")) == 1
