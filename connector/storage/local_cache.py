"""A per-process copy of hot reads (who is calling, cached record bodies), dropped at once
when any process changes what they copy.

Every hub call starts with the same look-ups; reading them from Redis each time costs a round
trip. Here a worker keeps recent answers in memory, grouped by what they depend on
(`instance:7`, a record's cache key, ...). Writers publish the groups they change on a Redis
channel; before each read, a worker drains that channel without blocking (one poll, no round
trip) and forgets what changed. A worker that is not subscribed, or loses its subscription,
copies nothing, so it never serves what it could not have heard about. Entries also expire
after a few seconds, which bounds what a lost message could ever cost.
"""

from __future__ import annotations

import json
import logging
import os
import select
import threading
import time
from collections.abc import Iterable
from typing import Any

import redis

from connector.storage.keys import Keys

log = logging.getLogger("connector.local_cache")


def group(kind: str, ident: object) -> str:
    """The name of what a copy depends on: `group("instance", 7)` is "instance:7"."""
    return f"{kind}:{ident}"


def publish(client: redis.Redis, keys: Keys, groups: Iterable[str]) -> None:
    """Tell every process that what `groups` name has changed (any process may call this)."""
    names = sorted(set(groups))
    if names:
        client.publish(keys.invalidation_channel(), json.dumps(names))


def forget(
    local: LocalCache | None, client: redis.Redis, keys: Keys, groups: Iterable[str]
) -> None:
    """After a change has landed in Redis: every process drops its copies of `groups` (this
    one at once when it has a LocalCache)."""
    if local is not None:
        local.invalidate(groups)
    else:
        publish(client, keys, groups)


class LocalCache:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        ttl: float = 5.0,
        max_entries: int = 20_000,
        enabled: bool = True,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.ttl = ttl
        self.max_entries = max_entries
        self.enabled = enabled and ttl > 0
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Any, tuple[str, ...]]] = {}
        self._groups: dict[str, set[str]] = {}
        self._pubsub: Any = None
        self._poller: Any = None
        self._pid = 0
        self._retry_at = 0.0
        self._generation = 0  # bumped by every change heard of

    # -- reads and writes --------------------------------------------------------------
    def get(self, field: str) -> Any | None:
        if not self.enabled:
            return None
        with self._lock:
            if not self._listening():
                return None
            entry = self._entries.get(field)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                self._drop_field(field)
                return None
            return entry[1]

    def generation(self) -> int:
        """Take before reading what you will `put`: the put is refused if a change was heard
        of in between (the read may predate it)."""
        with self._lock:
            self._listening()
            return self._generation

    def put(
        self, field: str, value: Any, groups: Iterable[str], *, since: int, ttl: float | None = None
    ) -> None:
        """Keep a copy for at most `ttl` (the copy's own remaining life) or the default."""
        if not self.enabled:
            return
        names = tuple(groups)
        with self._lock:
            if not self._listening() or self._generation != since:
                return
            self._drop_field(field)
            while len(self._entries) >= self.max_entries:
                self._drop_field(next(iter(self._entries)))  # the oldest insertion
            life = self.ttl if ttl is None else min(self.ttl, ttl)
            self._entries[field] = (time.monotonic() + life, value, names)
            for name in names:
                self._groups.setdefault(name, set()).add(field)

    def invalidate(self, groups: Iterable[str]) -> None:
        """Forget `groups` here now, and tell the other processes."""
        names = list(groups)
        with self._lock:
            self._generation += 1
            for name in names:
                self._drop_group(name)
        publish(self.redis, self.keys, names)

    def close(self) -> None:
        with self._lock:
            self._reset()

    # -- the subscription ---------------------------------------------------------------
    def _listening(self) -> bool:
        """Subscribed (subscribing on first use and after a fork), with pending news applied."""
        if self._pid != os.getpid():
            self._pubsub = None  # a forked child must not share its parent's socket
            self._entries.clear()
            self._groups.clear()
            self._pid = os.getpid()
        if self._pubsub is None:
            return self._subscribe()
        try:
            # After a full drain redis-py holds nothing buffered, so an idle socket means no
            # news: one poll(2) instead of redis-py's read machinery on every look-up.
            if not self._poller.poll(0):
                return True
            while True:
                message = self._pubsub.get_message(timeout=0)
                if message is None:
                    return True
                if message.get("type") == "message":
                    self._generation += 1
                    for name in json.loads(message["data"]):
                        self._drop_group(name)
        except (redis.RedisError, OSError, ValueError):
            log.warning("lost the invalidation channel; local copies dropped until resubscribed")
            self._reset()
            self._retry_at = time.monotonic() + 1.0
            return False

    def _subscribe(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        try:
            pubsub = self.redis.pubsub()
            pubsub.subscribe(self.keys.invalidation_channel())
            confirmation = pubsub.get_message(timeout=2.0)
            if not confirmation or confirmation.get("type") != "subscribe":
                raise redis.ConnectionError("no subscription confirmation")
        except redis.RedisError:
            self._retry_at = time.monotonic() + 1.0
            return False
        self._entries.clear()  # nothing copied before the subscription can be trusted
        self._groups.clear()
        self._generation += 1
        self._pubsub = pubsub
        self._poller = select.poll()
        self._poller.register(
            pubsub.connection._sock, select.POLLIN | select.POLLERR | select.POLLHUP
        )
        while pubsub.get_message(timeout=0) is not None:
            pass  # anything published between the confirmation and now
        return True

    def _reset(self) -> None:
        self._generation += 1
        if self._pubsub is not None:
            try:
                self._pubsub.close()
            except (redis.RedisError, OSError):
                pass
        self._pubsub = None
        self._entries.clear()
        self._groups.clear()

    # -- bookkeeping ----------------------------------------------------------------------
    def _drop_field(self, field: str) -> None:
        entry = self._entries.pop(field, None)
        if entry is None:
            return
        for name in entry[2]:
            members = self._groups.get(name)
            if members is not None:
                members.discard(field)
                if not members:
                    del self._groups[name]

    def _drop_group(self, name: str) -> None:
        for field in list(self._groups.get(name, ())):
            self._drop_field(field)
