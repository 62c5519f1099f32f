"""Delivery to a loopback receiver: signed both ways, 20 events per notification, in order,
retried until taken, parked after the retry window and resumed, never a gap."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from standardwebhooks.webhooks import Webhook

from connector.events import delivery, pipeline
from connector.events.signing import standard_secret
from connector.events.store import EventLog
from tests.events.test_pipeline import change
from tests.fixtures.jobs import wait_for


def delivered_ids(calls) -> list[str]:
    return [e["eventId"] for call in calls for e in json.loads(call["body"])["events"]]


def logged(env, instance_id) -> list[dict]:
    event_log = EventLog(env.redis, env.keys, env.settings.events_retention_days)
    return event_log.read_after(instance_id, "0", 1000)


def test_events_arrive_signed_in_order_20_per_notification(
    events_instance, sandbox, webhook_receiver
):
    inst = events_instance()
    env = inst.env
    key = inst.created["configuration"]["event.notification.signature.key"]
    ids = sandbox.ids("Contacts")[:25]
    changes = [change(inst.id, i, "v1", resource="contacts", entity="Contacts") for i in ids]
    pipeline.submit(env, changes)
    pipeline.run_render(env, inst.id)
    assert delivery.run_delivery(env, inst.id) == 25
    calls = webhook_receiver.wait_for(2, path="/events")
    assert [len(json.loads(c["body"])["events"]) for c in calls] == [20, 5]
    assert delivered_ids(calls) == [e["eventId"] for e in logged(env, inst.id)]
    for call in calls:
        raw, headers = call["body"], call["headers"]
        digest = hmac.new(key.encode(), raw, hashlib.sha256).digest()
        assert (
            headers["Elements-Webhook-Signature"] == "sha256=" + base64.b64encode(digest).decode()
        )
        Webhook(standard_secret(key)).verify(raw, headers)  # raises when it does not verify
        body = json.loads(raw)
        assert body["instanceId"] == inst.id and body["message"]["events"][0]["objectType"]
    first = json.loads(calls[0]["body"])["events"][0]
    assert first["objectType"] == "contacts" and int(first["objectId"]) == ids[0]
    assert first["record"]["lastName"] == sandbox.record("Contacts", ids[0])["lastName"]
    state = EventLog(env.redis, env.keys, 7).state(first["eventId"])
    assert state["status"] == "DELIVERED" and state["attempts"][0]["statusCode"] == 200


def test_a_forged_body_does_not_verify(events_instance, sandbox, webhook_receiver):
    inst = events_instance()
    key = inst.created["configuration"]["event.notification.signature.key"]
    pipeline.submit(inst.env, [change(inst.id, sandbox.ids("Companies")[0], "v1")])
    pipeline.run_render(inst.env, inst.id)
    delivery.run_delivery(inst.env, inst.id)
    [call] = webhook_receiver.wait_for(1, path="/events")
    forged = call["body"].replace(b'"UPDATED"', b'"DELETED"')
    try:
        Webhook(standard_secret(key)).verify(forged, call["headers"])
    except Exception as exc:  # the library's WebhookVerificationError
        assert "signature" in str(exc).lower()
    else:
        raise AssertionError("a changed body verified")


def test_a_failing_receiver_gets_every_event_afterwards_and_parking_keeps_them(
    events_instance, sandbox, webhook_receiver, settings
):
    inst = events_instance()
    env = inst.env
    ids = sandbox.ids("Companies")[:3]
    webhook_receiver.status = 500
    pipeline.submit(env, [change(inst.id, i, "v1") for i in ids])
    pipeline.run_render(env, inst.id)
    assert delivery.run_delivery(env, inst.id) == 0
    event_log = EventLog(env.redis, env.keys, 7)
    first = logged(env, inst.id)[0]["eventId"]
    assert event_log.state(first)["status"] == "RETRYING"
    assert event_log.state(first)["attempts"][0]["statusCode"] == 500
    assert float(delivery.state(env, inst.id)["nextAt"]) > 0  # backoff: not tried at once
    assert delivery.run_delivery(env, inst.id) == 0  # too early: nothing sent
    assert len(webhook_receiver.calls) == 1
    # the retry window passes (EVENTS_RETRY_HOURS): the next failure parks the deliveries
    env.redis.hset(env.keys.events_delivery(inst.id), mapping={"failingSince": 1, "nextAt": 0})
    assert delivery.run_delivery(env, inst.id) == 0
    assert event_log.state(first)["status"] == "PARKED"
    assert delivery.state(env, inst.id)["parked"]
    assert delivery.sweep_deliveries(env) == []  # parked: nobody tries
    webhook_receiver.status = 200
    more = sandbox.ids("Companies")[3]
    pipeline.submit(env, [change(inst.id, more, "v1")])
    pipeline.run_render(env, inst.id)
    assert delivery.run_delivery(env, inst.id) == 0  # still parked: kept, not sent
    delivery.resume(env, inst.id)
    assert delivery.run_delivery(env, inst.id) == 4
    received = delivered_ids(webhook_receiver.calls[2:])
    assert received == [e["eventId"] for e in logged(env, inst.id)]  # no gap, in order
    assert event_log.state(first)["status"] == "DELIVERED"
    assert len(event_log.state(first)["attempts"]) == 3


def test_a_hanging_receiver_and_a_killed_worker_lose_nothing(
    events_instance, sandbox, webhook_receiver, settings, job_workers
):
    inst = events_instance()
    env = inst.env
    webhook_receiver.hang = 30.0  # longer than the 10 s deadline: the call is abandoned
    first_worker = job_workers.start(settings, queues="events")
    ids = sandbox.ids("Contacts")[:3]
    pipeline.submit(
        env, [change(inst.id, i, "v1", resource="contacts", entity="Contacts") for i in ids]
    )
    wait_for(lambda: webhook_receiver.calls, what="the first delivery to be in flight")
    first_worker.kill()  # mid-delivery: the POST was sent, no answer recorded
    webhook_receiver.hang = 0.0
    job_workers.start(settings, queues="events")
    event_ids = [e["eventId"] for e in wait_for(lambda: logged(env, inst.id), what="events")]
    wait_for(
        lambda: set(event_ids) <= set(delivered_ids(webhook_receiver.calls[1:])),
        what="a second worker to deliver them after the lease ran out",
        timeout=60,
    )
    assert delivered_ids(webhook_receiver.calls[1:])[:3] == event_ids  # in order, no gap


def test_events_logged_while_off_go_out_when_events_are_on_again(
    events_instance, sandbox, webhook_receiver, client
):
    inst = events_instance()
    env = inst.env
    url = f"/elements/api-v2/instances/{inst.id}"
    off = {"configuration": {"event.notification.enabled": "false"}}
    assert client.patch(url, json=off, headers=inst.headers).status_code == 200
    pipeline.submit(env, [change(inst.id, sandbox.ids("Companies")[0], "v1")])
    pipeline.run_render(env, inst.id)
    assert delivery.run_delivery(env, inst.id) == 0  # off: kept
    assert webhook_receiver.calls == []
    on = {"configuration": {"event.notification.enabled": "true"}}
    assert client.patch(url, json=on, headers=inst.headers).status_code == 200
    assert env.redis.exists(env.keys.events_delivery_due(inst.id))  # the hook queued it
    assert delivery.run_delivery(env, inst.id) == 1


def test_a_slow_receiver_holds_a_worker_for_one_share_then_the_job_hands_on(
    events_instance, sandbox, webhook_receiver, monkeypatch
):
    # A hostile callback answers 200, each time just inside the deadline: its instance's job
    # must not keep the worker (shared by every tenant) for all its notifications
    inst = events_instance()
    env = inst.env
    ids = sandbox.ids("Contacts")[:40]  # 2 notifications
    assert len(ids) > 20
    pipeline.submit(
        env, [change(inst.id, i, "v1", resource="contacts", entity="Contacts") for i in ids]
    )
    pipeline.run_render(env, inst.id)
    webhook_receiver.hang = 0.3
    monkeypatch.setattr(delivery, "SLICE_SECONDS", 0.2, raising=False)  # 30 s in production
    assert delivery.run_delivery(env, inst.id) == 20  # one notification, then it hands on
    assert env.redis.exists(env.keys.events_delivery_due(inst.id))  # a new job is queued
    webhook_receiver.hang = 0.0
    assert delivery.run_delivery(env, inst.id) == len(ids) - 20
    assert delivery.run_delivery(env, inst.id) == 0
    received = delivered_ids(webhook_receiver.calls)
    assert received == [e["eventId"] for e in logged(env, inst.id)]  # in order, no gap


def test_redeliveries_asked_for_are_bounded_and_run_one_at_a_time(
    events_instance, sandbox, webhook_receiver, client, monkeypatch
):
    # a tenant whose callback hangs must not queue a 10 s job per POST .../retries
    from connector.events.lease import Lease

    monkeypatch.setattr(delivery, "MAX_PENDING_REDELIVERIES", 3, raising=False)
    inst = events_instance()
    env = inst.env
    pipeline.submit(env, [change(inst.id, i, "v1") for i in sandbox.ids("Companies")[:4]])
    pipeline.run_render(env, inst.id)
    assert delivery.run_delivery(env, inst.id) == 4
    ids = [e["eventId"] for e in logged(env, inst.id)]

    def retry(event_id):
        return client.post(
            f"/elements/api-v2/instances/events/{event_id}/retries", headers=inst.headers
        )

    answers = [retry(event_id) for event_id in ids]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert "waiting already" in answers[3].get_json()["message"]
    assert retry(ids[0]).status_code == 202  # already waiting: the same redelivery
    sent = len(webhook_receiver.calls)
    held = Lease(env.redis, env.keys.events_delivery_lease(inst.id), 30)
    assert held.take()  # the instance's delivery runs: a redelivery waits for it
    assert delivery.run_redelivery(env, inst.id, ids[0]) is False
    assert len(webhook_receiver.calls) == sent
    held.release()
    assert delivery.run_redelivery(env, inst.id, ids[0]) is True
    assert delivered_ids(webhook_receiver.calls[sent:]) == [ids[0]]
    assert retry(ids[3]).status_code == 202  # one done: room for another
