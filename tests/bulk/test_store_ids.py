"""BulkStore.list_ids keeps the jobs that are stored and drops from the index the ids whose
job expired with its retention, in a fixed number of round trips however many jobs an
instance holds (it runs on every listing and on a start at the cap: 500 jobs were 500
EXISTS, one round trip each). On the test's Redis, under the test's prefix."""

from __future__ import annotations

import redis
from redis.connection import Connection

from connector.bulk.store import BulkStore
from connector.storage.keys import Keys

JOBS = 500
INSTANCE = 41


class CountingConnection(Connection):
    """A real connection that counts what it sends: each send_packed_command is one round
    trip (a pipeline sends all its commands in one)."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


def test_dead_ids_leave_the_index_and_alive_ones_stay_in_three_round_trips(
    redis_url, redis_client, key_prefix
):
    keys = Keys(key_prefix)
    setup = BulkStore(redis_client, keys, retention_seconds=600)
    made = [setup.create(INSTANCE, {"kind": "download"}) for _ in range(JOBS)]
    dead = made[::3]  # their jobs expired with their retention: only the index keeps them
    redis_client.delete(*(keys.bulk_job(job_id) for job_id in dead))
    index = keys.bulk_jobs(INSTANCE)
    newest_first = [int(i) for i in redis_client.zrevrange(index, 0, -1)]
    alive = [job_id for job_id in newest_first if job_id not in dead]

    pool = redis.ConnectionPool.from_url(
        redis_url, decode_responses=True, connection_class=CountingConnection
    )
    counted = redis.Redis(connection_pool=pool)
    try:
        store = BulkStore(counted, keys, retention_seconds=600)
        counted.ping()  # the connection's handshake is not the listing's
        CountingConnection.sent = 0
        listed = store.list_ids(INSTANCE)
        trips = CountingConnection.sent
    finally:
        counted.close()
        pool.disconnect()

    assert listed == alive
    assert {int(i) for i in redis_client.zrange(index, 0, -1)} == set(alive)
    assert trips == 3  # the index, the EXISTS of every id, the ZREM of the dead


def test_an_instance_without_jobs_lists_none(redis_client, key_prefix):
    store = BulkStore(redis_client, Keys(key_prefix), retention_seconds=600)
    assert store.list_ids(INSTANCE) == []
