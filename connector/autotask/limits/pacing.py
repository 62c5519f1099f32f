"""Pacing: past a share of the hourly budget, spread what is left instead of spending it.

Autotask adds latency for every integration on a database once half of the budget is used,
more at three quarters, and refuses calls at the limit. Past `share` of the limit the connector
sends at most one request per `timeframe / remaining` seconds, across all workers: a shared
"next free slot" time in Redis that each request reserves and waits for.
"""

from __future__ import annotations

import redis as redis_lib

from connector.storage.keys import Keys
from connector.storage.scripts import script

# KEYS[1]: the database's next free send time (ms, Redis clock).
# ARGV[1]: interval to reserve (ms); ARGV[2]: the longest wait the caller accepts (ms).
# Returns the wait in ms before sending, or -(wait) when it exceeds ARGV[2] (nothing reserved).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_free < now then next_free = now end
local wait = next_free - now
if wait > tonumber(ARGV[2]) then return -wait end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], next_free + interval, 'PX', wait + interval + 1000)
return wait
"""


def pacing_interval(used: int, limit: int | None, timeframe_seconds: float, share: float) -> float:
    """Seconds between two requests to the database; 0 below `share` of the limit."""
    if not limit or limit <= 0 or used < share * limit:
        return 0.0
    return timeframe_seconds / max(1, limit - used)


class WaitTooLongError(Exception):
    """The next send slot is further away than the caller accepts; nothing was reserved."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the next send slot is {wait:.1f} s away")
        self.wait = wait  # seconds until the slot is free: the honest Retry-After


class Pacer:
    def __init__(self, redis: redis_lib.Redis, keys: Keys, database: int | str) -> None:
        self.key = keys.pacing_lock(database)
        self._script = script(redis, _RESERVE)

    def reserve(self, interval: float, max_wait: float) -> float:
        """Reserve the next send slot and return the seconds to wait for it; WaitTooLongError
        (with the wait) when that exceeds max_wait."""
        if interval <= 0:
            return 0.0
        wait_ms = int(
            self._script(keys=[self.key], args=[int(interval * 1000), int(max_wait * 1000)])
        )
        if wait_ms < 0:
            raise WaitTooLongError(-wait_ms / 1000)
        return wait_ms / 1000
