"""The stores and services a request needs, built once per app and kept in `app.extensions`."""

from __future__ import annotations

from flask import Flask, current_app

from connector.config import Settings
from connector.storage.local_cache import LocalCache
from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy.accounts import AccountStore
from connector.tenancy.callers import CallerLookup
from connector.tenancy.instances import InstanceStore
from connector.tenancy.secrets_box import SecretBox, load_key
from connector.tenancy.services import Services

EXTENSION = "connector.deps"


def init_app(app: Flask) -> None:
    settings: Settings = app.config["SETTINGS"]
    client, keys = get_redis(app), get_keys(app)
    key = load_key(settings.secret_key, settings.data_dir)
    local = LocalCache(client, keys, ttl=settings.local_cache_ttl)
    deps = Services(
        settings,
        keys,
        AccountStore(client, keys),
        InstanceStore(client, keys, local),
        SecretBox(key),
        key,
        CallerLookup(client, keys, local),
        local,
    )
    app.extensions[EXTENSION] = deps
    if settings.org_secret and settings.user_secret:
        _provision_single_tenant(deps)


def _provision_single_tenant(deps: Services) -> None:
    import redis

    try:
        deps.accounts.ensure(deps.settings.org_secret, deps.settings.user_secret)
    except redis.RedisError:
        # Redis may come up after the web workers; the first request retries through `ensure`
        pass


def deps() -> Services:
    return current_app.extensions[EXTENSION]
