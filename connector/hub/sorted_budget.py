"""Sorted results within byte budgets, per instance and per organization.

A first page sorted in memory keeps the ids of the rest in Redis for up to 15 minutes
(sorted_pages.py), a new list per first page: without a bound, a tenant asking for first pages
in a loop fills the shared Redis (which evicts nothing). As the read cache does (cache.py and
cache_scripts.py), one script counts each result's bytes with the write: an instance keeps at
most INSTANCE_BYTES of results, dropping its own oldest to make room (their next pages then
answer that the result expired); one organization's instances together keep at most
ORGANIZATION_BYTES, and when its other instances hold that room a new first page is refused
with a 429 that says to narrow the query or order by id (room returns as their results expire).
An instance whose last result expired leaves the organization's total on the next put.
"""

from __future__ import annotations

import time

import redis

from connector.errors import ConnectorError
from connector.storage.keys import Keys
from connector.storage.scripts import script

INSTANCE_BYTES = 8 * 1024 * 1024  # about 150 full results of 5,000 ids
ORGANIZATION_BYTES = 32 * 1024 * 1024
ELEMENT_OVERHEAD = 2  # bytes counted per stored id beyond its digits (a list entry's own)


class SortedResultsFullError(ConnectorError):
    status = 429
    code = "sorted_results_full"


# KEYS[1] the result's list, KEYS[2] the instance's results by expiry (zset, ms), KEYS[3]
# their sizes (hash), KEYS[4] the organization's bytes (hash: instance -> bytes, `_total`),
# KEYS[5] the organization's instances by their last result's expiry (zset, ms).
# ARGV[1] now (ms), ARGV[2] TTL (s), ARGV[3] the result's bytes, ARGV[4] the instance id,
# ARGV[5] the instance budget, ARGV[6] the organization budget, ARGV[7..] the ids.
# Answers how many of the instance's results were dropped, or -1 when refused.
PUT = """
local now, ttl, size, me = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
-- first write one a full Redis refuses (it checks only a script's first write): then
-- nothing below writes on a full Redis, where deleting first would let the RPUSH through
redis.call('HSETNX', KEYS[4], '_total', 0)
-- instances whose last result expired: their bytes leave the organization's total
for _, idle in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 20)) do
  if idle ~= me then
    local gone = tonumber(redis.call('HGET', KEYS[4], idle) or '0')
    redis.call('HDEL', KEYS[4], idle)
    redis.call('HINCRBY', KEYS[4], '_total', -gone)
    redis.call('ZREM', KEYS[5], idle)
  end
end
-- the instance's bytes are kept as `_total` in its sizes hash: no per-put read of all its
-- results (a tenant's small results number up to ~170,000 in INSTANCE_BYTES)
local function forget(key)
  local bytes = tonumber(redis.call('HGET', KEYS[3], key) or '0')
  redis.call('HDEL', KEYS[3], key)
  redis.call('HINCRBY', KEYS[3], '_total', 0 - bytes)
  redis.call('ZREM', KEYS[2], key)
  return bytes
end
local counted = tonumber(redis.call('HGET', KEYS[4], me) or '0')
local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]
if newest and tonumber(newest) <= now then
  redis.call('UNLINK', KEYS[2], KEYS[3])  -- all of them expired: their figures go at once
elseif redis.call('HSETNX', KEYS[3], '_total', 0) == 1 then  -- a hash kept before `_total`
  local kept = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[3])) do kept = kept + tonumber(v) end
  redis.call('HSET', KEYS[3], '_total', kept)
end
-- expired ones leave a bounded number a put (they expire as fast as puts make them)
for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 200)) do
  forget(old)
end
local mine = tonumber(redis.call('HGET', KEYS[3], '_total') or '0')
local total = tonumber(redis.call('HGET', KEYS[4], '_total') or '0') - counted + mine
local others = total - mine
local dropped = 0
local org_budget = tonumber(ARGV[6])
-- when the others alone leave no room, nothing of this instance's is dropped for nothing
local function over()
  return mine + size > tonumber(ARGV[5]) or others + mine + size > org_budget
end
while others + size <= org_budget and mine > 0 and over() do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then break end
  mine = mine - forget(oldest)
  redis.call('DEL', oldest)
  dropped = dropped + 1
end
local refused = others + mine + size > org_budget or size > tonumber(ARGV[5])
if not refused then
  for i = 7, #ARGV, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
  redis.call('EXPIRE', KEYS[1], ttl)
  local ends = now + ttl * 1000
  redis.call('ZADD', KEYS[2], ends, KEYS[1])
  redis.call('HSET', KEYS[3], KEYS[1], size)
  mine = mine + size
  redis.call('HSET', KEYS[3], '_total', mine)
  redis.call('ZADD', KEYS[5], ends, me)
end
redis.call('HSET', KEYS[4], me, mine)
redis.call('HSET', KEYS[4], '_total', others + mine)
-- the figures live as long as the longest result they count: only ever extended (a result
-- kept shorter, of this or another instance, must not expire the figures of longer ones)
for i = 2, 5 do
  if redis.call('TTL', KEYS[i]) < ttl + 60 then redis.call('EXPIRE', KEYS[i], ttl + 60) end
end
if refused then return -1 end
return dropped
"""


def size_of(key: str, ids: list[int]) -> int:
    return len(key) + sum(len(str(i)) + ELEMENT_OVERHEAD for i in ids)


def put(
    client: redis.Redis,
    keys: Keys,
    key: str,
    ids: list[int],
    ttl: int,
    instance_id: int,
    organization_id: int | None,
    *,
    now_ms: int | None = None,
) -> None:
    """Keep `ids` under `key` for `ttl` s; SortedResultsFullError when there is no room."""
    org = f"org-{organization_id}" if organization_id is not None else f"org-i{instance_id}"
    answer = script(client, PUT)(
        keys=[
            key,
            keys.sorted_budget(instance_id, "index"),
            keys.sorted_budget(instance_id, "sizes"),
            keys.sorted_budget(org, "bytes"),
            keys.sorted_budget(org, "expiry"),
        ],
        args=[
            int(time.time() * 1000) if now_ms is None else now_ms,
            ttl,
            size_of(key, ids),
            instance_id,
            INSTANCE_BYTES,
            ORGANIZATION_BYTES,
            *ids,
        ],
    )
    if int(answer) < 0:
        raise SortedResultsFullError(
            "Your organization's sorted results (orderBy on a field other than id, kept "
            f"{ttl // 60} minutes for their next pages) hold {ORGANIZATION_BYTES // 1048576} "
            "MiB already; narrow the where clause, order by id, or retry after the "
            "Retry-After seconds",
            headers={"Retry-After": "60"},
        )
