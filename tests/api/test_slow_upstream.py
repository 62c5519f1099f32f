"""A slow-drip upstream and a 429 storm end on their own, while another instance keeps
answering and /health answers (issue #11, "must show"). Over real HTTP: the sandbox, and
"the tenant's Autotask", a loopback server the operator allowed whose every API call drips
its answer a byte at a time (a FAKE by design: the fault no real Autotask produces on
demand). Order and completion are asserted, never durations (benchmarks/trust_bench.py
prints those)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from connector.config import Settings
from tests.fixtures.hub import BASE, instance_body
from tests.outbound.servers import Handler, LoopbackServer, drip

ZONE_PATH = "/atservicesrest/v1.0/zoneInformation"
PROBE_PATH = "/ATServicesRest/V1.0/ThresholdInformation"
DRIP_BYTES = 2000  # at 20 a second: 100 s if nobody cut it off


class _DripEverything(dict):
    """Routes: the zone and the probe answer at once; every other path drips."""

    def __init__(self, routes: dict, fallback) -> None:
        super().__init__(routes)
        self.fallback = fallback

    def get(self, key, default=None):  # noqa: ARG002 - the fallback replaces the default
        return super().get(key, self.fallback)


class DripAutotask:
    def __init__(self) -> None:
        self.server = LoopbackServer({})
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.server.routes = _DripEverything(
            {ZONE_PATH: self._zone, PROBE_PATH: self._probe},
            drip("body", total=DRIP_BYTES, pause=0.05),
        )

    def _zone(self, handler: Handler) -> None:
        body = {"zoneName": "Drip", "url": f"{self.url}/ATServicesRest/", "ci": 77}
        handler.answer(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _probe(self, handler: Handler) -> None:
        limits = {"externalRequestThreshold": 10000, "currentTimeframeRequestCount": 1}
        handler.answer(200, json.dumps(limits).encode(), {"Content-Type": "application/json"})

    def dripped(self) -> list[str]:
        return [p for p, _, _ in self.server.requests if p not in (PROBE_PATH,) and "zone" not in p]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # a short deadline and wait, so the test is short; the rules are the same at any length
    return settings.with_overrides(
        autotask_timeout=4.0, autotask_max_wait=5.0, web_threads=4, instance_thread_share=0.5
    )


@pytest.fixture
def drip_autotask(allow_autotask_host) -> Iterator[DripAutotask]:
    fake = DripAutotask()
    allow_autotask_host(fake.url)
    yield fake
    fake.server.close()


def _instance(live_server, make_tenant, sandbox, server_url: str | None = None) -> dict:
    tenant = make_tenant()
    body = instance_body(sandbox)
    if server_url:
        body["configuration"]["crm.autotask.server.url"] = server_url
    made = requests.post(
        live_server.url + BASE + "/instances", json=body, headers=tenant.headers(), timeout=30
    )
    assert made.status_code == 200, made.text
    return tenant.headers(made.json()["token"])


def _wait_until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


class Finished:
    """What ended, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.order: list[str] = []
        self.answers: dict[str, requests.Response] = {}

    def run(self, name: str, call) -> threading.Thread:
        def target() -> None:
            answer = call()
            with self.lock:
                self.order.append(name)
                self.answers[name] = answer

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread


def _others_answer(live_server, headers, finished: Finished) -> None:
    """Another instance's read and /health, now, while the slow request is held."""
    other = requests.get(
        live_server.url + BASE + "/hubs/crm/accounts",
        headers=headers,
        params={"pageSize": 1},
        timeout=30,
    )
    health = requests.get(live_server.url + BASE + "/health", timeout=30)
    with finished.lock:
        finished.order += ["other", "health"]
        finished.answers.update(other=other, health=health)


def test_a_slow_drip_is_cut_off_while_others_and_health_answer(
    live_server, make_tenant, sandbox, drip_autotask
):
    slow = _instance(live_server, make_tenant, sandbox, drip_autotask.url)
    other = _instance(live_server, make_tenant, sandbox)
    finished = Finished()
    held = finished.run(
        "slow",
        lambda: requests.get(
            live_server.url + BASE + "/hubs/crm/accounts",
            headers=slow,
            params={"pageSize": 1},
            timeout=120,
        ),
    )
    _wait_until(lambda: drip_autotask.dripped())  # the slow call is upstream now
    _others_answer(live_server, other, finished)
    held.join(60)
    assert not held.is_alive(), "the slow request never ended"
    assert finished.order == ["other", "health", "slow"]
    assert finished.answers["other"].status_code == 200
    assert finished.answers["health"].status_code == 200
    answer = finished.answers["slow"]
    assert answer.status_code in (502, 503, 504), answer.text
    assert "did not answer" in answer.json()["message"]
    written = drip_autotask.server.wait_for_note("drip-body")
    assert written < DRIP_BYTES  # cut off, not read to its end


def test_a_429_storm_ends_with_a_429_while_others_and_health_answer(
    live_server, make_tenant, sandbox, make_sandbox
):
    stormy = make_sandbox()
    storm = _instance(live_server, make_tenant, stormy)
    other = _instance(live_server, make_tenant, sandbox)
    stormy.set_faults(kind="rate_limit", retry_after=1, path_contains="Companies")
    finished = Finished()
    held = finished.run(
        "storm",
        lambda: requests.get(
            live_server.url + BASE + "/hubs/crm/accounts",
            headers=storm,
            params={"pageSize": 1},
            timeout=120,
        ),
    )
    _wait_until(lambda: stormy.requests("Companies"))  # refused once, waiting to retry
    _others_answer(live_server, other, finished)
    held.join(60)
    assert not held.is_alive(), "the request in the storm never ended"
    assert finished.order == ["other", "health", "storm"]
    assert finished.answers["other"].status_code == 200
    assert finished.answers["health"].status_code == 200
    answer = finished.answers["storm"]
    assert answer.status_code == 429, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    # Retry-After 1 within AUTOTASK_MAX_WAIT 5: a handful of attempts, then it gave up
    assert 2 <= len(stormy.requests("Companies")) <= 7
    stormy.clear_faults()
