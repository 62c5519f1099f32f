"""Releases after the answer (limits/releaser.py): sent, counted, in order, never lost to a
failure, and never the reason a slot looks busy to this process's next call."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from connector.autotask.limits import releaser
from connector.autotask.limits.releaser import SENDER_THREADS, Release, process_releaser
from connector.observability.usage import UsageRecorder
from connector.storage.keys import Keys
from tests.autotask.limits.test_one_trip import make_limits, round_trips
from tests.fixtures.ports import free_port


def test_a_release_later_is_one_round_trip_on_the_caller_and_sent_by_the_releaser(
    redis_client, key_prefix
):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    recorder = UsageRecorder(redis_client, keys, 42)
    with limits.admit("Companies"):  # the scripts are loaded
        pass
    caller = threading.current_thread().name
    with round_trips() as threads:
        with limits.admit("Companies", release_later=True) as admission:
            admission.report(recorder, "7", "Companies", "get", "ok")
        assert releaser.flush()
    assert threads.count(caller) == 1  # the admission; the release left the answer's path
    senders = [name for name in threads if name.startswith("autotask-slot-releaser-")]
    assert len(senders) == 1  # the slot and the figures, together
    assert limits.semaphore("Companies").holders() == 0
    assert limits.current().own == 2 == limits.usage().own  # as admitted: this one counted
    hour = int(time.time() // 3600)
    assert redis_client.hget(keys.instance_usage(42, hour), "Companies|ok") in ("1", b"1")


def test_own_queued_releases_never_make_a_slot_look_busy(redis_client, key_prefix):
    """One slot, no wait allowed: the second call finds the first's release still queued
    (every sender busy with a Redis that does not answer for 0.5 s) and waits for it instead
    of being refused."""
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys, slots=1)
    with socket.create_server(("127.0.0.1", 0), backlog=16) as silent:  # never answers
        silent.settimeout(10)
        stalled_on = []
        for _ in range(SENDER_THREADS):  # each sender stalled on a connection of its own
            stalled = redis.Redis(
                port=silent.getsockname()[1], socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
            )
            process_releaser().submit(Release(stalled, keys.semaphore("x", "y"), "token", ()))
            stalled_on.append(silent.accept()[0])  # its sender connected: it is in flight
        with limits.admit("Contacts", slot_wait=0.0, release_later=True):
            pass
        assert limits.semaphore("Contacts").holders() == 1  # its release waits its turn
        with limits.admit("Contacts", slot_wait=0.0, release_later=True):
            pass
        for connection in stalled_on:
            connection.close()
    assert releaser.flush()
    assert limits.semaphore("Contacts").holders() == 0
    assert limits.usage().own == 2


def test_a_release_that_fails_is_logged_and_the_next_ones_are_sent(
    redis_client, key_prefix, caplog
):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    gone = redis.Redis(port=free_port(), socket_connect_timeout=0.5)  # nothing listens there
    caplog.set_level(logging.WARNING, logger="connector.autotask")
    process_releaser().submit(Release(gone, keys.semaphore("x", "y"), "token", ()))
    with limits.admit("Companies", release_later=True):
        pass
    assert releaser.flush()
    assert limits.semaphore("Companies").holders() == 0
    failures = [r for r in caplog.records if "not sent" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is None
    assert "ConnectionError" in failures[0].getMessage()


EXITING = """
import sys
import redis
from connector.autotask.limits import Limits
from connector.observability.usage import UsageRecorder
from connector.storage.keys import Keys

client = redis.Redis.from_url(sys.argv[1], decode_responses=True)
keys = Keys(sys.argv[2])
limits = Limits(client, keys, database=7, integration="CODE", share=0.5, slots=3, max_wait=5.0,
                slot_seconds=30, threshold_refresh=120)
recorder = UsageRecorder(client, keys, 43)
for _ in range(3):
    with limits.admit("Companies", release_later=True) as admission:
        admission.report(recorder, "7", "Companies", "get", "ok")
sys.exit(0)  # at once: the releases are still queued, or in flight
"""


def test_a_process_that_exits_sends_its_queued_releases_first(redis_url, key_prefix):
    keys = Keys(key_prefix)
    done = subprocess.run(  # noqa: S603 - this interpreter, the script above
        [sys.executable, "-c", EXITING, redis_url, key_prefix], timeout=60, check=False
    )
    assert done.returncode == 0
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        assert make_limits(client, keys).semaphore("Companies").holders() == 0
        hour = int(time.time() // 3600)
        assert client.hget(keys.instance_usage(43, hour), "Companies|ok") == "3"
    finally:
        client.close()
