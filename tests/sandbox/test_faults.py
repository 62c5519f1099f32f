"""Fault injection: latency, a share of 500s, 429 bursts and dropped connections."""

from __future__ import annotations

import pytest
import requests


def test_an_error_fault_fails_the_next_n_requests(sandbox):
    sandbox.set_faults(kind="error", count=2)
    statuses = [sandbox.call("GET", "Companies/0").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_a_share_of_errors_fails_exactly_that_share(sandbox):
    sandbox.set_faults(kind="error", share=0.3, status=503)
    statuses = [sandbox.call("GET", "Companies/0").status_code for _ in range(10)]
    assert statuses.count(503) == 3


def test_a_429_burst_carries_retry_after(sandbox):
    sandbox.set_faults(kind="rate_limit", count=2, retry_after=7)
    first = sandbox.call("GET", "Companies/0")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert [sandbox.call("GET", "Companies/0").status_code for _ in range(2)] == [429, 200]


def test_a_429_fault_names_the_configured_thread_limit(make_sandbox):
    box = make_sandbox(thread_limit=2)
    box.set_faults(kind="rate_limit", count=1)
    answer = box.call("GET", "Companies/0")
    assert (answer.status_code, answer.json()) == (
        429,
        {"errors": ["The Autotask API thread threshold of 2 threads has been exceeded."]},
    )


def test_a_dropped_connection_gives_no_answer(sandbox):
    sandbox.set_faults(kind="drop", count=1)
    with pytest.raises(requests.ConnectionError):
        sandbox.call("GET", "Companies/0")
    assert sandbox.call("GET", "Companies/0").status_code == 200


def test_latency_delays_matching_requests_only(sandbox):
    sandbox.set_faults(kind="latency", seconds=0.3, path_contains="Contacts")
    sandbox.call("GET", "Companies/0")
    sandbox.call("GET", "Contacts/1")
    fast, slow = (entry["duration_ms"] for entry in sandbox.requests())
    assert fast < 200 <= 300 <= slow


def test_clear_faults_ends_open_ended_faults(sandbox):
    sandbox.set_faults(kind="error")
    assert sandbox.call("GET", "Companies/0").status_code == 500
    sandbox.clear_faults()
    assert sandbox.call("GET", "Companies/0").status_code == 200


def test_faults_can_be_set_over_the_admin_endpoint(sandbox):
    added = requests.post(
        f"{sandbox.url}/_sandbox/faults",
        json={"kind": "error", "count": 1, "status": 502},
        timeout=10,
    )
    listed = requests.get(f"{sandbox.url}/_sandbox/faults", timeout=10).json()["faults"]
    assert added.status_code == 200 and listed[0]["status"] == 502
    assert sandbox.call("GET", "Companies/0").status_code == 502
    assert requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=10).status_code == 200


def test_an_invalid_fault_is_a_400(sandbox):
    answer = requests.post(f"{sandbox.url}/_sandbox/faults", json={"kind": "explode"}, timeout=10)
    assert answer.status_code == 400
