"""The per-call pipeline (connector/autotask/calls.py) against a failing sandbox."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from connector.autotask import AutotaskClient, UpstreamConnectionError, Zone
from connector.autotask.limits import releaser
from connector.config import Settings
from connector.errors import (
    ProviderAuthError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
    ProviderValidationError,
    StorageUnavailableError,
)
from tests.autotask.conftest import sandbox_credentials, upstream


def company_id(box) -> int:
    return next(i for i in box.ids("Companies") if i != 0)


def contact_body(box, last_name: str) -> dict:
    return {
        "companyID": company_id(box),
        "firstName": "Retry",
        "lastName": last_name,
        "isActive": 1,
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- reads are retried -----------------------------------------------------------------
def test_a_read_refused_with_429_waits_for_retry_after(sandbox, autotask):
    sandbox.set_faults(kind="rate_limit", count=1, path_contains="Companies/0", retry_after=1)
    started = time.monotonic()
    assert autotask.get("Companies", 0)["id"] == 0
    assert time.monotonic() - started >= 0.95
    assert len(upstream(sandbox, "Companies/0", method="GET")) == 2
    assert autotask.stats.retries == 1


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "error", "status": 503}, id="a 503"),
        pytest.param({"kind": "error"}, id="Autotask's bare unexpected-error 500"),
        pytest.param({"kind": "drop"}, id="a connection reset"),
    ],
)
def test_reads_are_retried_after_transient_failures(sandbox, autotask, fault):
    sandbox.set_faults({**fault, "count": 2, "path_contains": "Companies/query"})
    assert autotask.count("Companies", None) == sandbox.count("Companies")
    assert len(upstream(sandbox, "Companies/query", at_least=3)) == 3
    assert autotask.stats.retries == 2


def test_retries_run_out_into_a_typed_error(sandbox, make_client):
    client = make_client(sandbox, autotask_retries=1)
    sandbox.set_faults(kind="error", status=503, path_contains="Companies/query")
    with pytest.raises(ProviderUnavailableError) as caught:
        client.count("Companies", None)
    assert caught.value.status == 503
    assert caught.value.provider_status == 503
    assert len(upstream(sandbox, "Companies/query")) == 2


def test_an_update_is_retried_after_a_reset(sandbox, autotask):
    company = company_id(sandbox)
    sandbox.set_faults(kind="drop", count=1, method="PATCH")
    updated = autotask.update("Companies", {"id": company, "phone": "555-0123"})
    assert updated["phone"] == "555-0123"
    assert len(upstream(sandbox, "Companies", method="PATCH", at_least=2)) == 2


# -- creates are never made twice ------------------------------------------------------
def test_a_create_whose_connection_broke_is_not_retried(sandbox, autotask):
    sandbox.set_faults(kind="drop", count=1, method="POST", path_contains="/Contacts")
    with pytest.raises(UpstreamConnectionError) as caught:
        autotask.create("Contacts", contact_body(sandbox, "Dropped"))
    assert caught.value.request_sent is True
    assert caught.value.status == 503
    assert len(upstream(sandbox, "/Contacts", method="POST", at_least=1)) == 1
    assert sandbox.count("Contacts", lastName="Dropped") <= 1


def test_a_create_after_a_503_is_not_retried(sandbox, autotask):
    sandbox.set_faults(kind="error", status=503, count=1, method="POST")
    with pytest.raises(ProviderUnavailableError):
        autotask.create("Contacts", contact_body(sandbox, "Unavailable"))
    assert len(upstream(sandbox, "/Contacts", method="POST")) == 1


def test_a_create_refused_with_429_is_retried_once_and_made_once(sandbox, autotask):
    sandbox.set_faults(kind="rate_limit", count=1, method="POST")
    created = autotask.create("Contacts", contact_body(sandbox, "Refused"))
    assert created["lastName"] == "Refused"
    assert len(upstream(sandbox, "/Contacts", method="POST")) == 2
    assert sandbox.count("Contacts", lastName="Refused") == 1


def test_a_create_retried_when_the_connection_was_refused(
    sandbox, make_client, redis_client, keys, allow_autotask_host
):
    # the zone points at a port nobody listens on: nothing can have been sent
    client = make_client(sandbox)
    port = closed_port()
    allow_autotask_host(f"http://127.0.0.1:{port}")  # an allowed host that went away
    dead = Zone("Gone", f"http://127.0.0.1:{port}/ATServicesRest/", "", client.zone.ci)
    client.caller.zone = dead
    redis_client.set(
        keys.zone(sandbox.zone_url, client.credentials.username),
        json.dumps({**dead.to_answer(), "fetchedAt": 0}),
    )
    created = client.create("Contacts", contact_body(sandbox, "Rerouted"))
    assert created["lastName"] == "Rerouted"
    assert client.zone.url.lower() == sandbox.api_url.lower()
    assert client.stats.zone_refreshes == 1
    assert sandbox.count("Contacts", lastName="Rerouted") == 1


# -- auth ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("override", "text"),
    [
        pytest.param(
            {"secret": "wrong"},
            "Authorization has been denied for this request.",
            id="a wrong secret",
        ),
        pytest.param(
            {"integration_code": "WRONG"},
            "IntegrationCode is invalid.",
            id="a wrong integration code",
        ),
    ],
)
def test_auth_failures_are_typed_and_not_retried(sandbox, make_client, override, text):
    client = make_client(sandbox, credentials=sandbox_credentials(sandbox, **override))
    with pytest.raises(ProviderAuthError) as caught:
        client.probe()
    assert caught.value.status == 401
    assert caught.value.provider_message == text
    assert len(upstream(sandbox, "ThresholdInformation")) == 1
    assert len(upstream(sandbox, "zoneInformation")) == 1  # the zone was fetched just now


def test_headers_reach_autotask(sandbox, make_client):
    resource = sandbox.ids("Resources")[1]
    creds = sandbox_credentials(sandbox, impersonation_resource_id=resource)
    make_client(sandbox, credentials=creds).get("Companies", 0)
    entry = upstream(sandbox, "Companies/0")[0]
    assert entry["username"] == creds.username
    assert entry["integration_code"].upper() == creds.integration_code.upper()
    assert entry["impersonation"] == str(resource)
    assert entry["status"] == 200


def test_no_secret_in_logs_or_errors(sandbox, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    creds = sandbox_credentials(sandbox)
    client = make_client(sandbox)
    bad = make_client(sandbox, credentials=sandbox_credentials(sandbox, secret="wrong-secret"))
    sandbox.set_faults(kind="drop", count=1)
    errors = []
    for call in (
        lambda: client.get("Companies", 0),
        lambda: bad.get("Companies", 0),
        lambda: client.create("Contacts", {"companyID": 0}),
    ):
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - collecting every error's text
            errors.append(f"{exc!s} {exc!r} {getattr(exc, 'provider_message', '')}")
    assert errors
    text = caplog.text + " ".join(errors) + repr(client) + repr(client.credentials)
    for secret in (creds.secret, "wrong-secret", creds.integration_code):
        assert secret not in text


def test_redis_down_is_a_storage_error(sandbox, make_client, keys):
    working = make_client(sandbox)
    dead_redis = redis.Redis(
        port=closed_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    settings = Settings(autotask_zone_url=sandbox.zone_url)
    client = AutotaskClient(
        working.credentials, working.zone, redis=dead_redis, keys=keys, settings=settings
    )
    with pytest.raises(StorageUnavailableError):
        client.get("Companies", 0)
    assert upstream(sandbox, "Companies/0") == []


def test_rate_limits_pass_retry_after_on(sandbox, make_client):
    client = make_client(sandbox, autotask_retries=0)
    sandbox.set_faults(kind="rate_limit", count=1, retry_after=7)
    with pytest.raises(ProviderRateLimitedError) as caught:
        client.get("Companies", 0)
    assert caught.value.retry_after == 7
    assert caught.value.headers["Retry-After"] == "7"
    assert "thread threshold" in caught.value.provider_message


# -- zones moved by another worker -------------------------------------------------------
def test_a_stale_worker_adopts_the_zone_another_worker_just_refreshed(
    sandbox, make_client, allow_autotask_host
):
    # make_client cached the sandbox's zone just now, as a worker that refreshed it would
    client = make_client(sandbox)
    port = closed_port()
    allow_autotask_host(f"http://127.0.0.1:{port}")  # an allowed host that went away
    client.caller.zone = Zone(
        "Gone", f"http://127.0.0.1:{port}/ATServicesRest/", "", client.zone.ci
    )
    sandbox.clear_requests()
    assert client.get("Companies", 0)["id"] == 0
    assert client.zone.url.lower() == sandbox.api_url.lower()
    assert upstream(sandbox, "zoneInformation") == []  # the cached answer was enough
    assert client.stats.retries == 1


def test_provider_text_about_a_time_zone_is_no_zone_move(sandbox, autotask, redis_client, keys):
    username = autotask.credentials.username
    redis_client.set(
        keys.zone(sandbox.zone_url, username),
        json.dumps({**autotask.zone.to_answer(), "fetchedAt": 0}),
    )
    sandbox.clear_requests()
    sandbox.set_faults(
        kind="error", status=500, count=1, method="PATCH", message="The time zone is invalid."
    )
    with pytest.raises(ProviderValidationError):
        autotask.update("Companies", {"id": company_id(sandbox), "phone": "555-0100"})
    assert upstream(sandbox, "zoneInformation") == []


# -- ThresholdInformation after a call: once, best effort --------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "rate_limit", "retry_after": 2}, id="a 429 with Retry-After"),
        pytest.param({"kind": "error", "status": 503}, id="a 503"),
        pytest.param({"kind": "error", "status": 401}, id="a 401, which could hint at a zone"),
    ],
)
def test_a_failing_threshold_read_costs_one_request_and_no_wait(
    sandbox, autotask, redis_client, keys, fault
):
    username = autotask.credentials.username
    redis_client.set(
        keys.zone(sandbox.zone_url, username),
        json.dumps({**autotask.zone.to_answer(), "fetchedAt": 0}),
    )
    sandbox.clear_requests()
    sandbox.set_faults({**fault, "path_contains": "ThresholdInformation"})
    started = time.monotonic()
    assert autotask.get("Companies", 0)["id"] == 0  # no snapshot yet: the read is due
    assert time.monotonic() - started < 1.0
    assert len(upstream(sandbox, "ThresholdInformation")) == 1
    assert upstream(sandbox, "zoneInformation") == []
    assert autotask.caller.limits.usage().snapshot is None  # left as it was
    assert autotask.stats.retries == 0


def test_a_threshold_read_after_a_call_keeps_the_snapshot(sandbox, autotask):
    autotask.get("Companies", 0)
    snapshot = autotask.caller.limits.usage().snapshot
    assert snapshot is not None
    assert (
        snapshot["limit"]
        == sandbox.call("GET", "ThresholdInformation").json()["externalRequestThreshold"]
    )


# -- a slow call keeps its concurrency slot ----------------------------------------------
def test_a_call_slower_than_the_slot_lifetime_keeps_its_slot(sandbox, autotask):
    autotask.caller.limits.slot_seconds = 0.2  # semaphores are built on first use
    sandbox.set_faults(kind="latency", seconds=0.6, count=1, path_contains="Companies/0")
    seen: list[int] = []

    def watch() -> None:
        time.sleep(0.45)  # twice past the slot's first expiry
        seen.append(autotask.caller.limits.semaphore("Companies").holders())

    watcher = threading.Thread(target=watch)
    watcher.start()
    assert autotask.get("Companies", 0)["id"] == 0
    watcher.join()
    assert seen == [1]
    assert releaser.flush()  # the release is sent just after the answer
    assert autotask.caller.limits.semaphore("Companies").holders() == 0
