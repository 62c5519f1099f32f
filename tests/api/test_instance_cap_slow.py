"""A create slower than its claim lasts (CLAIM_SECONDS, 5 minutes) loses no bound (#11): its
claim lapsed while Autotask (here "the tenant's Autotask", a loopback server the operator
allowed, holding the credential probe until the test lets it answer) was slow, another create
took the place, and the slow one, when it ends, finds the organization full instead of making
one instance more than CONNECTOR_MAX_INSTANCES. Over real HTTP and a real Redis; the claim's
lapse is shortened to a second, and the test waits for it by its score in Redis."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy import counts
from tests.fixtures.hub import BASE, instance_body
from tests.outbound.servers import Handler, LoopbackServer

LIMIT = 2
ZONE_PATH = "/atservicesrest/v1.0/zoneInformation"
PROBE_PATH = "/ATServicesRest/V1.0/ThresholdInformation"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, max_instances=LIMIT)


class HeldProbe:
    """Answers the zone at once and the credential probe when `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.server = LoopbackServer({ZONE_PATH: self._zone, PROBE_PATH: self._probe})
        self.url = f"http://127.0.0.1:{self.server.port}"

    def _zone(self, handler: Handler) -> None:
        body = {"zoneName": "Held", "url": f"{self.url}/ATServicesRest/", "ci": 78}
        handler.answer(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _probe(self, handler: Handler) -> None:
        self.server.note("probe", True)
        self.release.wait(20)
        limits = {"externalRequestThreshold": 10000, "currentTimeframeRequestCount": 1}
        handler.answer(200, json.dumps(limits).encode(), {"Content-Type": "application/json"})


@pytest.fixture
def held_probe(allow_autotask_host) -> Iterator[HeldProbe]:
    fake = HeldProbe()
    allow_autotask_host(fake.url)
    yield fake
    fake.release.set()
    fake.server.close()


def _post(live_server, tenant, body) -> requests.Response:
    return requests.post(
        live_server.url + BASE + "/instances", json=body, headers=tenant.headers(), timeout=60
    )


def test_a_create_that_outlasts_its_claim_cannot_pass_the_cap(
    app, live_server, tenant, sandbox, held_probe, monkeypatch
):
    monkeypatch.setattr(counts, "CLAIM_SECONDS", 1)
    assert _post(live_server, tenant, instance_body(sandbox)).status_code == 200
    slow_body = instance_body(sandbox)
    slow_body["configuration"]["crm.autotask.server.url"] = held_probe.url
    answers: list[requests.Response] = []
    slow = threading.Thread(target=lambda: answers.append(_post(live_server, tenant, slow_body)))
    slow.start()
    held_probe.server.wait_for_note("probe", timeout=20)  # the slow create holds its claim

    client, keys = get_redis(app), get_keys(app)
    claims = keys.count_claims("instances", str(tenant.organization_id))
    deadline = time.monotonic() + 20
    while client.zcount(claims, time.time() * 1000, "+inf"):  # until its claim has lapsed
        assert time.monotonic() < deadline, "the claim never lapsed"
        time.sleep(0.05)

    assert _post(live_server, tenant, instance_body(sandbox)).status_code == 200  # the place
    held_probe.release.set()
    slow.join(30)
    assert answers and answers[0].status_code == 409, answers[0].text if answers else "none"
    assert f"limit {LIMIT}" in answers[0].json()["message"]
    listed = requests.get(
        live_server.url + BASE + "/instances", headers=tenant.headers(), timeout=30
    ).json()
    assert len(listed) == LIMIT
