"""A bulk job that is still stored stays counted under MAX_JOBS_HELD and stays listed (#11,
found by a hostile review). BulkStore.create gave the instance's index the retention as TTL,
but a job's own keys are given it again on every later change (a transition, an update, a
checkpoint), so a job that changed after it was made outlived the index: once the index's
TTL ran out, the instance held jobs that neither the cap nor the listing saw, and a tenant
could start MAX_JOBS_HELD more while they were kept.

Real Redis under the test's prefix, a short retention so the creations' retention runs out
within the test (a probe key of the same TTL is waited on, bounded, not slept for)."""

from __future__ import annotations

import time

import pytest

from connector.bulk import held
from connector.bulk.store import BulkStore
from connector.storage.keys import Keys
from connector.tenancy.counts import CountCapError

RETENTION = 6  # seconds
INSTANCE = 43


def _wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _jobs_changed_after_their_index(redis_client, key_prefix, count: int):
    keys = Keys(key_prefix)
    store = BulkStore(redis_client, keys, retention_seconds=RETENTION)
    made = [store.create(INSTANCE, {"kind": "download"}) for _ in range(count)]
    created = keys.bulk_jobs(INSTANCE) + ":test-probe"  # expires when the creations' would
    redis_client.set(created, "1", ex=RETENTION)
    # the jobs start running a while after they were made (a worker picks them up)
    _wait_until(lambda: 0 < redis_client.pttl(created) <= RETENTION * 1000 // 3)
    for job_id in made:
        assert store.transition(job_id, ("CREATED",), "RUNNING")
    _wait_until(lambda: not redis_client.exists(created))  # the creations' retention is over
    alive = [job_id for job_id in made if store.get(job_id) is not None]
    assert alive == made  # every job is still stored, within its retention
    return store, made


def test_a_job_still_stored_is_listed(redis_client, key_prefix):
    store, made = _jobs_changed_after_their_index(redis_client, key_prefix, 1)
    assert store.list_ids(INSTANCE) == made


def test_jobs_still_stored_count_against_the_cap(redis_client, key_prefix):
    store, made = _jobs_changed_after_their_index(redis_client, key_prefix, held.MAX_JOBS_HELD)
    with pytest.raises(CountCapError):
        with held.place(store, INSTANCE) as place:
            place.confirm()
