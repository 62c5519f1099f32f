"""A client wired to the test Redis and a sandbox over loopback HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from connector.autotask import AutotaskClient, Credentials, discover_zone
from connector.config import Settings
from connector.storage.keys import Keys


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def make_client(redis_client, redis_url, key_prefix, keys) -> Callable[..., AutotaskClient]:
    """`make_client(box, credentials=..., backoff=..., **settings)`: a client of `box`."""

    def make(
        box, *, credentials: Credentials | None = None, backoff: float = 0.02, **settings: Any
    ) -> AutotaskClient:
        options = {"autotask_timeout": 10.0, "autotask_max_wait": 5.0, **settings}
        config = Settings(
            redis_url=redis_url, key_prefix=key_prefix, autotask_zone_url=box.zone_url, **options
        )
        creds = credentials or sandbox_credentials(box)
        zone = discover_zone(
            creds.username,
            redis=redis_client,
            keys=keys,
            zone_url=box.zone_url,
            ttl=config.zone_ttl,
        )
        client = AutotaskClient(creds, zone, redis=redis_client, keys=keys, settings=config)
        # seconds of backoff would only slow the tests down; the policy itself is tested apart
        client.caller.policy = replace(client.caller.policy, backoff=backoff)
        return client

    return make


@pytest.fixture
def autotask(sandbox, make_client) -> AutotaskClient:
    return make_client(sandbox)


def sandbox_credentials(box, **overrides: Any) -> Credentials:
    c = box.credentials
    values = {"username": c.username, "secret": c.secret, "integration_code": c.integration_code}
    values.update(overrides)
    return Credentials(**values)


def upstream(
    box, path_contains: str, method: str | None = None, *, at_least: int = 0
) -> list[dict]:
    """The sandbox's log of API requests whose path holds `path_contains` (any case).

    A dropped connection reaches the client before the sandbox logs the request, so
    `at_least` waits (up to 2 s) for that many entries before answering."""
    deadline = time.monotonic() + 2
    while True:
        entries = box.requests(path_contains=path_contains, method=method)
        if len(entries) >= at_least or time.monotonic() > deadline:
            return entries
        time.sleep(0.01)
