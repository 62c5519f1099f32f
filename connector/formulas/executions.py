"""Executions in Redis: one JSON document each, kept FORMULA_RETENTION_DAYS, listed per
formula instance newest first.

    formula:execution:{id}                 the execution (steps, outputs, status), with a TTL
    formula:instance:{id}:executions       its ids scored by creation time (ms), trimmed by age

A document is rewritten after every step (the runner's checkpoint), so a worker that dies
mid-execution leaves the last finished step on record, and the next run resumes after it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from connector.storage.keys import Keys

DAY = 86400


class ExecutionStore:
    def __init__(self, client: redis.Redis, keys: Keys, retention_days: int = 7) -> None:
        self.redis = client
        self.keys = keys
        self.ttl = max(1, int(retention_days)) * DAY

    def new_id(self) -> int:
        return int(self.redis.incr(self.keys.sequence("formula-execution")))

    def create(self, execution: dict[str, Any]) -> dict[str, Any]:
        """Store a new execution (it has its id) and index it under its formula instance."""
        now_ms = int(time.time() * 1000)
        index = self.keys.formula_executions(execution["formulaInstanceId"])
        with self.redis.pipeline() as pipe:
            pipe.set(
                self.keys.formula_execution(execution["id"]), json.dumps(execution), ex=self.ttl
            )
            pipe.zadd(index, {str(execution["id"]): now_ms})
            pipe.zremrangebyscore(index, "-inf", now_ms - self.ttl * 1000)
            pipe.expire(index, self.ttl)
            pipe.execute()
        return execution

    def save(self, execution: dict[str, Any]) -> None:
        self.redis.set(
            self.keys.formula_execution(execution["id"]), json.dumps(execution), ex=self.ttl
        )

    def get(self, execution_id: int | str) -> dict[str, Any] | None:
        if not str(execution_id).isdigit():
            return None
        raw = self.redis.get(self.keys.formula_execution(execution_id))
        return json.loads(raw) if raw else None

    def list_for(self, instance_id: int | str, limit: int = 100) -> list[dict[str, Any]]:
        """The newest `limit` executions of a formula instance (expired ones drop out)."""
        ids = self.redis.zrevrange(self.keys.formula_executions(instance_id), 0, limit - 1)
        raws = self.redis.mget([self.keys.formula_execution(i) for i in ids]) if ids else []
        return [json.loads(raw) for raw in raws if raw]
