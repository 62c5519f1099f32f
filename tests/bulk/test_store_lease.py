"""A job's lease: one owner at a time, renewed only by the worker that holds it. On the test's
Redis, under the test's prefix."""

from __future__ import annotations

from connector.bulk.store import BulkStore
from connector.storage.keys import Keys

JOB = 7


def test_a_lease_has_one_owner_and_only_that_owner_renews_it(redis_client, key_prefix):
    keys = Keys(key_prefix)
    store = BulkStore(redis_client, keys, retention_seconds=600)
    lease = keys.bulk_part(JOB, "lease")
    assert store.take_lease(JOB, "worker-a", 30)
    assert not store.take_lease(JOB, "worker-b", 30)  # held: refused
    redis_client.pexpire(lease, 50)
    assert store.take_lease(JOB, "worker-a", 30)  # its own: renewed to the full term
    assert redis_client.pttl(lease) > 10_000
    redis_client.delete(lease)  # as when it runs out: the dead worker's lease is gone
    assert store.take_lease(JOB, "worker-b", 30)
    assert not store.take_lease(JOB, "worker-a", 30)  # the old owner cannot renew it back
    assert redis_client.get(lease) in ("worker-b", b"worker-b")
    store.release_lease(JOB, "worker-a")  # not its lease: kept
    assert store.lease_held(JOB)
    store.release_lease(JOB, "worker-b")
    assert not store.lease_held(JOB)


def test_a_checkpoint_applies_only_for_the_lease_holder(redis_client, key_prefix):
    keys = Keys(key_prefix)
    store = BulkStore(redis_client, keys, retention_seconds=600)
    job = store.create(3, {"kind": "download", "status": "RUNNING"})

    def checkpoint(owner: str, expected: str, new: str) -> bool:
        return store.checkpoint(
            job, position="cursor", expected=expected, new=new, blob=new.encode(), owner=owner
        )

    assert store.take_lease(job, "worker-a", 30)
    assert checkpoint("worker-a", "", "500")
    redis_client.delete(keys.bulk_part(job, "lease"))  # a's lease ran out...
    assert checkpoint("worker-a", "500", "1000")  # ...nobody took it: a goes on
    assert store.take_lease(job, "worker-b", 30)  # then b took the job over
    assert not checkpoint("worker-a", "1000", "1500")  # a stops at its next checkpoint
    assert store.get(job)["cursor"] == "1000"
    assert list(store.blobs(job)) == [b"500", b"1000"]  # nothing of a's last page written
    assert checkpoint("worker-b", "1000", "1500")
    assert list(store.blobs(job)) == [b"500", b"1000", b"1500"]
