"""A formula instance's `state` values within a count and a byte budget (limits.py).

Each value is one key with its own TTL (up to 90 days), so the values a template keeps per
record of an event stream would grow without end. Every put and delete goes through one script
that keeps a zset of the instance's value keys by expiry and a hash of their sizes: expired
values leave the figures as the next put passes, and a put that would take the instance past
MAX_STATE_KEYS or MAX_STATE_BYTES is refused (the step fails saying which) instead of writing.
"""

from __future__ import annotations

import time
import weakref

import redis

from connector.formulas import limits
from connector.storage.keys import Keys

TOO_MANY, TOO_BIG = -1, -2

# KEYS[1] the value's key, KEYS[2] the instance's value keys by expiry (zset, ms), KEYS[3]
# their sizes (hash: key -> bytes, and `_total`). ARGV[1] the value (JSON), ARGV[2] TTL (s),
# ARGV[3] now (ms), ARGV[4] most keys, ARGV[5] most bytes.
# Answers 0 when written, -1 past the key count, -2 past the bytes (nothing written).
PUT = """
redis.call('HSETNX', KEYS[3], '_total', 0)  -- first write one a full Redis refuses
local now = tonumber(ARGV[3])
local function forget(key)
  local bytes = tonumber(redis.call('HGET', KEYS[3], key) or '0')
  redis.call('HDEL', KEYS[3], key)
  redis.call('HINCRBY', KEYS[3], '_total', -bytes)
  redis.call('ZREM', KEYS[2], key)
end
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 200)) do
  forget(gone)
end
local known = redis.call('ZSCORE', KEYS[2], KEYS[1])
local before = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
local after = #ARGV[1] + #KEYS[1]
local count = redis.call('ZCARD', KEYS[2])
if not known then count = count + 1 end
local total = tonumber(redis.call('HGET', KEYS[3], '_total') or '0') - before + after
if count > tonumber(ARGV[4]) then return -1 end
if total > tonumber(ARGV[5]) then return -2 end
local ends = now + tonumber(ARGV[2]) * 1000
redis.call('SET', KEYS[1], ARGV[1], 'PX', ends - now)
redis.call('HSET', KEYS[3], KEYS[1], after)
redis.call('HINCRBY', KEYS[3], '_total', after - before)
redis.call('ZADD', KEYS[2], ends, KEYS[1])
local longest = tonumber(redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2])
redis.call('PEXPIREAT', KEYS[2], math.floor(longest))
redis.call('PEXPIREAT', KEYS[3], math.floor(longest))
return 0
"""

# KEYS as PUT's. Answers 1 when a value was deleted.
DELETE = """
local bytes = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
redis.call('HDEL', KEYS[3], KEYS[1])
redis.call('HINCRBY', KEYS[3], '_total', -bytes)
redis.call('ZREM', KEYS[2], KEYS[1])
return redis.call('DEL', KEYS[1])
"""

_SCRIPTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _scripts(client: redis.Redis) -> tuple:
    found = _SCRIPTS.get(client)
    if found is None:
        found = _SCRIPTS[client] = (client.register_script(PUT), client.register_script(DELETE))
    return found


def index_keys(keys: Keys, instance_id: int | str) -> list[str]:
    return [keys.formula_state_index(instance_id, p) for p in ("expiry", "sizes")]


def put(
    client: redis.Redis, keys: Keys, instance_id: int | str, key: str, value: str, ttl: int
) -> int:
    """0 when written; TOO_MANY or TOO_BIG when refused."""
    script = _scripts(client)[0]
    return int(
        script(
            keys=[key, *index_keys(keys, instance_id)],
            args=[
                value,
                ttl,
                int(time.time() * 1000),
                limits.MAX_STATE_KEYS,
                limits.MAX_STATE_BYTES,
            ],
        )
    )


def delete(client: redis.Redis, keys: Keys, instance_id: int | str, key: str) -> bool:
    return bool(_scripts(client)[1](keys=[key, *index_keys(keys, instance_id)]))
