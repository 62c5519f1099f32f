"""A formula instance's `state` values within a count and a byte budget (limits.py).

Each value is one key with its own TTL (up to 90 days), so the values a template keeps per
record of an event stream would grow without end. Every put and delete goes through one script
that keeps a zset of the instance's value keys by expiry and a hash of their sizes: expired
values leave the figures as the next put passes, and a put that would take the instance past
MAX_STATE_KEYS or MAX_STATE_BYTES is refused (the step fails saying which) instead of writing.

The organization's formula instances together stay within MAX_ORG_STATE_BYTES (one
organization may have 1,000 formula instances: 16 GiB by the instance bound alone, more than
the Redis every tenant shares). The same script keeps each instance's figure in an
organization hash, and the instances by their last value's expiry: an instance whose values
have all expired leaves the sum as the next put of the organization passes; one whose values
expired in part is counted high until it writes again (its own organization only).
"""

from __future__ import annotations

import time

import redis

from connector.formulas import limits
from connector.storage.keys import Keys
from connector.storage.scripts import script

TOO_MANY, TOO_BIG, ORG_TOO_BIG = -1, -2, -3

# Both scripts' organization part: KEYS[4] the organization's sizes (hash: formula instance
# id -> bytes, and `_sum`), KEYS[5] its instances by last expiry (zset, ms); ARGV[1] of
# ORG_SYNC the formula instance id.
ORG = """
local function org_sync(id, bytes, ends)
  local old = tonumber(redis.call('HGET', KEYS[4], id) or '0')
  if bytes > 0 then
    redis.call('HSET', KEYS[4], id, bytes)
    redis.call('ZADD', KEYS[5], ends, id)
  else
    redis.call('HDEL', KEYS[4], id)
    redis.call('ZREM', KEYS[5], id)
  end
  redis.call('HINCRBY', KEYS[4], '_sum', bytes - old)
  local last = redis.call('ZREVRANGE', KEYS[5], 0, 0, 'WITHSCORES')[2]
  if last then
    redis.call('PEXPIREAT', KEYS[4], math.floor(tonumber(last)))
    redis.call('PEXPIREAT', KEYS[5], math.floor(tonumber(last)))
  else
    redis.call('DEL', KEYS[4], KEYS[5])
  end
end
local function instance_ends()
  local longest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]
  return longest and math.floor(tonumber(longest)) or 0
end
"""

# KEYS[1] the value's key, KEYS[2] the instance's value keys by expiry (zset, ms), KEYS[3]
# their sizes (hash: key -> bytes, and `_total`), KEYS[4..5] as ORG. ARGV[1] the value
# (JSON), ARGV[2] TTL (s), ARGV[3] now (ms), ARGV[4] most keys, ARGV[5] most bytes, ARGV[6]
# the organization's most bytes, ARGV[7] the formula instance id.
# Answers 0 when written, -1 past the key count, -2 past the bytes, -3 past the
# organization's bytes (nothing written).
PUT = (
    ORG
    + """
redis.call('HSETNX', KEYS[3], '_total', 0)  -- first write one a full Redis refuses
local now = tonumber(ARGV[3])
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 200)) do
  local bytes = tonumber(redis.call('HGET', KEYS[4], gone) or '0')
  redis.call('HDEL', KEYS[4], gone)
  redis.call('HINCRBY', KEYS[4], '_sum', 0 - bytes)
  redis.call('ZREM', KEYS[5], gone)
end
local function forget(key)
  local bytes = tonumber(redis.call('HGET', KEYS[3], key) or '0')
  redis.call('HDEL', KEYS[3], key)
  redis.call('HINCRBY', KEYS[3], '_total', 0 - bytes)
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
local held = tonumber(redis.call('HGET', KEYS[3], '_total') or '0')
local total = held - before + after
org_sync(ARGV[7], held, instance_ends())  -- what the forgets above freed
if count > tonumber(ARGV[4]) then return -1 end
if total > tonumber(ARGV[5]) then return -2 end
local org = tonumber(redis.call('HGET', KEYS[4], '_sum') or '0') - held + total
if total > held and org > tonumber(ARGV[6]) then return -3 end
local ends = now + tonumber(ARGV[2]) * 1000
redis.call('SET', KEYS[1], ARGV[1], 'PX', ends - now)
redis.call('HSET', KEYS[3], KEYS[1], after)
redis.call('HINCRBY', KEYS[3], '_total', after - before)
redis.call('ZADD', KEYS[2], ends, KEYS[1])
local longest = tonumber(redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2])
redis.call('PEXPIREAT', KEYS[2], math.floor(longest))
redis.call('PEXPIREAT', KEYS[3], math.floor(longest))
org_sync(ARGV[7], total, math.floor(longest))
return 0
"""
)

# KEYS as PUT's, ARGV[1] the formula instance id. Answers 1 when a value was deleted.
DELETE = (
    ORG
    + """
local bytes = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
redis.call('HDEL', KEYS[3], KEYS[1])
redis.call('HINCRBY', KEYS[3], '_total', 0 - bytes)
redis.call('ZREM', KEYS[2], KEYS[1])
local deleted = redis.call('DEL', KEYS[1])
org_sync(ARGV[1], tonumber(redis.call('HGET', KEYS[3], '_total') or '0'), instance_ends())
return deleted
"""
)

# KEYS[1..2] as ORG's KEYS[4..5]: a deleted formula instance leaves its organization's
# figures. ARGV[1] the formula instance id.
FORGET = """
local bytes = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], '_sum', 0 - bytes)
return bytes
"""


def index_keys(keys: Keys, instance_id: int | str) -> list[str]:
    return [keys.formula_state_index(instance_id, p) for p in ("expiry", "sizes")]


def org_keys(keys: Keys, organization_id: int | str) -> list[str]:
    return [keys.formula_org_state_index(organization_id, p) for p in ("sizes", "expiry")]


def put(client: redis.Redis, keys: Keys, instance: dict, key: str, value: str, ttl: int) -> int:
    """0 when written; TOO_MANY, TOO_BIG or ORG_TOO_BIG when refused."""
    return int(
        script(client, PUT)(
            keys=[key, *_all_keys(keys, instance)],
            args=[
                value,
                ttl,
                int(time.time() * 1000),
                limits.MAX_STATE_KEYS,
                limits.MAX_STATE_BYTES,
                limits.MAX_ORG_STATE_BYTES,
                instance["id"],
            ],
        )
    )


def delete(client: redis.Redis, keys: Keys, instance: dict, key: str) -> bool:
    registered = script(client, DELETE)
    return bool(registered(keys=[key, *_all_keys(keys, instance)], args=[instance["id"]]))


def forget(client: redis.Redis, keys: Keys, instance: dict) -> None:
    """A deleted formula instance's state leaves its organization's figures."""
    script(client, FORGET)(keys=org_keys(keys, instance["organizationId"]), args=[instance["id"]])


def _all_keys(keys: Keys, instance: dict) -> list[str]:
    return [*index_keys(keys, instance["id"]), *org_keys(keys, instance["organizationId"])]
