"""CONNECTOR_SECRET_KEY rotation: credentials stored under key A still decrypt after a restart
with "B,A" (B encrypts from then on); with "B" alone the service says which setting is wrong."""

from __future__ import annotations

import requests
from cryptography.fernet import Fernet

from connector.app import create_app
from tests.fixtures.app import LiveServer
from tests.fixtures.hub import BASE, instance_body


def _serving(settings):
    app = create_app(settings)
    return app, LiveServer(app).start()


def _stop(app, server) -> None:
    server.stop()
    app.extensions["connector.deps"].local.close()


def _ping(server, headers):
    return requests.get(server.url + BASE + "/hubs/crm/ping", headers=headers, timeout=30)


def test_a_rotated_key_list_keeps_decrypting_and_a_missing_old_key_is_named(
    settings, sandbox, tenant
):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app, server = _serving(settings.with_overrides(secret_key=key_a))
    try:
        created = requests.post(
            server.url + BASE + "/instances",
            json=instance_body(sandbox),
            headers=tenant.headers(),
            timeout=30,
        )
        assert created.status_code == 200, created.text
    finally:
        _stop(app, server)
    headers = tenant.headers(created.json()["token"])

    app, server = _serving(settings.with_overrides(secret_key=f"{key_b},{key_a}"))
    try:
        assert _ping(server, headers).status_code == 200
    finally:
        _stop(app, server)

    app, server = _serving(settings.with_overrides(secret_key=key_b))
    try:
        refused = _ping(server, headers)
        assert refused.status_code == 500
        message = refused.json()["message"]
        assert "CONNECTOR_SECRET_KEY" in message and "cannot be decrypted" in message
        assert key_a not in refused.text and key_b not in refused.text
        assert sandbox.credentials.secret not in refused.text
    finally:
        _stop(app, server)
