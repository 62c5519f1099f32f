"""The instance's settings applied (connector.events.webhooks.sync): webhooks while events
are on with `event.vendor.type=webhook`, none once they are off or the instance is disabled;
the instance hooks run it on every change, on every host."""

from __future__ import annotations

import requests

from connector.events.webhooks import status, sync
from tests.fixtures.hub import BASE
from tests.fixtures.jobs import wait_for

EVENTS_ON = {
    "event.notification.enabled": "true",
    "event.vendor.type": "webhook",
    "event.objects": "accounts,opportunities",
}


def set_configuration(env, instance_id: int, values: dict[str, str]) -> None:
    """As the events configuration stores its keys (non-secret values, in clear)."""
    instance = env.instances.get(instance_id)
    for key, value in values.items():
        instance.set_config(key, value, env.box)
    env.instances.save(instance)


def test_events_on_with_webhooks_register_and_off_removes(box, make_instance, env):
    instance, _ = make_instance(box)
    set_configuration(env, instance["id"], EVENTS_ON)
    sync(env, instance["id"])
    assert {r: m["mode"] for r, m in status(env, instance["id"]).items()} == {
        "accounts": "webhook",
        "opportunities": "polling",
    }
    assert box.count("CompanyWebhooks") == 1 and box.count("TicketWebhooks") == 0
    set_configuration(env, instance["id"], {"event.vendor.type": "polling"})
    sync(env, instance["id"])
    assert box.count("CompanyWebhooks") == 0 and status(env, instance["id"]) == {}


def test_disabling_the_instance_removes_its_webhooks(
    box, make_instance, env, live_server, job_workers, settings
):
    instance, tenant = make_instance(box)
    set_configuration(env, instance["id"], EVENTS_ON)
    sync(env, instance["id"])
    assert box.count("CompanyWebhooks") == 1
    url = f"{live_server.url}{BASE}/instances/{instance['id']}/enabled"
    answer = requests.delete(url, headers=tenant.headers(), timeout=30)
    assert answer.status_code == 200, answer.text
    assert box.count("CompanyWebhooks") == 0
    answer = requests.put(url, headers=tenant.headers(), timeout=30)  # enabled again
    assert answer.status_code == 200, answer.text
    # registering is a job: a worker does it after the answer
    job_workers.start(settings, queues="events", allowed_hosts=box.allowed_hosts)
    wait_for(lambda: box.count("CompanyWebhooks") == 1, what="the webhook registered again")
    assert box.count("CompanyWebhooks") == 1
