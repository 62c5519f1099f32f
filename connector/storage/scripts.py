"""Lua scripts registered once per Redis client and source.

redis-py's `register_script` encodes the source and takes its SHA-1 each time it is called,
and the objects that run scripts (a Limits, its Semaphore and Pacer, a HubCache) are made for
every request: six registrations were a twentieth of an uncached hub read's own work. Here each
(client, source) pair is registered once; the Script objects are redis-py's own, so EVALSHA
and the reload after a SCRIPT FLUSH behave as before.
"""

from __future__ import annotations

import weakref

import redis
from redis.commands.core import Script

_REGISTERED: weakref.WeakKeyDictionary[redis.Redis, dict[str, Script]] = weakref.WeakKeyDictionary()


def script(client: redis.Redis, source: str) -> Script:
    """The Script of `source` on `client` (two threads racing register it twice, harmlessly)."""
    found = _REGISTERED.get(client)
    if found is None:
        found = _REGISTERED.setdefault(client, {})
    registered = found.get(source)
    if registered is None:
        registered = found[source] = client.register_script(source)
    return registered
