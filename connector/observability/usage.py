"""Each instance's Autotask calls per hour, by entity and outcome, for `GET /instances/{id}/usage`.

The Autotask client reports every request it sends (`Caller.on_call`, retries and
ThresholdInformation reads included: each is a request against the database's budget), so the
figures are the sandbox's request log, counted. One Redis hash per instance and hour (field
`entity|outcome`, the entity as the metrics label it: known entities or `other`, so a tenant
cannot grow it without bound), kept `RETENTION_HOURS`; the database of the last call is kept
too, so the usage can add its current threshold use from the shared counters at no call.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import redis as redis_lib

from connector.autotask.limits.counter import RequestCounter
from connector.observability.metrics import entity_label
from connector.storage.keys import Keys

log = logging.getLogger("connector.usage")

HOURS = 24  # what /usage answers
RETENTION_HOURS = HOURS + 2


def _hour(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // 3600)


class UsageRecorder:
    """Counts one instance's Autotask requests; a Redis failure never fails the call."""

    def __init__(self, redis: redis_lib.Redis, keys: Keys, instance_id: int) -> None:
        self.redis = redis
        self.keys = keys
        self.instance_id = instance_id

    def __call__(self, database: str, endpoint: str, kind: str, outcome: str) -> None:
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                self.queue(pipe, database, endpoint, kind, outcome)
                pipe.execute()
        except redis_lib.RedisError as exc:  # the request went out: its answer matters more
            failure = type(exc).__name__
            log.warning("usage of instance %s not counted: %s", self.instance_id, failure)

    def queue(self, pipe: Any, database: str, endpoint: str, kind: str, outcome: str) -> None:
        """The same counting, queued on `pipe` (the call's slot release sends it: no round
        trip of its own)."""
        key = self.keys.instance_usage(self.instance_id, _hour())
        pipe.hincrby(key, f"{entity_label(endpoint)}|{outcome}", 1)
        pipe.expire(key, RETENTION_HOURS * 3600)
        pipe.set(
            self.keys.instance_usage_database(self.instance_id),
            database,
            ex=RETENTION_HOURS * 3600,
        )


def usage(
    redis: redis_lib.Redis, keys: Keys, instance_id: int, *, now: float | None = None
) -> dict[str, Any]:
    """The last 24 hours, oldest first, every hour listed, and the last known threshold use."""
    current = _hour(now)
    hours = range(current - HOURS + 1, current + 1)
    with redis.pipeline(transaction=False) as pipe:
        for hour in hours:
            pipe.hgetall(keys.instance_usage(instance_id, hour))
        pipe.get(keys.instance_usage_database(instance_id))
        *counts, database = pipe.execute()
    rows = []
    for hour, fields in zip(hours, counts, strict=True):
        by_entity: dict[str, dict[str, int]] = {}
        for name, value in sorted(fields.items()):
            entity, _, outcome = _text(name).partition("|")
            by_entity.setdefault(entity, {})[outcome] = int(value)
        rows.append(
            {
                "hour": _iso(hour * 3600),
                "calls": sum(sum(o.values()) for o in by_entity.values()),
                "byResource": by_entity,
            }
        )
    return {
        "instanceId": instance_id,
        "calls": sum(row["calls"] for row in rows),
        "hours": rows,
        "threshold": _threshold(redis, keys, _text(database)) if database else None,
    }


def _threshold(redis: redis_lib.Redis, keys: Keys, database: str) -> dict[str, Any] | None:
    """The database's hourly use now (Autotask's last figure plus what was sent since)."""
    current = RequestCounter(redis, keys, database).usage()
    if current.snapshot is None:
        return None
    return {
        "used": current.estimated_used,
        "limit": current.limit,
        "timeframeMinutes": int(current.timeframe_seconds // 60),
        "readAt": _iso(float(current.snapshot.get("at", 0))),
    }


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
