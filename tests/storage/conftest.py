"""A redis-server of the test's own with a small ceiling, to fill (tests/fixtures/full_redis)."""

from __future__ import annotations

import pytest

from connector.storage.embedded_redis import EmbeddedRedis
from tests.fixtures.full_redis import MAXMEMORY


@pytest.fixture
def small_redis(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis", maxmemory=MAXMEMORY)
    server.start()
    yield server
    server.stop()
