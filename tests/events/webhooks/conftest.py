"""The connector served on a port known before the app is built, so that its
CONNECTOR_PUBLIC_URL is where the sandbox's webhooks really call; an instance on a sandbox
that delivers callouts within a second; the drain, collecting changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from connector.events.changes import Change
from connector.events.webhooks.drain import CalloutDrain
from connector.events.webhooks.env import EXTENSION, WebhookEnv
from connector.storage.embedded_redis import free_port
from tests.fixtures.hub import BASE, instance_body

FAST = {"webhook_poll_interval": 0.02, "webhook_retry_delay": 0.05, "webhook_timeout": 2}


@pytest.fixture
def public_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings, public_port):  # tests/fixtures/app.py's, with a public URL
    return settings.with_overrides(public_url=f"http://127.0.0.1:{public_port}")


class PublicServer:
    def __init__(self, app, port: int) -> None:
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def live_server(app, public_port) -> Iterator[PublicServer]:
    server = PublicServer(app, public_port)
    yield server
    server.stop()


@pytest.fixture
def env(app) -> WebhookEnv:
    return app.extensions[EXTENSION]


@pytest.fixture
def box(make_sandbox):
    return make_sandbox(**FAST)


@pytest.fixture
def make_instance(live_server, make_tenant):
    """An instance on `sandbox` made through POST /instances: (its record, the tenant)."""

    def make(sandbox, **extra: Any) -> tuple[dict[str, Any], Any]:
        tenant = make_tenant()
        answer = requests.post(
            live_server.url + BASE + "/instances",
            json=instance_body(sandbox, **extra),
            headers=tenant.headers(),
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json(), tenant

    return make


class Collector:
    """Drains the callout stream into a list of Changes until a condition holds."""

    def __init__(self, env: WebhookEnv) -> None:
        self.drain = CalloutDrain(env)
        self.changes: list[Change] = []

    def until(self, done: Callable[[list[Change]], bool], timeout: float = 20.0) -> list[Change]:
        deadline = time.monotonic() + timeout
        while not done(self.changes) and time.monotonic() < deadline:
            if not self.drain.drain(self.changes.extend):
                time.sleep(0.05)  # the stream is empty: wait for the next callout
        return self.changes


@pytest.fixture
def collector(env) -> Collector:
    return Collector(env)
