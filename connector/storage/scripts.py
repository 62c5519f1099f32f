"""Lua scripts registered once per Redis client and source.

redis-py's `register_script` encodes the source and takes its SHA-1 each time it is called,
and the objects that run scripts (a Limits, its Semaphore and Pacer, a HubCache) are made for
every request: six registrations were a twentieth of an uncached hub read's own work. Here each
(client, source) pair is registered once; the Script objects are redis-py's own, so EVALSHA
and the reload after a SCRIPT FLUSH behave as before.

The scripts are kept on the client object itself: a Script holds its client, so a table keyed
by clients (even a weak one) would keep every client, its pool and its sockets alive, where
client -> scripts -> client is a cycle the garbage collector frees with the client.
"""

from __future__ import annotations

import redis
from redis.client import Pipeline
from redis.commands.core import Script

_ATTRIBUTE = "_connector_scripts"


def script(client: redis.Redis, source: str) -> Script:
    """The Script of `source` on `client` (two threads racing register it twice, harmlessly).
    A pipeline's are not kept: pass the client here and the pipeline when calling."""
    if isinstance(client, Pipeline):
        return client.register_script(source)
    found = vars(client).setdefault(_ATTRIBUTE, {})
    registered = found.get(source)
    if registered is None:
        registered = found[source] = client.register_script(source)
    return registered
