"""An organization's kept executions: a count and a byte budget, oldest ended ones dropped first.

Executions are kept FORMULA_RETENTION_DAYS and each may reach 8 MB, so without a bound one
organization's could fill the shared Redis (which evicts nothing). Every write of an execution
(its creation and each checkpoint) goes through PUT, which counts it in its organization's
figures and, past either budget, deletes the organization's oldest *ended* executions (never
one still running or waiting to retry). When only unended ones remain, a new execution is
refused (ExecutionStorageError, 429 with Retry-After: they end, then room returns) and a
running one that would grow past the budget fails at that step (see engine.py).

An execution leaves the figures by age when its last write is older than the retention (its
document, written with that TTL, is gone then): the figures score each execution by its last
write, not its creation, so one running longer than the retention is never dropped while it
still writes its steps. Ended ones are dropped oldest ended first.

    FORMULA_EXECUTIONS_MAX_COUNT   default 10,000, from 100 to 1,000,000
    FORMULA_EXECUTIONS_MAX_BYTES   default 256 MiB, from 16 MiB to 4 GiB (as JSON)
"""

from __future__ import annotations

from connector.errors import ConnectorError

DEFAULT_MAX_COUNT = 10_000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
COUNT_RANGE = (100, 1_000_000)
BYTES_RANGE = (16 * 1024 * 1024, 4 * 1024 * 1024 * 1024)
REFUSED = -1


class ExecutionStorageError(ConnectorError):
    """The organization's kept executions are at their budget and none of them has ended."""

    status = 429
    code = "execution_storage_full"


def fail_over_budget(execution: dict, max_bytes: int) -> None:
    """A running execution that grew past its organization's budget (only unended ones left
    in it): it fails at the step that grew it, its outputs dropped, and is written small."""
    execution["outputs"] = {}
    for step in execution.get("steps", []):
        step["input"] = step["output"] = None
    execution.update(
        status="FAILED",
        next=None,
        error=f"your organization's kept executions reached {max_bytes // (1024 * 1024):,} "
        "MiB (FORMULA_EXECUTIONS_MAX_BYTES) and none of the others has ended",
    )


def checked(name: str, value: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be from {low:,} to {high:,}, not {value}")
    return int(value)


# KEYS[1] the execution's document, KEYS[2] its summary, KEYS[3] the organization's sizes
# (hash: id -> "bytes:formula instance id", and `_total`), KEYS[4] its executions (zset: id ->
# last write ms), KEYS[5] its ended executions (zset: id -> when it ended, ms).
# ARGV[1] id, ARGV[2] document, ARGV[3] summary, ARGV[4] TTL (s), ARGV[5] creation ms (the
# write's time when it creates the execution), ARGV[6] 1 when it has ended, ARGV[7] byte
# budget, ARGV[8] count budget, ARGV[9] formula instance id, ARGV[10] the documents' key
# prefix (id appended; its summary adds ARGV[11]), ARGV[12] and ARGV[13] an instance
# index's key before and after its id (its listing: id -> creation ms), ARGV[14] now (ms),
# ARGV[15] 1 to write even past the budget (a small final record).
# Answers how many ended executions were dropped, or -1 when refused (nothing written).
PUT = """
-- first write one a full Redis refuses (it checks only a script's first write): dropping
-- expired ones first let an 8 MB document through a full Redis
redis.call('HSETNX', KEYS[3], '_total', 0)
local id, ttl, now = ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[14])
local listing = ARGV[12] .. ARGV[9] .. ARGV[13]
local function size_of(member)
  local v = redis.call('HGET', KEYS[3], member)
  if not v then return 0, nil end
  local bytes, instance = string.match(v, '^(%d+):(.*)$')
  return tonumber(bytes), instance
end
local function drop(member)
  local bytes, instance = size_of(member)
  redis.call('HDEL', KEYS[3], member)
  redis.call('HINCRBY', KEYS[3], '_total', 0 - bytes)
  redis.call('ZREM', KEYS[4], member)
  redis.call('ZREM', KEYS[5], member)
  redis.call('DEL', ARGV[10] .. member, ARGV[10] .. member .. ARGV[11])
  if instance then redis.call('ZREM', ARGV[12] .. instance .. ARGV[13], member) end
  return bytes
end
-- executions not written for the retention (their documents are gone) leave the figures, a
-- few per write; one still running writes each step, which moves its score on
local cutoff = now - ttl * 1000
for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', cutoff, 'LIMIT', 0, 50)) do
  drop(old)
end
local before = size_of(id)
local known = redis.call('HEXISTS', KEYS[3], id) == 1
local after = #ARGV[2] + #ARGV[3]
local total = tonumber(redis.call('HGET', KEYS[3], '_total') or '0') - before + after
local count = redis.call('ZCARD', KEYS[4])
if not known then count = count + 1 end
local max_bytes, max_count = tonumber(ARGV[7]), tonumber(ARGV[8])
local dropped, skip = 0, 0
while total > max_bytes or count > max_count do
  local oldest = redis.call('ZRANGE', KEYS[5], skip, skip)[1]
  if not oldest then break end
  if oldest == id then
    skip = skip + 1
  else
    total = total - drop(oldest)
    count = count - 1
    dropped = dropped + 1
  end
end
if (total > max_bytes or count > max_count) and ARGV[15] ~= '1' then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
redis.call('SET', KEYS[2], ARGV[3], 'EX', ttl)
redis.call('HSET', KEYS[3], id, after .. ':' .. ARGV[9])
redis.call('HINCRBY', KEYS[3], '_total', after - before)
redis.call('ZADD', KEYS[4], known and now or tonumber(ARGV[5]), id)
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[5], 'NX', now, id)
else
  redis.call('ZREM', KEYS[5], id)
end
for i = 3, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
if not known then
  -- listed ids created before the retention whose documents are gone go, a few a creation
  -- (not by creation age: one created that long ago may still run)
  local listed = redis.call('ZRANGEBYSCORE', listing, '-inf', cutoff, 'LIMIT', 0, 20)
  for _, old in ipairs(listed) do
    if redis.call('EXISTS', ARGV[10] .. old) == 0 then redis.call('ZREM', listing, old) end
  end
end
redis.call('ZADD', listing, 'NX', ARGV[5], id)
redis.call('EXPIRE', listing, ttl)  -- listed as long as any execution of it is written
return dropped
"""
