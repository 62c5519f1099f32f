"""/metrics is not a map of the tenants: loopback-only unless METRICS_TOKEN is set, and
databases labelled by an opaque id, never an API host, a lookup URL, a `ci` or a username."""

from __future__ import annotations

import re

import requests

from connector.app import create_app
from connector.observability.metrics import database_label


def test_databases_are_labelled_by_an_opaque_id(hub, sandbox, live_server, settings):
    assert hub.get("contacts", pageSize=1).status_code == 200
    text = requests.get(live_server.url + "/metrics", timeout=10).text
    lines = [line for line in text.splitlines() if "threshold_used_ratio{" in line]
    assert lines, "the call left a threshold sample"
    port = sandbox.url.rsplit(":", 1)[1]
    for line in (line.split("}")[0] for line in lines):  # the labels
        assert "127.0.0.1" not in line and port not in line and "ATServicesRest" not in line
        assert sandbox.credentials.username not in line
        # an opaque id, or "other" once this process has seen MAX_DATABASES of them
        assert re.search(r'database="(db-[0-9a-f]{16}|other)"', line), line
    assert re.fullmatch(r"db-[0-9a-f]{16}", database_label("x", settings.secret_key))
    assert database_label("x", settings.secret_key) != database_label("x", "another key")


def test_without_a_token_only_loopback_clients_may_scrape(app, live_server):
    # over real HTTP on loopback: answered
    assert requests.get(live_server.url + "/metrics", timeout=10).status_code == 200
    # from another address (the WSGI environ's REMOTE_ADDR: no second interface in tests)
    client = app.test_client()
    for address in ("192.0.2.7", "::ffff:10.0.0.3", "2001:db8::1"):
        refused = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
        assert refused.status_code == 403, address
        assert "METRICS_TOKEN" in refused.get_json()["message"]
        assert b"autotask_connector_" not in refused.data
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_a_token_any_address_may_scrape_with_it(settings):
    app = create_app(settings.with_overrides(metrics_token="scrape-me-please"))
    try:
        client = app.test_client()
        remote = {"REMOTE_ADDR": "192.0.2.7"}
        assert client.get("/metrics", environ_base=remote).status_code == 401
        good = client.get(
            "/metrics",
            environ_base=remote,
            headers={"Authorization": "Bearer scrape-me-please"},
        )
        assert good.status_code == 200
    finally:
        app.extensions["connector.deps"].local.close()


def test_without_a_token_a_proxied_loopback_request_is_refused(live_server):
    # a proxy on the same host connects from loopback but names its client in a header
    for name, value in (
        ("X-Forwarded-For", "203.0.113.9"),
        ("Forwarded", "for=203.0.113.9"),
        ("X-Real-IP", "203.0.113.9"),
        ("x-forwarded-for", "127.0.0.1"),  # whatever it claims: a proxy is in between
    ):
        refused = requests.get(live_server.url + "/metrics", headers={name: value}, timeout=10)
        assert refused.status_code == 403, name
        assert "METRICS_TOKEN" in refused.json()["message"]
        assert "autotask_connector_" not in refused.text
    assert requests.get(live_server.url + "/metrics", timeout=10).status_code == 200
