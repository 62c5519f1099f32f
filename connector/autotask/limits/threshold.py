"""The ThresholdInformation snapshot shared by all workers, and when to read it again.

Autotask counts every integration's requests against one hourly budget per database; only
ThresholdInformation tells how much of it others have spent. It is read when the snapshot is
missing or older than `refresh_seconds`, or after this connector alone spent `refresh_step`
of the budget since the last read. One worker at a time reads it (a lock with expiry).
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis as redis_lib

from connector.autotask.limits.counter import Usage
from connector.storage.keys import Keys
from connector.storage.scripts import script

SNAPSHOT_TTL = 3 * 3600  # staleness is judged by `at`; an old figure beats none
LOCK_SECONDS = 30  # the shortest gap between two reads, failed or not
REFRESH_STEP = 0.02  # share of the limit spent by this connector that calls for a fresh read

# KEYS[1]: the read lock; ARGV[1]: its lifetime (s). Returns 0 when taken now, else the ms it
# has left (negative when it vanished meanwhile: not taken, nothing known).
_CLAIM = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
return redis.call('PTTL', KEYS[1])
"""
_HELD_MAX = 4096  # lock keys remembered by this process (databases), cleared past that
_held_until: dict[str, float] = {}  # lock key -> monotonic time it is known held until


class ThresholdMonitor:
    def __init__(
        self,
        redis: redis_lib.Redis,
        keys: Keys,
        database: int | str,
        *,
        refresh_seconds: float = 120.0,
        refresh_step: float = REFRESH_STEP,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.database = database
        self.refresh_seconds = refresh_seconds
        self.refresh_step = refresh_step
        self._claim = script(redis, _CLAIM)

    def due(self, usage: Usage, *, now: float | None = None) -> bool:
        """Whether the snapshot is missing, old, or outrun by this connector's own requests."""
        snapshot = usage.snapshot
        if snapshot is None:
            return True
        now = time.time() if now is None else now
        if now - float(snapshot.get("at", 0)) >= self.refresh_seconds:
            return True
        step = max(1, int(int(snapshot["limit"]) * self.refresh_step))
        return usage.own - int(snapshot.get("own", 0)) >= step

    def claim(self) -> bool:
        """True for the one worker that should read ThresholdInformation now. While the lock
        is known to be held (this process took it, or saw how long it has left), the answer
        is False without asking Redis: once a read is due, every request would otherwise pay
        a round trip for a refusal until the lock expired."""
        key = self.keys.threshold_lock(self.database)
        now = time.monotonic()
        if _held_until.get(key, 0.0) > now:
            return False
        left_ms = int(self._claim(keys=[key], args=[LOCK_SECONDS]))
        if len(_held_until) >= _HELD_MAX:
            _held_until.clear()
        if left_ms == 0:
            _held_until[key] = now + LOCK_SECONDS
            return True
        if left_ms > 0:
            _held_until[key] = now + left_ms / 1000
        return False

    def store(self, answer: dict[str, Any], usage: Usage) -> dict[str, Any]:
        """Keep a ThresholdInformation answer with the own count it was read at."""
        lowered = {str(k).lower(): v for k, v in answer.items()}
        snapshot = {
            "limit": int(lowered.get("externalrequestthreshold") or 0),
            "timeframe": int(lowered.get("requestthresholdtimeframe") or 60),
            "used": int(lowered.get("currenttimeframerequestcount") or 0),
            "own": usage.own,
            "at": time.time(),
        }
        # the claim lock is left to expire: no other worker reads again within LOCK_SECONDS
        self.redis.set(self.keys.threshold(self.database), json.dumps(snapshot), ex=SNAPSHOT_TTL)
        return snapshot
