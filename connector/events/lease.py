"""A lease in Redis: one holder at a time, renewed while it works, lost when it dies."""

from __future__ import annotations

import secrets

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
