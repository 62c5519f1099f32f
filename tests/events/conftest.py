"""An instance with events on, on the sandbox, and its events env."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from connector.config import Settings
from connector.events.env import EventsEnv
from tests.fixtures.hub import BASE, instance_body


@pytest.fixture
def settings(settings: Settings, sandbox) -> Settings:
    # callbacks go to loopback receivers; the gather window short, retries quick; worker
    # processes reach the sandbox as the operator allowed it
    return settings.with_overrides(
        autotask_allowed_hosts=sandbox.allowed_hosts,
        events_allow_private_callbacks=True,
        events_gather_seconds=0.2,
        events_retry_base_seconds=1.0,
        events_lease_seconds=3.0,
    )


@dataclass
class EventsInstance:
    env: EventsEnv
    id: int
    created: dict[str, Any]
    headers: dict[str, str]


@pytest.fixture
def polling_body(sandbox, webhook_receiver):
    """`polling_body(**configuration)`: an instance body with polled events on, notified to
    the webhook receiver; `box=` another sandbox than the test's."""

    def body(box=None, **configuration: str) -> dict[str, Any]:
        return instance_body(
            box or sandbox,
            configuration={
                "event.notification.enabled": "true",
                "event.notification.callback.url": f"{webhook_receiver.url}/events",
                "event.vendor.type": "polling",
                **configuration,
            },
        )

    return body


@pytest.fixture
def events_instance(app, client, tenant, polling_body):
    """`events_instance(**configuration)`: such an instance, created through the API."""

    def make(box=None, **configuration: str) -> EventsInstance:
        body = polling_body(box, **configuration)
        answer = client.post(f"{BASE}/instances", json=body, headers=tenant.headers())
        assert answer.status_code == 200, answer.get_data(as_text=True)
        created = answer.get_json()
        return EventsInstance(EventsEnv.of_app(app), created["id"], created, tenant.headers())

    return make
