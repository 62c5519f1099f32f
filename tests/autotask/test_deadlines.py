"""Every Autotask call ends: one total deadline per attempt, AUTOTASK_MAX_WAIT over retries."""

from __future__ import annotations

import pytest

from connector.autotask import UpstreamConnectionError, Zone
from connector.errors import ProviderFatalError, ProviderRateLimitedError
from tests.autotask.conftest import upstream
from tests.outbound.servers import LoopbackServer, big, drip

API = "/ATServicesRest/V1.0/Companies/0"


def test_a_429_storm_stops_retrying_when_max_wait_is_spent(sandbox, make_client):
    # 50 retries allowed, each refused with Retry-After 1 s: only what fits in 2.5 s is sent
    client = make_client(sandbox, autotask_retries=50, autotask_max_wait=2.5)
    client.get("Companies", 0)  # the threshold snapshot is read now, not during the storm
    sandbox.clear_requests()
    sandbox.set_faults(kind="rate_limit", retry_after=1, path_contains="Companies/0")
    with pytest.raises(ProviderRateLimitedError):
        client.get("Companies", 0)
    attempts = len(upstream(sandbox, "Companies/0"))
    assert 2 <= attempts <= 3, attempts  # 1 + the retries that start before 2.5 s


@pytest.fixture
def slow_upstream(allow_autotask_host):
    """A FAKE Autotask that answers one byte every 50 ms (a fault the sandbox cannot play)."""
    server = LoopbackServer({API: drip("body", total=400, pause=0.05)})
    allow_autotask_host(f"http://127.0.0.1:{server.port}")
    yield server
    server.close()


def test_a_slow_drip_ends_at_the_call_deadline(sandbox, make_client, slow_upstream):
    client = make_client(sandbox, autotask_timeout=0.5, autotask_retries=0)
    client.caller.zone = Zone(
        "Drip", f"http://127.0.0.1:{slow_upstream.port}/ATServicesRest/", "", client.zone.ci
    )
    with pytest.raises(UpstreamConnectionError) as caught:
        client.get("Companies", 0)
    assert "did not answer in time" in caught.value.message
    written = slow_upstream.wait_for_note("drip-body")
    assert written < 400  # the connector hung up long before the body was done


@pytest.fixture
def huge_upstream(allow_autotask_host):
    server = LoopbackServer({API: big(4 * 1024 * 1024, declare=False)})
    allow_autotask_host(f"http://127.0.0.1:{server.port}")
    yield server
    server.close()


def test_an_answer_over_the_size_cap_is_a_502(sandbox, make_client, huge_upstream):
    client = make_client(sandbox, autotask_max_response_bytes=1024 * 1024)
    client.caller.zone = Zone(
        "Huge", f"http://127.0.0.1:{huge_upstream.port}/ATServicesRest/", "", client.zone.ci
    )
    with pytest.raises(ProviderFatalError) as caught:
        client.get("Companies", 0)
    assert caught.value.status == 502 and "larger than allowed" in caught.value.message
