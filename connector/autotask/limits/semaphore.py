"""At most N concurrent requests per endpoint across all workers and hosts, in Redis.

Autotask refuses a fourth concurrent request per integration and endpoint ("thread threshold
of 3 threads"). Holders are members of a sorted set scored by their expiry time (Redis clock),
so a slot held by a crashed worker frees itself after `slot_seconds`; acquiring drops expired
holders. A call can outlast any fixed lifetime (a request timeout bounds each socket read, not
the whole call), so while `slot()` holds a slot, one thread per process renews it every third
of its lifetime; only a dead process stops renewing.
"""

from __future__ import annotations

import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis as redis_lib

from connector.autotask.limits.per_process import PerProcess
from connector.storage.scripts import script

log = logging.getLogger("connector.autotask")

# KEYS[1]: the endpoint's holders (sorted set: token -> expiry ms, Redis clock);
# KEYS[2] (optional): a request-counter bucket, incremented when the slot is taken.
# ARGV[1]: token; ARGV[2]: slots this caller may fill (the slot count, less those kept free
# for interactive calls when the caller is background work); ARGV[3]: slot lifetime (ms);
# ARGV[4]: KEYS[2]'s TTL (s).
# Returns 1 when the token now holds a slot, 0 when all slots it may fill are taken.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- ZADD first, as one_trip.ADMIT: a full Redis refuses it, and with it the slot
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) <= tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  if #KEYS > 1 then
    redis.call('INCR', KEYS[2])
    redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
  end
  return 1
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 0
"""

# KEYS[1]: the endpoint's holders. ARGV[1]: token; ARGV[2]: slot lifetime (ms).
# Moves a held slot's expiry to now + lifetime; returns 0 (and does nothing) once released.
_RENEW = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lifetime = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + lifetime, ARGV[1])
if redis.call('PTTL', KEYS[1]) < lifetime then redis.call('PEXPIRE', KEYS[1], lifetime) end
return 1
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
        self._script = script(redis, _ACQUIRE)
        self._renew = script(redis, _RENEW)

    def try_acquire(
        self, *, count_key: str | None = None, count_ttl: int = 0, reserve: int = 0
    ) -> str | None:
        """A slot's token, or None when all are taken. `count_key` is incremented (and kept
        `count_ttl` seconds) in the same step, only when the slot is taken. With `reserve`,
        the token is given only while more than `reserve` slots are free (at least one
        slot stays usable, so a single-slot semaphore still serves background work)."""
        token = secrets.token_hex(8)
        keys = [self.key] if count_key is None else [self.key, count_key]
        limit = max(1, self.slots - reserve)
        taken = self._script(keys=keys, args=[token, limit, self.slot_ms, count_ttl])
        return token if int(taken) else None

    def acquire(
        self,
        timeout: float,
        *,
        count_key: str | None = None,
        count_ttl: int = 0,
        reserve: int = 0,
    ) -> tuple[str, float]:
        """A slot's token and the seconds waited for it; SlotsBusyError after `timeout`."""
        started = time.monotonic()
        while True:
            token = self.try_acquire(count_key=count_key, count_ttl=count_ttl, reserve=reserve)
            waited = time.monotonic() - started
            if token is not None:
                return token, waited
            if waited >= timeout:
                raise SlotsBusyError(self.key)
            time.sleep(random.uniform(*POLL_SECONDS))

    def renew(self, token: str) -> bool:
        """Push the slot's expiry a full lifetime ahead; False when it is no longer held."""
        return bool(int(self._renew(keys=[self.key], args=[token, self.slot_ms])))

    def release(self, token: str) -> None:
        self.redis.zrem(self.key, token)

    def holders(self) -> int:
        """Slots held now, expired ones not counted (for tests and diagnostics)."""
        seconds, micros = self.redis.time()  # the clock the scores were written with
        now_ms = int(seconds) * 1000 + int(micros) // 1000
        return int(self.redis.zcount(self.key, f"({now_ms}", "+inf"))

    @contextmanager
    def slot(
        self,
        timeout: float,
        *,
        count_key: str | None = None,
        count_ttl: int = 0,
        reserve: int = 0,
    ) -> Iterator[float]:
        """Hold a slot, renewed until the block ends; yields the seconds waited for it."""
        token, waited = self.acquire(
            timeout, count_key=count_key, count_ttl=count_ttl, reserve=reserve
        )
        renewer = process_renewer()
        renewer.hold(self, token)
        try:
            yield waited
        finally:
            renewer.drop(token)
            self.release(token)


class _Renewer:
    """One daemon thread that renews every slot this process holds, a third of its lifetime
    before it would expire."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._held: dict[str, tuple[Semaphore, float]] = {}  # token -> (semaphore, renew at)
        # when the thread, asleep, wakes next (-inf while it is awake and will look again):
        # a hold is woken for only when it is due sooner, not once a request (a thread switch)
        self._wakes_at = -math.inf
        thread = threading.Thread(target=self._run, name="autotask-slot-renewer", daemon=True)
        thread.start()

    def hold(self, semaphore: Semaphore, token: str) -> None:
        with self._wake:
            at = time.monotonic() + _renew_every(semaphore)
            self._held[token] = (semaphore, at)
            if at < self._wakes_at:
                self._wakes_at = at
                self._wake.notify()

    def drop(self, token: str) -> None:
        with self._wake:
            self._held.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._wake:
                now = time.monotonic()
                due = [(token, sem) for token, (sem, at) in self._held.items() if at <= now]
                for token, sem in due:
                    self._held[token] = (sem, now + _renew_every(sem))
                if not due:
                    soonest = min((at for _, at in self._held.values()), default=None)
                    self._wakes_at = math.inf if soonest is None else soonest
                    self._wake.wait(None if soonest is None else soonest - now)
                    self._wakes_at = -math.inf
                    continue
            for token, sem in due:  # outside the lock: Redis may be slow
                try:
                    sem.renew(token)  # a slot released meanwhile is left alone
                except redis_lib.RedisError as exc:
                    log.debug("autotask slot renewal failed: %s", type(exc).__name__)


def _renew_every(semaphore: Semaphore) -> float:
    return max(0.01, semaphore.slot_ms / 3000)


_renewers: PerProcess[_Renewer] = PerProcess(lambda: _Renewer())


def process_renewer() -> _Renewer:
    """This process's renewer; a forked worker starts its own (threads do not survive fork)."""
    return _renewers.get()
