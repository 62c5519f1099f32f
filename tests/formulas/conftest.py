"""Formula tests: settings that let formula URLs reach loopback receivers, a worker, helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from connector.config import Settings
from tests.fixtures.hub import instance_body
from tests.formulas.receiver import Receiver

BASE = "/elements/api-v2"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # the receivers run on loopback, which formula URLs may reach only when the operator allows
    return replace(settings, formulas_allow_private_urls=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def element_instance(client, tenant, sandbox) -> dict:
    """An Autotask element instance of `tenant` on the sandbox."""
    response = client.post(
        f"{BASE}/instances", json=instance_body(sandbox), headers=tenant.headers()
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def formulas_env(app):
    return app.extensions["connector.formulas"]["env"]


def calling(url: str, **http) -> dict:
    """A manual template: compute a value, post it to `url`."""
    return {
        "name": "caller",
        "configuration": [{"key": "target", "type": "value"}],
        "triggers": [{"type": "manual", "properties": {"required": ["n"]}}],
        "steps": [
            {
                "name": "compute",
                "type": "set",
                "properties": {"values": {"double": "trigger.body.n * 2"}},
            },
            {
                "name": "send",
                "type": "httpRequest",
                "properties": {
                    "method": "POST",
                    "url": "${config.target}",
                    "body": {"value": "${steps.compute.double}"},
                    **http,
                },
            },
        ],
    }


def install_formula(
    client, tenant, template: dict, url: str, **configuration: object
) -> tuple[dict, dict]:
    """`template` saved by `tenant` and one formula instance of it targeting `url` (and the
    rest of its `configuration`, such as an event template's `crm`)."""
    h = tenant.headers()
    formula = client.post(f"{BASE}/formulas", json=template, headers=h)
    assert formula.status_code == 200, formula.get_data(as_text=True)
    fid = formula.get_json()["id"]
    body = {"name": "t", "configuration": {"target": url, **configuration}}
    instance = client.post(f"{BASE}/formulas/{fid}/instances", json=body, headers=h)
    assert instance.status_code == 200, instance.get_data(as_text=True)
    return formula.get_json(), instance.get_json()


@pytest.fixture
def make_instance(client, tenant):
    def make(template: dict, url: str) -> tuple[dict, dict]:
        return install_formula(client, tenant, template, url)

    return make


def run_sync(client, tenant, instance_id: int, body: dict) -> dict:
    response = client.post(
        f"{BASE}/formulas/instances/{instance_id}/executions?sync=true",
        json=body,
        headers=tenant.headers(),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def post_execution(client, tenant, instance_id: int, body: dict, sync: bool = False):
    suffix = "?sync=true" if sync else ""
    return client.post(
        f"{BASE}/formulas/instances/{instance_id}/executions{suffix}",
        json=body,
        headers=tenant.headers(),
    )


def run_wait(client, tenant, execution_id, timeout: float = 60.0) -> dict:
    """The execution once it has ended (a bounded wait)."""
    from tests.fixtures.jobs import wait_for

    def ended():
        found = client.get(
            f"{BASE}/formulas/instances/executions/{execution_id}", headers=tenant.headers()
        ).get_json()
        return found if found["status"] in ("SUCCESS", "FAILED", "STOPPED") else None

    return wait_for(ended, what=f"execution {execution_id} to end", timeout=timeout)


def event_template(url: str) -> dict:
    """An event-triggered template: each UPDATED contact of `crm` is posted to `target`."""
    return {
        "name": "on-contacts",
        "configuration": [
            {"key": "crm", "type": "elementInstance"},
            {"key": "target", "type": "value"},
        ],
        "triggers": [
            {
                "type": "event",
                "properties": {
                    "elementInstance": "${config.crm}",
                    "objectType": ["contacts"],
                    "eventType": ["UPDATED"],
                },
            }
        ],
        "steps": [
            {
                "name": "send",
                "type": "httpRequest",
                "properties": {
                    "method": "POST",
                    "url": "${config.target}",
                    "body": {"event": "${trigger.eventId}", "id": "${trigger.objectId}"},
                },
            }
        ],
    }
