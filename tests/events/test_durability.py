"""A restart of Redis (the embedded one, append-only) loses no change and no event: what was
submitted but not rendered, and what was logged but not delivered, all arrive afterwards."""

from __future__ import annotations

import json

from connector.app import create_app
from connector.events import delivery, pipeline
from connector.events.env import EventsEnv
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy.accounts import AccountStore
from tests.events.test_pipeline import change
from tests.fixtures.hub import BASE, instance_body
from tests.fixtures.jobs import wait_for


def test_a_redis_restart_loses_nothing(settings, sandbox, webhook_receiver, tmp_path, job_workers):
    data = tmp_path / "redis-data"
    first = EmbeddedRedis(data)
    before = settings.with_overrides(redis_url=first.start())
    app = create_app(before)
    try:
        account = AccountStore(get_redis(app), get_keys(app)).create()
        headers = {
            "Authorization": f"User {account.user_secret}, "
            f"Organization {account.organization_secret}"
        }
        body = instance_body(
            sandbox,
            configuration={
                "event.notification.enabled": "true",
                "event.notification.callback.url": f"{webhook_receiver.url}/events",
            },
        )
        created = app.test_client().post(f"{BASE}/instances", json=body, headers=headers)
        assert created.status_code == 200, created.get_data(as_text=True)
        instance_id = created.get_json()["id"]
        env = EventsEnv.of_app(app)
        ids = sandbox.ids("Companies")[:4]
        webhook_receiver.status = 500
        pipeline.submit(env, [change(instance_id, i, "v1") for i in ids[:2]])
        pipeline.run_render(env, instance_id)
        delivery.run_delivery(env, instance_id)  # refused: the two wait for a retry
        pipeline.submit(env, [change(instance_id, i, "v1") for i in ids[2:]])  # not rendered
        app.extensions["connector.deps"].local.close()
    finally:
        first.stop()  # SIGTERM: redis-server flushes its append-only file

    second = EmbeddedRedis(data)
    after = settings.with_overrides(redis_url=second.start())
    try:
        refused = len(webhook_receiver.calls)
        assert refused == 1  # the two logged events' one refused notification
        webhook_receiver.status = 200
        job_workers.start(after, queues="events")  # its sweeps find both kinds of leftovers
        wanted = 4
        wait_for(
            lambda: len(received(webhook_receiver.calls[refused:])) >= wanted,
            what="every event after the restart",
            timeout=90,
        )
        objects = [int(e["objectId"]) for e in received(webhook_receiver.calls[refused:])]
        assert objects == ids  # the older ones first, each once
    finally:
        job_workers.stop()
        second.stop()


def received(calls) -> list[dict]:
    """The events of these notifications, once per eventId, in arrival order."""
    seen, found = set(), []
    for call in calls:
        for event in json.loads(call["body"])["events"]:
            if event["eventId"] not in seen:
                seen.add(event["eventId"])
                found.append(event)
    return found
