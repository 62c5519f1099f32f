"""The Limits facade (connector/autotask/limits/__init__.py): count, pace, hold a slot."""

from __future__ import annotations

import json
import threading
import time

import pytest

from connector.autotask.errors import LimitWaitError
from connector.autotask.limits import Limits
from connector.autotask.limits.pacing import Pacer
from connector.errors import ProviderRateLimitedError
from connector.storage.keys import Keys


def make_limits(redis_client, keys, **overrides) -> Limits:
    options = {
        "database": 7,
        "integration": "CODE",
        "share": 0.5,
        "slots": 3,
        "max_wait": 5.0,
        "slot_seconds": 30,
        "threshold_refresh": 120,
    }
    options.update(overrides)
    return Limits(redis_client, keys, **options)


def put_snapshot(redis_client, keys, used, limit=10000, own=0):
    snapshot = {"limit": limit, "timeframe": 60, "used": used, "own": own, "at": time.time()}
    redis_client.set(keys.threshold(7), json.dumps(snapshot), ex=600)


def test_admit_counts_without_pacing_below_the_share(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    put_snapshot(redis_client, keys, used=100)
    with limits.admit("Companies") as admission:
        assert admission.paced_seconds == 0
        assert limits.semaphore("Companies").holders() == 1
    assert limits.semaphore("Companies").holders() == 0
    assert limits.usage().own == 1


def test_admit_paces_past_the_share(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    # 9,980 of 10,000 spent: 20 left in the hour, one request every 180 s; far past max_wait
    put_snapshot(redis_client, keys, used=9980, limit=10000)
    with limits.admit("Companies"):
        pass  # the first request takes the free slot at once
    with pytest.raises(ProviderRateLimitedError) as caught, limits.admit("Companies"):
        pass
    assert caught.value.retry_after >= 100


def test_paced_requests_wait_their_turn(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    # 1,000 of 1,200 spent, with a one-minute timeframe standing in for the hour:
    redis_client.set(
        keys.threshold(7),
        json.dumps({"limit": 1200, "timeframe": 1, "used": 1000, "own": 0, "at": time.time()}),
        ex=600,
    )
    # ...60 s / 200 left = 0.3 s between requests
    started = time.monotonic()
    paced = []
    for _ in range(3):
        with limits.admit("Contacts") as admission:
            paced.append(admission.paced_seconds)
    elapsed = time.monotonic() - started
    assert paced[0] == pytest.approx(0, abs=0.05)
    assert 0.5 < elapsed < 3.0  # two waits of 0.3 s, and slack for a busy machine


def test_busy_slots_become_a_rate_limit(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys, slots=1, max_wait=0.1)
    with limits.admit("Tickets"):
        with pytest.raises(ProviderRateLimitedError), limits.admit("Tickets"):
            pass
        with limits.admit("Companies"):  # another endpoint has slots of its own
            pass


# -- through the client, against the sandbox, from several threads ---------------------
def _hammer(clients, calls_per_thread: int, threads_per_client: int) -> list[BaseException]:
    failures: list[BaseException] = []

    def work(client) -> None:
        for _ in range(calls_per_thread):
            try:
                client.get("Companies", 0)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(client,))
        for client in clients
        for _ in range(threads_per_client)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_three_slots_per_endpoint_hold_across_workers_and_threads(make_sandbox, make_client):
    box = make_sandbox(thread_limit=3)
    box.set_faults(kind="latency", seconds=0.03, path_contains="Companies/0")
    workers = [make_client(box) for _ in range(3)]  # three processes' clients, one Redis
    failures = _hammer(workers, calls_per_thread=4, threads_per_client=3)
    assert failures == []
    log = box.requests(path_contains="Companies/0")
    assert len(log) == 36
    assert [entry for entry in log if entry["status"] == 429] == []
    assert sum(w.stats.slot_wait_seconds for w in workers) > 0  # they did queue for slots


def test_pacing_spreads_requests_past_the_share(make_sandbox, make_client):
    # 1,000 requests a minute, paced past 2 %: about 60 s / 980 = 61 ms between requests
    box = make_sandbox(threshold=1000, threshold_window_seconds=60)
    workers = [make_client(box, autotask_threshold_share=0.02) for _ in range(2)]
    started = time.monotonic()
    failures = _hammer(workers, calls_per_thread=10, threads_per_client=2)
    elapsed = time.monotonic() - started
    assert failures == []
    paced = sum(w.stats.paced_seconds for w in workers)
    assert paced > 0
    # of the 40 requests, the ~20 past 2 % go one at a time, ~61 ms apart, across workers
    assert elapsed >= 0.9
    assert [e for e in box.requests() if e["status"] == 429] == []


def test_pacing_refuses_rather_than_wait_too_long(make_sandbox, make_client):
    box = make_sandbox(threshold=30, threshold_window_seconds=60)
    client = make_client(box, autotask_max_wait=1.0)
    with pytest.raises(LimitWaitError) as caught:
        for _ in range(30):
            client.get("Companies", 0)
    assert caught.value.retry_after > 1.0
    assert caught.value.status == 429
    log = box.requests()
    assert len(log) < 30  # the connector stopped before Autotask's own limit
    assert [e for e in log if e["status"] == 429] == []


# -- only requests that go out are counted -----------------------------------------------
def test_a_pacing_refusal_is_not_counted(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    put_snapshot(redis_client, keys, used=9980, limit=10000)  # one request every 180 s
    with limits.admit("Companies"):
        pass
    with pytest.raises(LimitWaitError), limits.admit("Companies"):
        pass
    assert limits.usage().own == 1


def test_a_request_that_never_got_a_slot_is_not_counted(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys, slots=1, max_wait=0.05)
    with limits.admit("Tickets") as admission:
        assert admission.usage.own == 1  # this request included
        with pytest.raises(LimitWaitError), limits.admit("Tickets"):
            pass
    assert limits.usage().own == 1


def test_a_pacing_refusal_says_how_long_the_wait_really_is(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys, max_wait=1.0)
    # 6,000 of 10,000 spent: one request every 0.9 s; but another worker, pacing by an older
    # figure, took the send slot and the next 100 s
    put_snapshot(redis_client, keys, used=6000, limit=10000)
    assert Pacer(redis_client, keys, 7).reserve(100, max_wait=200) == pytest.approx(0, abs=0.05)
    with pytest.raises(LimitWaitError) as caught, limits.admit("Companies"):
        pass
    assert 95 < caught.value.retry_after <= 101


def test_the_counter_matches_what_autotask_received(make_sandbox, make_client):
    box = make_sandbox(threshold=30, threshold_window_seconds=60)
    client = make_client(box, autotask_max_wait=0.5)
    with pytest.raises(LimitWaitError):
        for _ in range(30):
            client.get("Companies", 0)
    received = [e for e in box.requests() if "zoneinformation" not in e["path"].lower()]
    assert client.caller.limits.usage().own == len(received)
