"""Telling "Redis is full" apart from other Redis failures.

The connector's Redis runs with `maxmemory-policy noeviction`: past `maxmemory` it refuses
writes that would grow it ("OOM command not allowed ...") and evicts nothing, so no event,
idempotency key or paging cursor with a TTL is lost to make room. redis-py raises
`OutOfMemoryError` for a refused command, but a write refused inside a Lua script comes back
as a plain `ResponseError` whose text carries Redis' `-OOM` reply: both count.
"""

from __future__ import annotations

import redis

from connector.errors import StorageUnavailableError

_OOM_TEXT = "OOM command not allowed"


def is_storage_full(exc: BaseException | None) -> bool:
    """True when Redis refused a write because it reached its memory ceiling, also behind
    the StorageUnavailableError a caller raised in its place (its context keeps the cause)."""
    while exc is not None:
        if isinstance(exc, redis.exceptions.OutOfMemoryError):
            return True
        if isinstance(exc, redis.ResponseError):
            return _OOM_TEXT in str(exc)
        exc = exc.__context__ if isinstance(exc, StorageUnavailableError) else None
    return False
