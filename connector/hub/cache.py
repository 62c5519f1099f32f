"""The per-instance read cache in Redis: records and list pages, bounded and invalidated.

Entries hold finished answers (the JSON body the hub sends), so a hit costs one Redis call and
no Autotask call. Records live in one hash per (entity, id), one field per shape (resource and
field selection), so a write clears every view of a record at once; each field carries its own
expiry, so one view never outlives its TTL because another was written later. List pages are
keyed by the entity's version; a write bumps the version, which orphans every cached page of
the entity. An index per instance bounds the entry count (`maxCacheSize`) and its bytes
(`INSTANCE_BYTES`), evicting the oldest first, and lets `clear` drop exactly the instance's
entries; a body over `MAX_BODY_BYTES` is not cached, nor one that would take every instance's
entries together past `GLOBAL_BYTES` (see cache_scripts.py). One organization's instances
together keep at most `ORGANIZATION_SHARE` of `GLOBAL_BYTES` (an instance evicts its own oldest
entries to stay in it): a tenant makes any number of instances, and without it a few of them
took the whole global budget and every other tenant missed for up to 7 days. Every key has a TTL.

A read that races a write must not store what it read before the write: `snapshot` is taken
before the Autotask call, and a put is refused when the entity's version or the instance's
epoch (bumped by `clear`) moved since. Instances of one Autotask `database` share versions and
members: a write through one drops every member's views and pages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from connector.hub import cache_scripts
from connector.storage.full import is_storage_full
from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache, forget, group
from connector.storage.scripts import script

log = logging.getLogger("connector.hub")

DEFAULT_TTL = 300
DEFAULT_MAX_SIZE = 10_000
MAX_SIZE = 50_000  # the ceiling of maxCacheSize (tenancy.schemas checks it)
MAX_BODY_BYTES = 512 * 1024  # a bigger answer (a raw page of 500 records) is not cached
INSTANCE_BYTES = 64 * 1024 * 1024  # one instance's entries, all together
GLOBAL_BYTES = 512 * 1024 * 1024  # every instance's (the embedded Redis has maxmemory 1 GiB)
ORGANIZATION_SHARE = 0.25  # of GLOBAL_BYTES, one organization's instances together (128 MiB)
COUNTER_TTL = 8 * 86400  # versions and epochs outlive any entry (TTL at most 7 days)


def record_key(keys: Keys, instance_id: int | str, entity: str, record_id: int | str) -> str:
    """The hash of one record's cached views."""
    return keys.cache(instance_id, "rec", entity.lower(), record_id)


@dataclass(frozen=True)
class Snapshot:
    """What the cache looked like before an Autotask read; a put needs it unchanged."""

    version: str = "0"
    epoch: str = "0"
    local_generation: int = 0


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
        database: str | None = None,
        organization_id: int | None = None,
    ) -> None:
        self.local = local
        self.organization_id = organization_id
        self.database = database
        self.redis = client
        self.keys = keys
        self.instance_id = instance_id
        self.enabled = enabled
        self.ttl = ttl or DEFAULT_TTL
        self.max_size = max_size or DEFAULT_MAX_SIZE
        self._put, self._snapshot, self._clear = (
            script(client, source)
            for source in (cache_scripts.PUT, cache_scripts.SNAPSHOT, cache_scripts.CLEAR)
        )

    # -- key names ------------------------------------------------------------------------
    def _record_key(self, entity: str, record_id: int | str) -> str:
        return record_key(self.keys, self.instance_id, entity, record_id)

    def _version_key(self, entity: str) -> str:
        if self.database is not None:
            return self.keys.cache_database(self.database, "ver", entity.lower())
        return self.keys.cache(self.instance_id, "ver", entity.lower())

    def _epoch_key(self) -> str:
        return self.keys.cache(self.instance_id, "epoch")

    def _list_prefix(self, entity: str, digest: str) -> str:
        return self.keys.cache(self.instance_id, "list", entity.lower(), digest, "")

    def _byte_keys(self) -> list[str]:
        """The instance's entry sizes, every instance's bytes, instances by last expiry."""
        return [
            self.keys.cache(self.instance_id, "sizes"),
            self.keys.cache("all", "bytes"),
            self.keys.cache("all", "expiry"),
        ]

    def _organization_key(self) -> str:
        """The organization's instances that cached something (the instance alone if unknown)."""
        owner = self.organization_id
        return self.keys.cache("org", owner if owner is not None else f"i{self.instance_id}")

    def _groups(self, key: str) -> list[str]:
        return [group("record", key), group("instance-cache", self.instance_id)]

    # -- records -------------------------------------------------------------------------
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
        stored = self.redis.hget(key, shape)
        if stored is None:
            return None
        expires, _, body = stored.partition("\n")
        left = float(expires) - time.time()
        if left <= 0:
            return None
        if self.local is not None:
            self.local.put(field, body, self._groups(key), since=since, ttl=left)
        return body

    def snapshot(self, entity: str) -> Snapshot:
        """Take before reading from Autotask what you will put here."""
        if not self.enabled:
            return Snapshot()
        local = self.local.generation() if self.local is not None else 0
        version, epoch, _ = self._snapshot(
            keys=[self._version_key(entity), self._epoch_key()], args=[""]
        )
        return Snapshot(version, epoch, local)

    def put_record(
        self, entity: str, record_id: int | str, shape: str, body: str, snapshot: Snapshot
    ) -> None:
        """Store a body read from Autotask after `snapshot`; refused if a write came since."""
        if not self.enabled:
            return
        key = self._record_key(entity, record_id)
        expires = time.time() + self.ttl
        if (
            self._store(key, entity, shape, f"{expires:.3f}\n{body}", snapshot) >= 0
            and self.local is not None
        ):
            self.local.put(
                f"{key}\0{shape}", body, self._groups(key), since=snapshot.local_generation
            )

    # -- list pages -----------------------------------------------------------------------
    def get_list(self, entity: str, digest: str) -> tuple[Snapshot, str | None]:
        """(the snapshot to put with, the cached page or None), in one round trip."""
        if not self.enabled:
            return Snapshot(), None
        version, epoch, page = self._snapshot(
            keys=[self._version_key(entity), self._epoch_key()],
            args=[self._list_prefix(entity, digest)],
        )
        return Snapshot(version, epoch), page or None

    def put_list(self, entity: str, digest: str, snapshot: Snapshot, body: str) -> None:
        if self.enabled:
            self._store(
                self._list_prefix(entity, digest) + snapshot.version, entity, "", body, snapshot
            )

    def _store(self, key: str, entity: str, field: str, value: str, snapshot: Snapshot) -> int:
        """The put script's answer; -2 (not kept) for a body too big or a full Redis: the
        answer was read from Autotask already, and a cache that cannot keep it is no error."""
        if len(value) > MAX_BODY_BYTES:
            return -2  # too big to keep: one tenant's pages must not fill the shared Redis
        try:
            return self._put_script(key, entity, field, value, snapshot)
        except redis.RedisError as exc:
            if not is_storage_full(exc):
                raise
            log.info("cache entry not kept: Redis is full")
            return -2

    def _put_script(self, key: str, entity: str, field: str, value: str, snapshot: Snapshot) -> int:
        if self.database is not None:  # a writer through another instance must find this one
            members = self.keys.cache_database(self.database, "members")
            self.redis.pipeline(False).sadd(members, self.instance_id).expire(
                members, COUNTER_TTL
            ).execute()
        return int(
            self._put(
                keys=[
                    key,
                    self.keys.cache_index(self.instance_id),
                    self._version_key(entity),
                    self._epoch_key(),
                    *self._byte_keys(),
                    self._organization_key(),
                ],
                args=[
                    field,
                    value,
                    self.ttl,
                    self.max_size,
                    f"{time.time():.6f}",
                    snapshot.version,
                    snapshot.epoch,
                    self.keys.invalidation_channel(),
                    self.instance_id,
                    INSTANCE_BYTES,
                    GLOBAL_BYTES,
                    COUNTER_TTL,
                    int(GLOBAL_BYTES * ORGANIZATION_SHARE),
                ],
            )
        )

    # -- invalidation --------------------------------------------------------------------
    def invalidate(self, entity: str, record_id: int | str | None = None) -> None:
        """After a write through the connector: the record's views and the entity's pages,
        in this instance and every other instance of the same Autotask database."""
        instances = {str(self.instance_id)}
        if self.database is not None and record_id is not None:
            instances |= set(
                self.redis.smembers(self.keys.cache_database(self.database, "members"))
            )
        records = [record_key(self.keys, i, entity, record_id) for i in sorted(instances)]
        with self.redis.pipeline(transaction=False) as pipe:
            if record_id is not None:
                pipe.delete(*records)
            pipe.incr(self._version_key(entity))
            pipe.expire(self._version_key(entity), COUNTER_TTL)
            pipe.execute()
        if record_id is not None:
            forget(self.local, self.redis, self.keys, [group("record", k) for k in records])

    def clear(self) -> int:
        """Every entry of the instance (instance deleted, credentials or settings changed)."""
        removed = int(
            self._clear(
                keys=[self.keys.cache_index(self.instance_id), self._epoch_key()]
                + self._byte_keys(),
                args=[COUNTER_TTL, self.instance_id],
            )
        )
        forget(self.local, self.redis, self.keys, [group("instance-cache", self.instance_id)])
        return removed


def cache_dropper(
    client: redis.Redis, keys: Keys, local: LocalCache | None
) -> Callable[[int], None]:
    """A listener of the instance hooks: every cached answer of the instance is dropped."""

    def drop(instance_id: int) -> None:
        HubCache(client, keys, instance_id, enabled=True, local=local).clear()

    return drop
