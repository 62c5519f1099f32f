"""Instances survive a restart of the service and of the embedded Redis (append-only file)."""

from __future__ import annotations

import requests

from connector.app import create_app
from connector.storage.embedded_redis import EmbeddedRedis
from tests.api.test_instances import BASE, seed_body
from tests.fixtures.accounts import Tenant
from tests.fixtures.app import LiveServer


def _serve(settings):
    return LiveServer(create_app(settings)).start()


def test_instances_survive_a_restart_of_service_and_embedded_redis(settings, sandbox, tmp_path):
    from connector.storage.keys import Keys
    from connector.storage.redis_conn import connect
    from connector.tenancy.accounts import AccountStore

    data = tmp_path / "redis-data"
    first_redis = EmbeddedRedis(data)
    settings = settings.with_overrides(redis_url=first_redis.start())
    try:
        client = connect(settings.redis_url)
        account = AccountStore(client, Keys(settings.key_prefix)).create()
        client.close()
        tenant = Tenant(
            account.organization.id,
            account.user.id,
            account.organization_secret,
            account.user_secret,
        )
        server = _serve(settings)
        try:
            created = requests.post(
                server.url + BASE + "/instances",
                json=seed_body(sandbox),
                headers=tenant.headers(),
                timeout=30,
            )
            assert created.status_code == 200, created.text
        finally:
            server.stop()
    finally:
        first_redis.stop()

    second_redis = EmbeddedRedis(data)
    settings = settings.with_overrides(redis_url=second_redis.start())
    try:
        assert second_redis.port != 0
        server = _serve(settings)
        try:
            token = created.json()["token"]
            ping = requests.get(
                server.url + BASE + "/hubs/crm/ping", headers=tenant.headers(token), timeout=30
            )
            assert ping.status_code == 200, ping.text
            listed = requests.get(
                server.url + BASE + "/instances", headers=tenant.headers(), timeout=30
            ).json()
            assert [i["id"] for i in listed] == [created.json()["id"]]
        finally:
            server.stop()
    finally:
        second_redis.stop()
