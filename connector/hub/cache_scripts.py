"""The read cache's Lua scripts (connector/hub/cache.py runs them), kept apart as data.

Byte accounting: each instance keeps a hash of its entries' sizes (an entry's bytes: its
key, and each field's name and value) and a global hash keeps every instance's bytes and
their `_total`. A zset of instances scored by the time their last entry expires lets any put
take an idle instance's bytes out of the total (its entries are all gone by then), so the
total does not drift when an instance stops writing. Entries deleted outside a put (a
write's invalidation, Redis' own eviction) stay counted until their TTL ends, never longer.
Evicted keys are deleted by name and announced on the channel, which ties the scripts to a
non-cluster Redis.
"""

# KEYS[1] entry key, KEYS[2] the instance's index (zset of entry keys by insert time),
# KEYS[3] the entity's version, KEYS[4] the instance's epoch, KEYS[5] the instance's sizes
# (hash: entry key -> bytes), KEYS[6] the global bytes (hash: instance id -> bytes, and
# `_total`), KEYS[7] the instances by when their last entry expires (zset), KEYS[8] the
# organization's instances that cached something (set).
# ARGV[1] hash field ("" stores a plain string), ARGV[2] value, ARGV[3] ttl seconds,
# ARGV[4] maximum entries, ARGV[5] now (seconds), ARGV[6] and ARGV[7] the version and epoch
# read before the value was fetched, ARGV[8] the invalidation channel, ARGV[9] the instance
# id, ARGV[10] the instance's byte budget, ARGV[11] the global byte budget, ARGV[12] the
# global hash's TTL, ARGV[13] the organization's byte budget.
# An organization's bytes are the global hash's fields of its instances (so idle and cleared
# instances leave it as they leave the total); a put past it evicts the instance's own oldest
# entries, and is refused when the organization's other instances already leave it no room.
# Answers how many entries were evicted; -1 when refused because a write or a clear came in
# between; -2 when refused because the body would not fit the instance's, the organization's or
# the global budget.
PUT = """
local version = redis.call("GET", KEYS[3]) or "0"
local epoch = redis.call("GET", KEYS[4]) or "0"
if version ~= ARGV[6] or epoch ~= ARGV[7] then return -1 end
-- the first write may grow memory, so a full Redis refuses the script here: after a write
-- that cannot (the ZREMRANGEBYSCORE, HDEL and DEL below), it would let every write through
redis.call("HSETNX", KEYS[6], "_total", 0)
local now, ttl, me = tonumber(ARGV[5]), tonumber(ARGV[3]), ARGV[9]
local function size_of(key)
  return tonumber(redis.call("HGET", KEYS[5], key) or "0")
end
-- instances whose last entry expired: their bytes leave the total (a few per put)
for _, idle in ipairs(redis.call("ZRANGEBYSCORE", KEYS[7], "-inf", now, "LIMIT", 0, 20)) do
  local gone = tonumber(redis.call("HGET", KEYS[6], idle) or "0")
  redis.call("HDEL", KEYS[6], idle)
  redis.call("HINCRBY", KEYS[6], "_total", -gone)
  redis.call("ZREM", KEYS[7], idle)
end
local mine = redis.call("HGET", KEYS[6], me)
if not mine then
  redis.call("DEL", KEYS[5])  -- nothing of it is counted any more: start the sizes afresh
  mine = 0
end
mine = tonumber(mine)
local freed = 0
-- this instance's expired entries
local cutoff = now - ttl
for _, old in ipairs(redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", cutoff)) do
  freed = freed + size_of(old)
  redis.call("HDEL", KEYS[5], old)
end
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", cutoff)
-- what this put changes
local before, field_before = 0, 0
if redis.call("EXISTS", KEYS[1]) == 1 then
  before = size_of(KEYS[1])  -- 0 when not counted (the sizes started afresh)
  if before > 0 and ARGV[1] == "" then
    field_before = before - #KEYS[1]  -- a plain string is replaced whole
  elseif before > 0 then
    local length = redis.call("HSTRLEN", KEYS[1], ARGV[1])
    if length > 0 then field_before = length + #ARGV[1] end
  end
else
  freed = freed + size_of(KEYS[1])  -- deleted by a write or expired: no longer there
  redis.call("HDEL", KEYS[5], KEYS[1])
end
local after = #ARGV[2] + #ARGV[1]
if before == 0 then after = after + #KEYS[1] else after = before - field_before + after end
mine = math.max(mine - freed, 0)
local total = tonumber(redis.call("HGET", KEYS[6], "_total") or "0") - freed
local grow = after - before
redis.call("SADD", KEYS[8], me)
redis.call("EXPIRE", KEYS[8], ARGV[12])
local others = 0
for _, sibling in ipairs(redis.call("SMEMBERS", KEYS[8])) do
  if sibling ~= me then others = others + tonumber(redis.call("HGET", KEYS[6], sibling) or "0") end
end
local ours = tonumber(ARGV[13])
if after > tonumber(ARGV[10]) or (grow > 0 and total + grow > tonumber(ARGV[11]))
    or others + after > ours then
  redis.call("HSET", KEYS[6], me, mine, "_total", math.max(total, 0))
  return -2
end
if ARGV[1] == "" then
  redis.call("SET", KEYS[1], ARGV[2], "EX", ARGV[3])
else
  redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
  if redis.call("TTL", KEYS[1]) < ttl then redis.call("EXPIRE", KEYS[1], ARGV[3]) end
end
redis.call("HSET", KEYS[5], KEYS[1], after)
redis.call("ZADD", KEYS[2], ARGV[5], KEYS[1])
mine, total = mine + grow, total + grow
-- the oldest entries go while the instance holds too many, or too many bytes (its own or,
-- with its organization's other instances, the organization's)
local evicted, gone = 0, {}
while redis.call("ZCARD", KEYS[2]) > 1 and (redis.call("ZCARD", KEYS[2]) > tonumber(ARGV[4])
    or mine > tonumber(ARGV[10]) or others + mine > ours) do
  local oldest = redis.call("ZPOPMIN", KEYS[2], 1)[1]
  local bytes = size_of(oldest)
  redis.call("DEL", oldest)
  redis.call("HDEL", KEYS[5], oldest)
  mine, total = mine - bytes, total - bytes
  evicted = evicted + 1
  table.insert(gone, "record:" .. oldest)
end
if evicted > 0 then redis.call("PUBLISH", ARGV[8], cjson.encode(gone)) end
redis.call("HSET", KEYS[6], me, math.max(mine, 0), "_total", math.max(total, 0))
redis.call("EXPIRE", KEYS[6], ARGV[12])
local ends = now + ttl
local known = tonumber(redis.call("ZSCORE", KEYS[7], me) or "0")
if ends > known then redis.call("ZADD", KEYS[7], ends, me) end
redis.call("EXPIRE", KEYS[7], ARGV[12])
for _, key in ipairs({KEYS[2], KEYS[5]}) do
  if redis.call("TTL", key) < ttl then redis.call("EXPIRE", key, ARGV[3]) end
end
return evicted
"""

# KEYS[1] the entity's version, KEYS[2] the instance's epoch; ARGV[1] the list key's prefix
# (version appended), or "" for the counters alone.
SNAPSHOT = """
local version = redis.call("GET", KEYS[1]) or "0"
local epoch = redis.call("GET", KEYS[2]) or "0"
local page = false
if ARGV[1] ~= "" then page = redis.call("GET", ARGV[1] .. version) end
return {version, epoch, page}
"""

# KEYS[1] the instance's index, KEYS[2] its epoch, KEYS[3] its sizes, KEYS[4] the global
# bytes, KEYS[5] the instances by expiry. ARGV[1] the epoch's TTL, ARGV[2] the instance id.
# Deletes every entry the index names, and takes the instance's bytes out of the total.
CLEAR = """
local entries = redis.call("ZRANGE", KEYS[1], 0, -1)
for _, key in ipairs(entries) do redis.call("DEL", key) end
redis.call("DEL", KEYS[1], KEYS[3])
local mine = tonumber(redis.call("HGET", KEYS[4], ARGV[2]) or "0")
if mine > 0 then redis.call("HINCRBY", KEYS[4], "_total", -mine) end
redis.call("HDEL", KEYS[4], ARGV[2])
redis.call("ZREM", KEYS[5], ARGV[2])
redis.call("INCR", KEYS[2])
redis.call("EXPIRE", KEYS[2], ARGV[1])
return #entries
"""
