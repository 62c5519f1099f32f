"""Which Redis an operator command works against: REDIS_URL, else the embedded Redis of a
`serve` running on the same data folder, else that embedded Redis started for the moment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from connector.config import Settings
from connector.storage.embedded_redis import EmbeddedRedis, running_url


@contextmanager
def redis_url(settings: Settings) -> Iterator[str]:
    redis_dir = os.path.join(settings.data_dir, "redis")
    url = settings.redis_url or running_url(redis_dir)
    if url is not None:
        yield url
        return
    embedded = EmbeddedRedis(redis_dir)
    try:
        yield embedded.start()
    finally:
        embedded.stop()
