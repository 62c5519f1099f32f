"""The deletion sources' state in Redis, per instance.

instance:{id}:deleted-tickets     JSON {lastId} (or {since} before the first deletion)
instance:{id}:reconcile:{r}       the ids the last sweep of resource r saw (a set)
instance:{id}:deletions (hash)    resource -> JSON {refused: Autotask's reason}
"""

from __future__ import annotations

import json
from typing import Any

import redis

from connector.storage.keys import Keys

IDS_TTL = 60 * 24 * 3600  # a sweep's ids outlive a month of sweeps that did not run
SWEPT = -1  # in every set of seen ids: no Autotask id is negative


class DeletionStore:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis, self.keys = client, keys

    def cursor(self, instance_id: int) -> dict[str, Any] | None:
        raw = self.redis.get(self.keys.deleted_tickets_cursor(instance_id))
        return json.loads(raw) if raw else None

    def set_cursor(self, instance_id: int, cursor: dict[str, Any]) -> None:
        self.redis.set(self.keys.deleted_tickets_cursor(instance_id), json.dumps(cursor))

    def refusals(self, instance_id: int) -> dict[str, str]:
        raw = self.redis.hgetall(self.keys.deletions_state(instance_id))
        return {name: json.loads(value)["refused"] for name, value in raw.items()}

    def refuse(self, instance_id: int, source: str, reason: str) -> None:
        self.redis.hset(
            self.keys.deletions_state(instance_id), source, json.dumps({"refused": reason})
        )

    def stage_ids(self, instance_id: int, resource: str, ids: list[int]) -> list[int] | None:
        """Stage `ids` as the resource's next seen ids; answers those the previous sweep saw
        that are not among them (None on the first sweep). Nothing changes until
        `commit_ids`, so a sweep that dies midway reports the same ids next time."""
        seen = self.keys.reconcile_ids(instance_id, resource)
        staged = seen + ":next"
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(staged)
            pipe.sadd(staged, SWEPT)  # so that a resource with no record has a set too
            for start in range(0, len(ids), 5000):
                pipe.sadd(staged, *ids[start : start + 5000])
            pipe.execute()
        if not self.redis.exists(seen):
            return None
        return sorted(int(i) for i in self.redis.sdiff(seen, staged))

    def commit_ids(self, instance_id: int, resource: str) -> None:
        seen = self.keys.reconcile_ids(instance_id, resource)
        with self.redis.pipeline() as pipe:
            pipe.rename(seen + ":next", seen)
            pipe.expire(seen, IDS_TTL)
            pipe.execute()

    def drop_instance(self, instance_id: int) -> None:
        found = list(self.redis.scan_iter(self.keys.reconcile_ids(instance_id, "*")))
        self.redis.delete(
            self.keys.deleted_tickets_cursor(instance_id),
            self.keys.deletions_state(instance_id),
            *found,
        )
