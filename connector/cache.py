"""The per-instance read cache in Redis: records and list pages, bounded and invalidated.

Entries hold finished answers (the JSON body the hub sends), so a hit costs one Redis call and
no Autotask call. Records live in one hash per (entity, id), one field per shape (resource and
field selection), so a write clears every view of that record at once. List pages are keyed by
the entity's version; a write bumps the version, which orphans every cached page of the entity
(they expire by TTL). An index per instance bounds the entry count (`maxCacheSize`), evicting the
oldest first. Every key has a TTL.
"""

from __future__ import annotations

import time
import weakref

import redis

from connector.keys import Keys
from connector.local_cache import LocalCache, group, publish

DEFAULT_TTL = 300
DEFAULT_MAX_SIZE = 10_000

# KEYS[1] entry key, KEYS[2] the instance's index (zset of entry keys by insert time)
# ARGV[1] hash field ("" stores a plain string), ARGV[2] value, ARGV[3] ttl seconds,
# ARGV[4] maximum entries, ARGV[5] now (seconds). Evicted keys are deleted by name, which
# ties the script to a non-cluster Redis (all of an instance's keys on one node).
_PUT = """
if ARGV[1] == "" then
  redis.call("SET", KEYS[1], ARGV[2], "EX", ARGV[3])
else
  redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
  redis.call("EXPIRE", KEYS[1], ARGV[3])
end
redis.call("ZADD", KEYS[2], ARGV[5], KEYS[1])
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", tonumber(ARGV[5]) - tonumber(ARGV[3]))
local over = redis.call("ZCARD", KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local oldest = redis.call("ZPOPMIN", KEYS[2], over)
  for i = 1, #oldest, 2 do redis.call("DEL", oldest[i]) end
end
redis.call("EXPIRE", KEYS[2], ARGV[3])
return over
"""

# KEYS[1] the entity's version key; ARGV[1] the list key's prefix (version appended)
_GET_LIST = """
local version = redis.call("GET", KEYS[1]) or "0"
return {version, redis.call("GET", ARGV[1] .. version)}
"""


_SCRIPTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _scripts(client: redis.Redis) -> tuple:
    """The cache's Lua scripts, registered once per client (a HubCache is made per call)."""
    found = _SCRIPTS.get(client)
    if found is None:
        found = _SCRIPTS[client] = (client.register_script(_PUT), client.register_script(_GET_LIST))
    return found


def record_key(keys: Keys, instance_id: int | str, entity: str, record_id: int | str) -> str:
    """The hash of one record's cached views (instance_id may be a "{instance}" template)."""
    return keys.cache(instance_id, "rec", entity.lower(), record_id)


class HubCache:
    """The cache of one instance; `enabled` False makes every call a no-op miss."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        instance_id: int,
        *,
        enabled: bool,
        ttl: int = 0,
        max_size: int = 0,
        local: LocalCache | None = None,
    ) -> None:
        self.local = local
        self.redis = client
        self.keys = keys
        self.instance_id = instance_id
        self.enabled = enabled
        self.ttl = ttl or DEFAULT_TTL
        self.max_size = max_size or DEFAULT_MAX_SIZE
        self._put, self._get_list = _scripts(client)

    def _record_key(self, entity: str, record_id: int | str) -> str:
        return record_key(self.keys, self.instance_id, entity, record_id)

    def _version_key(self, entity: str) -> str:
        return self.keys.cache(self.instance_id, "ver", entity.lower())

    def _list_prefix(self, entity: str, digest: str) -> str:
        return self.keys.cache(self.instance_id, "list", entity.lower(), digest, "")

    def copied_record(self, entity: str, record_id: int | str, shape: str) -> str | None:
        """This process's fresh copy of a cached body, or None (no Redis call)."""
        if not self.enabled or self.local is None:
            return None
        return self.local.get(f"{self._record_key(entity, record_id)}\0{shape}")

    def get_record(self, entity: str, record_id: int | str, shape: str) -> str | None:
        if not self.enabled:
            return None
        key = self._record_key(entity, record_id)
        field = f"{key}\0{shape}"
        since = 0
        if self.local is not None:
            copied = self.local.get(field)
            if copied is not None:
                return copied
            since = self.local.generation()
        body = self.redis.hget(key, shape)
        if body is not None and self.local is not None:
            self.local.put(field, body, self._groups(key), since=since)
        return body

    def put_record(
        self, entity: str, record_id: int | str, shape: str, body: str, since: int = -1
    ) -> None:
        """Store a body read from Autotask; `since` is `generation()` from before that read."""
        if not self.enabled:
            return
        key = self._record_key(entity, record_id)
        self._put(
            keys=[key, self.keys.cache_index(self.instance_id)],
            args=[shape, body, self.ttl, self.max_size, f"{time.time():.6f}"],
        )
        if self.local is not None:
            # a body just read from Autotask: kept unless a write was heard of meanwhile
            self.local.put(f"{key}\0{shape}", body, self._groups(key), since=since)

    def _groups(self, key: str) -> list[str]:
        return [group("record", key), group("instance-cache", self.instance_id)]

    def get_list(self, entity: str, digest: str) -> tuple[str, str | None]:
        """(the entity's version, the cached page or None); pass the version back to put."""
        if not self.enabled:
            return "", None
        version, body = self._get_list(
            keys=[self._version_key(entity)], args=[self._list_prefix(entity, digest)]
        )
        return version, body

    def put_list(self, entity: str, digest: str, version: str, body: str) -> None:
        if self.enabled:
            # written under the version read before the upstream call: if a write bumped it
            # meanwhile, this page lands under a dead version and is never served
            self._put(
                keys=[
                    self._list_prefix(entity, digest) + version,
                    self.keys.cache_index(self.instance_id),
                ],
                args=["", body, self.ttl, self.max_size, f"{time.time():.6f}"],
            )

    def invalidate(self, entity: str, record_id: int | str | None = None) -> None:
        """After a write through the connector: the record's views and the entity's pages."""
        with self.redis.pipeline(transaction=False) as pipe:
            if record_id is not None:
                pipe.delete(self._record_key(entity, record_id))
            pipe.incr(self._version_key(entity))
            pipe.expire(self._version_key(entity), 7 * 86400)
            pipe.execute()
        if record_id is not None:
            self._forget([group("record", self._record_key(entity, record_id))])

    def clear(self) -> int:
        """Every entry of the instance (instance deleted, credentials or settings changed)."""
        removed = 0
        for key in self.redis.scan_iter(
            match=self.keys.pattern("cache", self.instance_id, "*"), count=500
        ):
            removed += self.redis.delete(key)
        self._forget([group("instance-cache", self.instance_id)])
        return removed

    def _forget(self, groups: list[str]) -> None:
        """Local copies in every process (after the Redis entries are gone, so none refills)."""
        if self.local is not None:
            self.local.invalidate(groups)
        else:
            publish(self.redis, self.keys, groups)

    def generation(self) -> int:
        """Pass to put_record: a copy is refused if a write was heard of since this moment."""
        return self.local.generation() if self.local is not None else 0
