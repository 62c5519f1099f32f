"""Webhook registration as a job (connector.events.webhooks.registration_job): the request that
turns events on answers at once with a pending registration the event status shows; a real
worker registers the webhooks and puts the poll schedules of what is left to polling; when
Autotask is down the failure is recorded, visible, and retried until it succeeds."""

from __future__ import annotations

import requests

from connector.events.polling.schedules import schedule_name
from connector.jobs import Schedules
from tests.fixtures.hub import BASE
from tests.fixtures.jobs import wait_for

ON = {
    "event.notification.enabled": "true",
    "event.vendor.type": "webhook",
    "event.objects": "accounts,opportunities",
}


def on(receiver) -> dict:
    return {"configuration": {**ON, "event.notification.callback.url": f"{receiver.url}/e"}}


def registration(live_server, instance, tenant) -> dict | None:
    url = f"{live_server.url}{BASE}/instances/{instance['id']}/events/status"
    answer = requests.get(url, headers=tenant.headers(), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["registration"]


def test_the_request_answers_pending_and_a_worker_registers(
    box, make_instance, live_server, job_workers, settings, webhook_receiver, app
):
    instance, tenant = make_instance(box, **on(webhook_receiver))
    pending = registration(live_server, instance, tenant)
    assert pending["status"] == "pending" and pending["attempts"] == 0
    assert box.count("CompanyWebhooks") == 0  # nothing registered inside the request
    job_workers.start(settings, queues="events", allowed_hosts=box.allowed_hosts)
    done = wait_for(
        lambda: (
            (found := registration(live_server, instance, tenant))
            and found["status"] == "registered"
            and found
        ),
        what="the registration job",
    )
    assert done["attempts"] == 1 and done["error"] is None
    assert box.count("CompanyWebhooks") == 1
    env = app.extensions["connector.events"]
    names = Schedules(env.jobs, env.redis).names()
    assert schedule_name(instance["id"], "opportunities") in names  # polled: no webhooks
    assert schedule_name(instance["id"], "accounts") not in names  # the webhook serves it


def test_a_failed_registration_is_recorded_and_retried(
    box, make_instance, live_server, job_workers, settings, webhook_receiver
):
    box.set_faults(kind="error", status=503, path_contains="CompanyWebhooks", method="POST")
    instance, tenant = make_instance(box, **on(webhook_receiver))
    job_workers.start(settings, queues="events", allowed_hosts=box.allowed_hosts)
    failed = wait_for(
        lambda: (
            (found := registration(live_server, instance, tenant))
            and found["status"] == "failed"
            and found
        ),
        what="the failure recorded",
    )
    assert failed["attempts"] == 1 and failed["error"]
    assert box.count("CompanyWebhooks") == 0
    box.clear_faults()  # Autotask is back: the retry registers
    done = wait_for(
        lambda: (
            (found := registration(live_server, instance, tenant))
            and found["status"] == "registered"
            and found
        ),
        what="the retried registration",
        timeout=60,
    )
    assert done["attempts"] >= 2 and done["error"] is None
    assert box.count("CompanyWebhooks") == 1
