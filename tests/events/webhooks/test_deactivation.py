"""Autotask switched a webhook off (25 failed callouts) and called its deactivation URL: the
drain turns it back on, or, when Autotask refuses, its resources are polled and the status
says why."""

from __future__ import annotations

import json

import requests

from connector.events.webhooks import status
from connector.events.webhooks.registration import Registrar
from connector.events.webhooks.signature import sign
from connector.events.webhooks.store import HookStore
from tests.fixtures.hub import BASE


def deactivate(box, live_server, env, instance_id: int) -> dict:
    """Switch the company webhook off in the sandbox and send its signed Deactivated call,
    as Autotask does (sandbox/webhooks/delivery.py shapes it the same way)."""
    hook_id, secret = HookStore(env).hook_of(instance_id)
    record = HookStore(env).webhooks(instance_id)["Companies"]
    box.call("PATCH", "CompanyWebhooks", json={"id": record["webhookId"], "isActive": False})
    body = json.dumps(
        {
            "Action": "Deactivated",
            "Guid": record["guid"],
            "EntityType": "Account",
            "Id": record["webhookId"],
            "Fields": {},
            "EventTime": "2026-01-02T03:04:05Z",
            "SequenceNumber": 99,
            "PersonID": None,
        }
    ).encode()
    answer = requests.post(
        f"{live_server.url}{BASE}/events/autotaskcrm/{hook_id}/deactivation",
        data=body,
        headers={"X-Hook-Signature": sign(secret, body)},
        timeout=30,
    )
    assert answer.json() == {"status": "stored"}
    return record


def test_a_deactivated_webhook_is_turned_back_on(box, make_instance, env, live_server, collector):
    instance, _ = make_instance(box)
    Registrar(env).register(env.instances.get(instance["id"]), ["accounts", "incidents"])
    record = deactivate(box, live_server, env, instance["id"])
    collector.until(lambda _: box.record("CompanyWebhooks", record["webhookId"])["isActive"])
    assert box.record("CompanyWebhooks", record["webhookId"])["isActive"] is True
    assert collector.changes == []  # a deactivation is no change of a record
    accounts = status(env, instance["id"])["accounts"]
    assert accounts["mode"] == "webhook" and "reactivated" in accounts["reason"]


def test_a_webhook_autotask_will_not_reactivate_falls_back_to_polling(
    box, make_instance, env, live_server, collector
):
    instance, _ = make_instance(box)
    Registrar(env).register(env.instances.get(instance["id"]), ["accounts", "incidents"])
    record = deactivate(box, live_server, env, instance["id"])
    # deleted in Autotask's UI meanwhile: the reactivation is refused
    assert box.call("DELETE", f"CompanyWebhooks/{record['webhookId']}").status_code == 200
    collector.until(lambda _: status(env, instance["id"])["accounts"]["mode"] == "polling")
    accounts = status(env, instance["id"])["accounts"]
    assert accounts["mode"] == "polling" and "refused to reactivate" in accounts["reason"]
    assert status(env, instance["id"])["incidents"]["mode"] == "webhook"
    assert "Companies" not in HookStore(env).webhooks(instance["id"])
