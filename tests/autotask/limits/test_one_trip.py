"""The one-round-trip admission (limits/one_trip.py) against the Python it stands for.

ADMIT works the pacing interval out in Lua; these cases hold it to `Usage.estimated_used` and
`pacing_interval`, the functions the rest of the connector (and the README) describe. Round
trips are counted at the socket, as benchmarks/uncached_read.py counts them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis import connection

from connector.autotask.limits import Limits, one_trip
from connector.autotask.limits.counter import BUCKET_TTL, RequestCounter
from connector.autotask.limits.pacing import pacing_interval
from connector.observability.usage import UsageRecorder
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


@contextmanager
def round_trips() -> Iterator[list[str]]:
    """The thread of each Redis round trip (a command or a whole pipeline), counted at the
    socket."""
    threads: list[str] = []
    original = connection.Connection.send_packed_command

    def counting(self, command, check_health=True):
        threads.append(threading.current_thread().name)
        return original(self, command, check_health)

    connection.Connection.send_packed_command = counting
    try:
        yield threads
    finally:
        connection.Connection.send_packed_command = original


SNAPSHOTS = [
    pytest.param(None, 0, 0.5, id="no snapshot"),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 100, "own": 0}, 0, 0.5, id="low"),
    pytest.param(
        {"limit": 10000, "timeframe": 60, "used": 4999, "own": 0}, 0, 0.5, id="just below"
    ),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 4999, "own": 0}, 1, 0.5, id="own tips"),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 5000, "own": 0}, 0, 0.5, id="at share"),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 9000, "own": 40}, 55, 0.5, id="since"),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 10, "own": 0}, 60, 0.004, id="floor"),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 9999, "own": 0}, 0, 0.5, id="last one"),
    pytest.param({"limit": 10000, "timeframe": 60, "used": 12000, "own": 0}, 0, 0.5, id="over"),
    pytest.param({"limit": 700, "timeframe": None, "used": 650, "own": 3}, 2, 0.5, id="no frame"),
    pytest.param({"limit": 600, "timeframe": 30, "used": 590, "own": 0}, 0, 0.9, id="half hour"),
    pytest.param({"limit": 0, "timeframe": 60, "used": 50, "own": 0}, 0, 0.5, id="zero limit"),
    pytest.param({"limit": 9000, "timeframe": 60, "used": 3000, "own": 0}, 0, 0.0, id="share 0"),
]


@pytest.mark.parametrize(("snapshot", "own", "share"), SNAPSHOTS)
def test_admit_paces_exactly_as_the_python_says(redis_client, key_prefix, snapshot, own, share):
    keys = Keys(key_prefix)
    counter = RequestCounter(redis_client, keys, 7)
    if own:
        counter.record(own)
    if snapshot is not None:
        redis_client.set(keys.threshold(7), json.dumps({**snapshot, "at": time.time()}), ex=600)
    usage = counter.usage()
    expected = pacing_interval(usage.estimated_used, usage.limit, usage.timeframe_seconds, share)
    bucket, naming = counter.window_args()
    script = redis_client.register_script(one_trip.ADMIT)
    state, wait, seen_own, _raw, interval = script(
        keys=[keys.semaphore("7/CODE", "x"), keys.pacing_lock(7), keys.threshold(7), bucket],
        args=["token", 3, 30000, BUCKET_TTL, share, 3_600_000, *naming],
    )
    assert int(seen_own) == own
    assert abs(int(interval) - int(expected * 1000)) <= 1  # float rounding of the division
    assert (int(state), int(wait)) == (one_trip.HELD, 0)  # the first turn is free: no wait
    assert counter.usage().own == own + 1  # counted with its slot


def test_admit_reads_the_hour_the_counter_reads(redis_client, key_prefix):
    """ADMIT names the older buckets itself: it must sum exactly the minutes the counter's
    window holds (a bucket 59 minutes old counts, one 60 minutes old does not)."""
    keys = Keys(key_prefix)
    counter = RequestCounter(redis_client, keys, 7)
    now = time.time()
    for minutes_ago, count in ((0, 1), (1, 2), (30, 4), (59, 8), (60, 16), (61, 32)):
        counter.record(count, now=now - minutes_ago * 60)
    expected = counter.record(0, now=now).own
    assert expected == 1 + 2 + 4 + 8
    bucket, naming = counter.window_args(now=now)
    _state, _wait, seen_own, _raw, _interval = redis_client.register_script(one_trip.ADMIT)(
        keys=[keys.semaphore("7/CODE", "x"), keys.pacing_lock(7), keys.threshold(7), bucket],
        args=["token", 3, 30000, BUCKET_TTL, -1, 3_600_000, *naming],
    )
    assert int(seen_own) == expected
    assert counter.record(0, now=now).own == expected + 1  # counted in this minute's bucket


def test_unpaced_admission_leaves_the_pacing_turn_alone(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    snapshot = {"limit": 100, "timeframe": 60, "used": 99, "own": 0, "at": time.time()}
    redis_client.set(keys.threshold(7), json.dumps(snapshot), ex=600)
    with limits.admit("ThresholdInformation", pace=False):
        pass
    assert redis_client.get(keys.pacing_lock(7)) is None
    with limits.admit("Companies"):  # paced: it reserves the turn after it
        pass
    assert redis_client.get(keys.pacing_lock(7)) is not None


def test_an_admission_is_one_round_trip_and_its_release_with_the_usage_one_more(
    redis_client, key_prefix
):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    recorder = UsageRecorder(redis_client, keys, 41)
    limits.usage()  # the script is loaded
    with limits.admit("Companies") as warm:
        warm.report(recorder, "7", "Companies", "query", "ok")
    with round_trips() as trips:
        with limits.admit("Companies") as admission:
            admitted = len(trips)
            admission.report(recorder, "7", "Companies", "query", "ok")
            assert limits.semaphore("Companies").holders() == 1  # two commands: not counted
            del trips[admitted:]
        assert (admitted, len(trips)) == (1, 2)
    assert limits.semaphore("Companies").holders() == 0
    assert limits.current().own == 2 == limits.usage().own  # the release read it: exact
    hour = int(time.time() // 3600)
    assert redis_client.hget(keys.instance_usage(41, hour), "Companies|ok") in ("2", b"2")


def test_a_busy_slot_falls_back_to_the_waiting_acquire(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys, slots=1, max_wait=0.2)
    with limits.admit("Companies"):
        with pytest.raises(Exception, match="stayed busy"), limits.admit("Companies"):
            pass
    assert limits.usage().own == 1  # the refused one was never counted
    with limits.admit("Companies") as admission:
        assert admission.usage.own == 2
    assert limits.usage().own == 2


def test_a_report_without_queue_is_called_at_once(redis_client, key_prefix):
    limits = make_limits(redis_client, Keys(key_prefix))
    seen = []
    with limits.admit("Companies") as admission:
        admission.report(lambda *args: seen.append(args), "7", "Companies", "get", "ok")
        assert seen == [("7", "Companies", "get", "ok")]
