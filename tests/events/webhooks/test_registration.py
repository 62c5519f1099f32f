"""Registering an instance's webhooks in the sandbox (connector.events.webhooks.registration):
one per watched entity that has them, pointed at the hook under CONNECTOR_PUBLIC_URL; polling,
with the reason, where there is none, no public URL, or Autotask refuses."""

from __future__ import annotations

import dataclasses

import requests

from connector.events.webhooks import status
from connector.events.webhooks.registration import NO_PUBLIC_URL, Registrar
from connector.events.webhooks.store import HookStore
from connector.sandbox.settings import DEFAULT_SECRET, DEFAULT_USERNAME
from tests.events.webhooks.conftest import FAST
from tests.fixtures.hub import BASE

WATCHED = ["accounts", "contacts", "opportunities", "incidents"]
ALL = {"filter": [{"op": "gte", "field": "id", "value": 0}]}


def webhooks(box, entity: str) -> list[dict]:
    return box.call("POST", f"{entity}/query", json=ALL).json()["items"]


def test_one_webhook_per_entity_that_has_them_and_polling_elsewhere(box, make_instance, env):
    instance, _ = make_instance(box)
    modes = Registrar(env).register(env.instances.get(instance["id"]), WATCHED)
    hook_id, secret = HookStore(env).hook_of(instance["id"])
    assert {r: m["mode"] for r, m in modes.items()} == {
        "accounts": "webhook",
        "contacts": "webhook",
        "incidents": "webhook",
        "opportunities": "polling",
    }
    assert modes["opportunities"]["reason"] == "Autotask has no webhooks for Opportunities: polled"
    url = f"{env.settings.public_url}{BASE}/events/autotaskcrm/{hook_id}"
    for entity in ("CompanyWebhooks", "ContactWebhooks", "TicketWebhooks"):
        (made,) = webhooks(box, entity)
        assert made["webhookUrl"] == url and made["deactivationUrl"] == url + "/deactivation"
        assert made["secretKey"] == secret and len(secret) >= 32
        assert made["isActive"] and made["isReady"]
        assert made["isSubscribedToCreateEvents"] and made["isSubscribedToDeleteEvents"]
        assert made["isSubscribedToUpdateEvents"]
    company_fields = box.call("GET", f"CompanyWebhooks/{made_id(box)}/Fields").json()["items"]
    assert len(company_fields) > 5 and all(f["isSubscribedField"] for f in company_fields)
    assert status(env, instance["id"]) == modes


def made_id(box) -> int:
    return webhooks(box, "CompanyWebhooks")[0]["id"]


def test_registering_again_costs_no_upstream_call(box, make_instance, env):
    instance, _ = make_instance(box)
    registrar = Registrar(env)
    registrar.register(env.instances.get(instance["id"]), WATCHED)
    box.clear_requests()
    registrar.register(env.instances.get(instance["id"]), WATCHED)
    assert box.requests() == []
    assert len(webhooks(box, "TicketWebhooks")) == 1


def test_a_resource_no_longer_watched_loses_its_webhook(box, make_instance, env):
    instance, _ = make_instance(box)
    registrar = Registrar(env)
    registrar.register(env.instances.get(instance["id"]), WATCHED)
    modes = registrar.register(env.instances.get(instance["id"]), ["accounts"])
    assert list(modes) == ["accounts"]
    assert webhooks(box, "ContactWebhooks") == [] and webhooks(box, "TicketWebhooks") == []
    assert len(webhooks(box, "CompanyWebhooks")) == 1


def test_without_a_public_url_every_resource_is_polled_and_says_why(box, make_instance, env):
    instance, _ = make_instance(box)
    private = dataclasses.replace(env, settings=dataclasses.replace(env.settings, public_url=None))
    modes = Registrar(private).register(env.instances.get(instance["id"]), WATCHED)
    assert {r: m["mode"] for r, m in modes.items()} == dict.fromkeys(WATCHED, "polling")
    assert modes["accounts"]["reason"] == NO_PUBLIC_URL
    assert webhooks(box, "CompanyWebhooks") == []


def test_an_api_user_who_may_not_create_webhooks_is_polled_with_autotasks_reason(
    make_sandbox, make_instance, env
):
    limited = {"username": DEFAULT_USERNAME, "secret": DEFAULT_SECRET, "canCreateWebhooks": False}
    box = make_sandbox(**FAST, api_users=[limited])
    instance, _ = make_instance(box)
    modes = Registrar(env).register(env.instances.get(instance["id"]), ["accounts", "incidents"])
    assert [m["mode"] for m in modes.values()] == ["polling", "polling"]
    assert "does not have the adequate permissions" in modes["accounts"]["reason"]
    assert modes["accounts"]["reason"].endswith("polled instead")
    assert box.count("CompanyWebhooks") == 0 and HookStore(env).webhooks(instance["id"]) == {}


def test_deleting_the_instance_removes_its_webhooks_and_its_hook(
    box, make_instance, env, live_server
):
    instance, tenant = make_instance(box)
    Registrar(env).register(env.instances.get(instance["id"]), WATCHED)
    hook_id, _ = HookStore(env).hook_of(instance["id"])
    answer = requests.delete(
        f"{live_server.url}{BASE}/instances/{instance['id']}", headers=tenant.headers(), timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert [box.count(e) for e in ("CompanyWebhooks", "ContactWebhooks", "TicketWebhooks")] == [
        0,
        0,
        0,
    ]
    callout = requests.post(
        f"{live_server.url}{BASE}/events/autotaskcrm/{hook_id}", data=b"{}", timeout=30
    )
    assert callout.status_code == 404
    assert HookStore(env).hook_of(instance["id"]) is None
