"""Checklist "Limits" (reference section 7): ThresholdInformation, latency at 50 % and 75 %,
refusal past 100 %, and 3 concurrent requests per integration code and endpoint."""

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
    box = make_sandbox(threshold=8, latency_at_50=0.15, latency_at_75=0.3)
    for _ in range(8):
        box.call("GET", "Companies/0")
    durations = [entry["duration_ms"] for entry in box.requests()]
    assert max(durations[:4]) < 100  # 0-49 %: no added latency
    assert 150 <= min(durations[4:6]) < 300  # 50-74 %
    assert min(durations[6:]) >= 300  # 75 % and more


def test_requests_past_the_threshold_are_refused_until_the_window_clears(make_sandbox):
    box = make_sandbox(threshold=3, threshold_window_seconds=1, latency_at_50=0, latency_at_75=0)
    statuses = [box.call("GET", "Companies/0").status_code for _ in range(4)]
    refused = box.call("GET", "Companies/0")
    time.sleep(1.1)
    assert statuses == [200, 200, 200, 429]
    assert "threshold" in refused.json()["errors"][0]
    assert box.call("GET", "Companies/0").status_code == 200


def _concurrently(calls):
    results = [None] * len(calls)

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def test_a_fourth_concurrent_request_to_one_endpoint_is_a_429(sandbox):
    sandbox.set_faults(kind="latency", seconds=0.4, path_contains="/Companies/")
    answers = _concurrently([lambda: sandbox.call("GET", "Companies/0")] * 4)
    statuses = sorted(a.status_code for a in answers)
    refused = next(a for a in answers if a.status_code == 429)
    assert statuses == [200, 200, 200, 429]
    assert refused.json() == {
        "errors": ["The Autotask API thread threshold of 3 threads has been exceeded."]
    }


def test_the_thread_limit_is_per_endpoint_and_spares_zone_lookups(make_sandbox):
    box = make_sandbox(thread_limit=1)
    box.set_faults(kind="latency", seconds=0.4, path_contains="/Companies/")
    answers = _concurrently(
        [
            lambda: box.call("GET", "Companies/0"),
            lambda: box.call("GET", f"Contacts/{box.ids('Contacts')[0]}"),
            lambda: requests.get(
                box.zone_url, params={"user": box.credentials.username}, timeout=10
            ),
        ]
    )
    assert [a.status_code for a in answers] == [200, 200, 200]
