"""Every upstream request counted per Autotask database, in Redis, across workers and hosts.

Counts go into one-minute buckets; the sum of the last 60 is this connector's own request
count over Autotask's rolling hour. Reading that sum and the latest ThresholdInformation
snapshot is one round trip. A request is counted only when it goes out: the semaphore adds it
to `bucket()` in the same script that gives it its slot (see limits/semaphore.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis as redis_lib

from connector.autotask.limits.one_trip import window_args, window_keys
from connector.storage.keys import Keys
from connector.storage.scripts import script

WINDOW_MINUTES = 60
BUCKET_TTL = (WINDOW_MINUTES + 2) * 60

# KEYS[1..n-1]: minute buckets, newest first; KEYS[n]: the threshold snapshot.
# ARGV[1]: how many requests to add to the newest bucket (0 reads only); ARGV[2]: bucket TTL.
# Returns {own requests over the window, snapshot JSON or ''}.
_RECORD = """
local n = #KEYS - 1
local add = tonumber(ARGV[1])
if add > 0 then
  redis.call('INCRBY', KEYS[1], add)
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
local total = 0
for i = 1, n do
  total = total + tonumber(redis.call('GET', KEYS[i]) or '0')
end
return {total, redis.call('GET', KEYS[#KEYS]) or ''}
"""


@dataclass(frozen=True)
class Usage:
    """What is known of a database's request budget at one moment."""

    own: int  # this connector's requests over the rolling hour, all workers
    snapshot: dict[str, Any] | None  # the last ThresholdInformation read, with `own` at the time

    @property
    def limit(self) -> int | None:
        return int(self.snapshot["limit"]) if self.snapshot else None

    @property
    def timeframe_seconds(self) -> float:
        minutes = (self.snapshot or {}).get("timeframe") or WINDOW_MINUTES
        return float(minutes) * 60

    @property
    def estimated_used(self) -> int:
        """Autotask's last count plus what this connector sent since (its own count as floor)."""
        if not self.snapshot:
            return self.own
        since = max(0, self.own - int(self.snapshot.get("own", 0)))
        return max(self.own, int(self.snapshot["used"]) + since)

    @property
    def share(self) -> float | None:
        limit = self.limit
        return self.estimated_used / limit if limit else None


class RequestCounter:
    """Counts one database's requests."""

    def __init__(self, redis: redis_lib.Redis, keys: Keys, database: int | str) -> None:
        self.redis = redis
        self.keys = keys
        self.database = database
        self._script = script(redis, _RECORD)

    def bucket(self, *, now: float | None = None) -> str:
        """The key of the current minute's bucket (kept BUCKET_TTL seconds)."""
        return self.keys.request_counter(self.database, _minute(now))

    def record(self, count: int = 1, *, now: float | None = None) -> Usage:
        """Add `count` requests and return the usage with them."""
        buckets = self.window(now=now)
        own, raw = self._script(
            keys=[*buckets, self.keys.threshold(self.database)], args=[count, BUCKET_TTL]
        )
        return Usage(own=int(own), snapshot=load_snapshot(raw))

    def window(self, *, now: float | None = None) -> tuple[str, ...]:
        """The window's minute buckets, newest first (the first is `bucket()`)."""
        return window_keys(self.keys, self.database, _minute(now), WINDOW_MINUTES)

    def window_args(self, *, now: float | None = None) -> tuple[str, tuple]:
        """What ADMIT needs to read the window: this minute's bucket, and the buckets' name
        without the minute, the minute and the window's length (one_trip.ADMIT's ARGV[7..9])."""
        minute = _minute(now)
        return (
            self.keys.request_counter(self.database, minute),
            window_args(self.keys, self.database, minute, WINDOW_MINUTES),
        )

    def usage(self) -> Usage:
        """The usage now, counting nothing."""
        return self.record(0)


def _minute(now: float | None) -> int:
    return int((time.time() if now is None else now) // 60)


def load_snapshot(raw: Any) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        snapshot = json.loads(raw)
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) and "limit" in snapshot else None
