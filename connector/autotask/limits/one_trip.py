"""The usual admission in one Redis round trip, and the release in one more.

Admitting a request used to take three round trips (read the usage, reserve a pacing slot,
take a concurrency slot and count), and releasing it two more (drop the slot, then read the
usage again for the budget headers). On loopback each costs about 0.15 ms plus redis-py's
own work, a third of what the connector added to an uncached read. These scripts do the same
steps, in the same order, inside Redis:

- ADMIT reads the window's count and the ThresholdInformation snapshot, works out the pacing
  interval exactly as `Usage.estimated_used` and `pacing.pacing_interval` do (a test holds the
  two together), reserves the pacing slot as `pacing._RESERVE` does, and, when there is no
  wait, takes the concurrency slot and counts the request as `semaphore._ACQUIRE` does.
  A paced request (a wait to sleep) or a busy slot falls back to the usual waits in Python.
  Its first write is one a full Redis refuses (SET or ZADD), so no call is admitted then.
- RELEASE drops the slot and answers the usage after it, with whatever the caller queued
  on the same pipeline (the instance's usage figures).
"""

from __future__ import annotations

from functools import lru_cache

from connector.storage.keys import Keys

# KEYS[1]: the endpoint's holders; KEYS[2]: the database's next free send time;
# KEYS[3]: the threshold snapshot; KEYS[4]: this minute's bucket (the one counted in).
# ARGV[1]: token; ARGV[2]: slots this caller may fill; ARGV[3]: slot lifetime (ms);
# ARGV[4]: bucket TTL (s); ARGV[5]: pacing share (-1: no pacing); ARGV[6]: longest wait (ms);
# ARGV[7]: the buckets' name without the minute; ARGV[8]: this minute; ARGV[9]: the window's
# minutes. The older buckets are only read, and named here from ARGV[7] and ARGV[8] rather
# than passed: 59 more arguments were a sixth of redis-py's work for the whole request. Like
# the caller look-up (tenancy/callers.py), that ties the script to a non-cluster Redis.
# Returns {state, wait ms, own requests over the window before this one, snapshot or '',
# pacing interval ms}:
# state 1 the slot is held and the request counted, 0 all slots taken (nothing reserved
# but the pacing turn, if any), 2 a pacing turn is reserved `wait` ms ahead (no slot yet),
# -1 the pacing wait exceeds ARGV[6] (nothing reserved).
ADMIT = """
local own = tonumber(redis.call('GET', KEYS[4]) or '0')
local minute = tonumber(ARGV[8])
for i = 1, tonumber(ARGV[9]) - 1 do
  own = own + tonumber(redis.call('GET', ARGV[7] .. string.format('%d', minute - i)) or '0')
end
local raw = redis.call('GET', KEYS[3]) or ''
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local share = tonumber(ARGV[5])
local interval = 0
if share >= 0 and raw ~= '' then
  local ok, snap = pcall(cjson.decode, raw)
  if ok and type(snap) == 'table' and snap['limit'] ~= nil then
    local limit = math.floor(tonumber(snap['limit']) or 0)
    local used = own
    local at_own = math.floor(tonumber(snap['own']) or 0)
    local since = own - at_own
    if since < 0 then since = 0 end
    local estimated = math.floor(tonumber(snap['used']) or 0) + since
    if estimated > used then used = estimated end
    if limit > 0 and used >= share * limit then
      local minutes = tonumber(snap['timeframe']) or 0
      if minutes == 0 then minutes = 60 end
      local left = limit - used
      if left < 1 then left = 1 end
      interval = math.floor(minutes * 60 * 1000 / left)
    end
  end
end
if interval > 0 then
  local next_free = tonumber(redis.call('GET', KEYS[2]) or '0')
  if next_free < now then next_free = now end
  local wait = next_free - now
  if wait > tonumber(ARGV[6]) then return {-1, wait, own, raw, interval} end
  redis.call('SET', KEYS[2], next_free + interval, 'PX', wait + interval + 1000)
  if wait > 0 then return {2, wait, own, raw, interval} end
end
-- ZADD first: a full Redis refuses a script's first write that may grow memory, but lets
-- everything after any write through (ZREMRANGEBYSCORE first took slots on a full Redis)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) <= tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  redis.call('INCR', KEYS[4])
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[4]))
  return {1, 0, own, raw, interval}
end
redis.call('ZREM', KEYS[1], ARGV[1])
return {0, 0, own, raw, interval}
"""

# KEYS[1]: the endpoint's holders; KEYS[2]: the threshold snapshot; KEYS[3..]: the buckets.
# ARGV[1]: the token to drop. Returns {own requests over the window, snapshot or ''}.
RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
local own = 0
for i = 3, #KEYS do
  own = own + tonumber(redis.call('GET', KEYS[i]) or '0')
end
return {own, redis.call('GET', KEYS[2]) or ''}
"""

HELD, BUSY, PACED, REFUSED = 1, 0, 2, -1


def window_args(keys: Keys, database: int | str, minute: int, minutes: int) -> tuple:
    """ADMIT's ARGV[7..9]: the bucket name less its minute, the minute, the window's length."""
    return (keys.request_counter(database, ""), minute, minutes)


def window_keys(keys: Keys, database: int | str, minute: int, minutes: int) -> tuple[str, ...]:
    """The window's bucket keys, newest first: built once a minute per database, not twice a
    request (61 names each time was a tenth of a millisecond)."""
    return _window(keys.prefix, str(database), minute, minutes)


@lru_cache(maxsize=256)
def _window(prefix: str, database: str, minute: int, minutes: int) -> tuple[str, ...]:
    keys = Keys(prefix)
    return tuple(keys.request_counter(database, minute - i) for i in range(minutes))
