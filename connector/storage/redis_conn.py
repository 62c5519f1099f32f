"""The one place that owns the Redis connection.

`init_app` opens a pooled client from `Settings.redis_url` and keeps it in `app.extensions`;
everything else asks `get_redis()` (inside a request) or receives the client explicitly.
Values are JSON strings; the client decodes responses to `str`.
"""

from __future__ import annotations

import time
from typing import Any

import redis
from flask import Flask, current_app

from connector.errors import ConfigurationError, StorageUnavailableError
from connector.storage.keys import Keys

EXTENSION = "connector.redis"


def connect(url: str) -> redis.Redis:
    """A pooled client with timeouts, so a dead Redis fails a request instead of hanging it."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=3,
        health_check_interval=30,
        retry_on_timeout=False,
    )


def init_app(app: Flask, client: redis.Redis | None = None) -> None:
    settings = app.config["SETTINGS"]
    if client is None:
        if not settings.redis_url:
            raise ConfigurationError(
                "REDIS_URL is not set; run `autotask-connector serve` for the embedded Redis "
                "or point REDIS_URL at a Redis server"
            )
        client = connect(settings.redis_url)
    app.extensions[EXTENSION] = {"client": client, "keys": Keys(settings.key_prefix)}


def get_redis(app: Flask | None = None) -> redis.Redis:
    return (app or current_app).extensions[EXTENSION]["client"]


def get_keys(app: Flask | None = None) -> Keys:
    return (app or current_app).extensions[EXTENSION]["keys"]


def round_trip(client: redis.Redis, keys: Keys) -> dict[str, Any]:
    """Write, read and delete a probe key; the figures the health check reports."""
    started = time.perf_counter()
    try:
        probe = keys.health_probe()
        client.set(probe, "1", ex=10)
        client.get(probe)
        elapsed_ms = (time.perf_counter() - started) * 1000
        version = client.info("server").get("redis_version")
    except redis.RedisError as exc:
        raise StorageUnavailableError(
            f"Redis does not answer ({type(exc).__name__}); the service cannot serve requests"
        ) from exc
    return {"roundTripMs": round(elapsed_ms, 3), "version": version}
