"""At most N concurrent requests per endpoint across all workers and hosts, in Redis.

Autotask refuses a fourth concurrent request per integration and endpoint ("thread threshold
of 3 threads"). Holders are members of a sorted set scored by their expiry time, so a slot
held by a crashed worker frees itself after `slot_seconds`; acquiring drops expired holders.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis as redis_lib

# KEYS[1]: the endpoint's holders (sorted set: token -> expiry ms, Redis clock).
# ARGV[1]: token; ARGV[2]: slot count; ARGV[3]: slot lifetime (ms).
# Returns 1 when the token now holds a slot, 0 when all slots are taken.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0
"""

POLL_SECONDS = (0.005, 0.03)  # wait between attempts, drawn at random so workers interleave


class SlotsBusyError(Exception):
    """No slot came free within the wait allowed."""


class Semaphore:
    def __init__(self, redis: redis_lib.Redis, key: str, *, slots: int, slot_seconds: float):
        self.redis = redis
        self.key = key
        self.slots = slots
        self.slot_ms = int(slot_seconds * 1000)
        self._script = redis.register_script(_ACQUIRE)

    def try_acquire(self) -> str | None:
        token = secrets.token_hex(8)
        taken = self._script(keys=[self.key], args=[token, self.slots, self.slot_ms])
        return token if int(taken) else None

    def acquire(self, timeout: float) -> tuple[str, float]:
        """A slot's token and the seconds waited for it; SlotsBusyError after `timeout`."""
        started = time.monotonic()
        while True:
            token = self.try_acquire()
            waited = time.monotonic() - started
            if token is not None:
                return token, waited
            if waited >= timeout:
                raise SlotsBusyError(self.key)
            time.sleep(random.uniform(*POLL_SECONDS))

    def release(self, token: str) -> None:
        self.redis.zrem(self.key, token)

    def holders(self) -> int:
        """Slots held now, expired ones not counted (for tests and diagnostics)."""
        now_ms = int(time.time() * 1000)
        return int(self.redis.zcount(self.key, now_ms, "+inf"))

    @contextmanager
    def slot(self, timeout: float) -> Iterator[float]:
        token, waited = self.acquire(timeout)
        try:
            yield waited
        finally:
            self.release(token)
