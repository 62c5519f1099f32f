"""Whether an organization's definitions and transformations (its own and its instances')
have room for a save: at most ORG_DOCUMENTS names and ORG_DOCUMENT_BYTES together.

They have no TTL, and a full Redis refuses every write (the embedded one: maxmemory 1 GiB,
noeviction): without a byte bound one tenant's documents would fill it and turn every tenant's
writes into 503s. The bytes are counted by reading the documents back (HGETALL of each scope),
which costs Redis a time that grows with the number of names, not only their bytes: some
109,000 tiny definitions fit in 8 MiB and reading them back held Redis 35 ms, for every
tenant, at every save, even one refused (2,000 of 4 KiB: 2.5 ms; benchmarks/vdr_room_bench.py).
So the names are counted first (HLEN, constant time) and a save past ORG_DOCUMENTS is refused
before the documents are read.

Both are bounds counted before the save, not quotas: a replacement counts its body on top of
what it replaces, and a name already held is not counted again.
"""

from __future__ import annotations

from collections.abc import Sequence

from connector.errors import ValidationError
from connector.virtual.store import Scope, VdrStore

ORG_DOCUMENT_BYTES = 8 * 1024 * 1024
ORG_DOCUMENTS = 2000  # at 4 KiB each they fill ORG_DOCUMENT_BYTES


def check(
    store: VdrStore, scopes: Sequence[Scope], target: str, names: Sequence[str], body: int
) -> None:
    """Refuse a save of `names` (into the hash `target`) with a `body` of that many bytes."""
    keys = store.keys_of(scopes)
    with store.redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hlen(key)
        if names:
            pipe.hmget(target, list(names))
        found = pipe.execute()
    held = sum(found[: len(keys)])
    new = sum(1 for value in (found[len(keys)] if names else []) if value is None)
    if new and held + new > ORG_DOCUMENTS:
        raise ValidationError(
            f"Your organization's definitions and transformations would be more than "
            f"{ORG_DOCUMENTS} (they are {held}, this adds {new}); delete some first"
        )
    used = store.bytes_held(scopes)
    if used + body > ORG_DOCUMENT_BYTES:
        raise ValidationError(
            f"Your organization's definitions and transformations would take more than "
            f"{ORG_DOCUMENT_BYTES // (1024 * 1024)} MiB (they take {used} bytes); delete some first"
        )
