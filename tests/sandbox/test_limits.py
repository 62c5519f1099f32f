"""Checklist "Limits" (reference section 7): ThresholdInformation, latency at 50 % and 75 %,
refusal past 100 %, and 3 concurrent requests per integration code and endpoint.

No test here measures a duration (a busy machine would break it): the latency the sandbox
adds is read from its request log, the window is cleared by ageing its hits, and concurrent
requests are held in flight by a latency fault while the test checks the in-flight count.
Durations belong to benchmarks/."""

from __future__ import annotations

import threading
import time

import requests


def test_threshold_information_counts_the_window_including_itself(make_sandbox):
    box = make_sandbox(threshold=500)
    for _ in range(3):
        box.call("GET", "Companies/0")
    answer = box.call("GET", "ThresholdInformation").json()
    assert answer == {
        "externalRequestThreshold": 500,
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": 4,
    }


def test_latency_is_added_at_50_and_75_percent(make_sandbox):
    box = make_sandbox(threshold=8, latency_at_50=0.02, latency_at_75=0.04)
    for _ in range(8):
        assert box.call("GET", "Companies/0").status_code == 200
    added = [entry["added_latency"] for entry in box.requests()]
    assert added == [0, 0, 0, 0, 0.02, 0.02, 0.04, 0.04]  # 0-49 %, 50-74 %, 75 % and more


def test_requests_past_the_threshold_are_refused_until_the_window_clears(make_sandbox):
    box = make_sandbox(threshold=3, latency_at_50=0, latency_at_75=0)
    statuses = [box.call("GET", "Companies/0").status_code for _ in range(4)]
    refused = box.call("GET", "Companies/0")
    with box.store.write() as conn:  # the hour passes: every counted request leaves the window
        conn.execute("UPDATE _hits SET ts = ts - 3600")
    assert statuses == [200, 200, 200, 429]
    assert refused.json() == {
        "errors": ["The request threshold of 3 requests per 60 minutes has been exceeded."]
    }
    assert box.call("GET", "Companies/0").status_code == 200
    assert box.call("GET", "ThresholdInformation").json()["currentTimeframeRequestCount"] == 2


def _in_flight(box) -> int:
    with box.store.read() as conn:
        return conn.execute("SELECT COUNT(*) FROM _inflight").fetchone()[0]


def _hold(box, calls, count: int) -> tuple[list[threading.Thread], list]:
    """Start `calls` in threads and return once `count` requests are in flight (a latency
    fault keeps them there for a second)."""
    results: list = []
    threads = [threading.Thread(target=lambda c=c: results.append(c())) for c in calls]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while _in_flight(box) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _in_flight(box) == count
    return threads, results


def _finish(held) -> list[int]:
    threads, results = held
    for thread in threads:
        thread.join(15)
    return sorted(answer.status_code for answer in results)


def test_a_fourth_concurrent_request_to_one_endpoint_is_a_429(sandbox):
    sandbox.set_faults(kind="latency", seconds=1, count=3, path_contains="/Companies/")
    held = _hold(sandbox, [lambda: sandbox.call("GET", "Companies/0")] * 3, count=3)
    fourth = sandbox.call("GET", "Companies/0")
    assert (fourth.status_code, fourth.json()) == (
        429,
        {"errors": ["The Autotask API thread threshold of 3 threads has been exceeded."]},
    )
    assert _finish(held) == [200, 200, 200]


def test_the_thread_limit_is_per_endpoint_and_spares_zone_lookups(make_sandbox):
    box = make_sandbox(thread_limit=1)
    box.set_faults(kind="latency", seconds=1, count=1, path_contains="/Companies/")
    held = _hold(box, [lambda: box.call("GET", "Companies/0")], count=1)
    same_endpoint = box.call("GET", "Companies/0")
    other_endpoint = box.call("GET", f"Contacts/{box.ids('Contacts')[0]}")
    zone = requests.get(box.zone_url, params={"user": box.credentials.username}, timeout=10)
    assert _in_flight(box) == 1  # the held request was still running through all three
    assert [same_endpoint.status_code, other_endpoint.status_code, zone.status_code] == [
        429,
        200,
        200,
    ]
    assert _finish(held) == [200]
