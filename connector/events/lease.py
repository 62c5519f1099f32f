"""A lease in Redis: one holder at a time, renewed while it works, lost when it dies."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis

# KEYS[1] the lease, ARGV[1] its holder, ARGV[2] milliseconds (renew: extend only when held)
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS[1] the lease, ARGV[1] its holder
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease:
    def __init__(self, client: redis.Redis, key: str, seconds: float) -> None:
        self.redis = client
        self.key = key
        self.ms = max(1000, int(seconds * 1000))
        self.holder = secrets.token_hex(8)

    def take(self) -> bool:
        return bool(self.redis.set(self.key, self.holder, nx=True, px=self.ms))

    def renew(self) -> bool:
        return bool(self.redis.eval(_RENEW, 1, self.key, self.holder, self.ms))

    def release(self) -> None:
        self.redis.eval(_RELEASE, 1, self.key, self.holder)

    @contextmanager
    def kept(self) -> Iterator[Lease]:
        """Renew the lease from a thread while the block runs (a slow callback must not let
        another worker start the same work), and release it after."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.ms / 3000):
                try:
                    self.renew()
                except redis.RedisError:
                    pass  # tried again at the next beat; past the lease another takes over

        heart = threading.Thread(target=beat, name="events-lease", daemon=True)
        heart.start()
        try:
            yield self
        finally:
            stop.set()
            heart.join(5)
            self.release()
