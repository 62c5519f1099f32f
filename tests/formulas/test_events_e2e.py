"""Formulas on real events (#14 on #13): a ticket created and then completed in the sandbox
through its REST API (as another integration would), found by the events' poller on a real
worker, rendered into incident events, each starting one execution of the shipped
ticket-to-alert template (seed 004) on a real worker, whose requests reach the alert receiver
on loopback: an alert for the New ticket, then its resolution when it is Complete."""

from __future__ import annotations

import pytest

from tests.fixtures.hub import instance_body
from tests.fixtures.jobs import wait_for
from tests.formulas.conftest import BASE

LEVEL_ONE = 29683482  # a queue of the sandbox's tenant
NEW, COMPLETE = 1, 5


@pytest.fixture
def settings(settings, sandbox):
    # polls every 3 s (the operator's floor lowered to 1 s); events' callback on loopback too
    return settings.with_overrides(
        autotask_allowed_hosts=sandbox.allowed_hosts,
        events_allow_private_callbacks=True,
        events_min_poll_seconds=1.0,
        events_gather_seconds=0.2,
    )


def test_a_sandbox_ticket_change_reaches_the_alert_receiver_through_events(
    client, tenant, sandbox, receiver, settings, job_workers
):
    configuration = {
        "event.notification.enabled": "true",
        "event.notification.callback.url": receiver.url + "/events",
        "event.vendor.type": "polling",
        "event.objects": "incidents",
        "event.poller.refresh_interval": "0.05",
    }
    made = client.post(
        f"{BASE}/instances",
        json=instance_body(sandbox, configuration=configuration),
        headers=tenant.headers(),
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    element = made.get_json()
    body = {
        "name": "alerts",
        "configuration": {
            "autotask": element["id"],
            "alertWebhookUrl": receiver.url + "/alerts",
            "integrationKey": "il1",
        },
    }
    formula = client.post(
        f"{BASE}/formulas/ticket-to-alert/instances", json=body, headers=tenant.headers()
    )
    assert formula.status_code == 200, formula.get_data(as_text=True)
    for _ in range(2):
        job_workers.start(settings, allowed_hosts=sandbox.allowed_hosts)
    wait_for(
        lambda: (
            client.get(f"{BASE}/instances/{element['id']}/events/status", headers=tenant.headers())
            .get_json()["resources"]["incidents"]
            .get("lastPoll")
        ),
        what="the first poll (the watermark set when events went on)",
    )

    company = sandbox.ids("Companies")[1]
    ticket = {"companyID": company, "title": "Printer on fire", "status": NEW, "priority": 2}
    answer = sandbox.call("POST", "Tickets", json={**ticket, "queueID": LEVEL_ONE})
    assert answer.status_code == 200, answer.text
    ticket_id = answer.json()["itemId"]
    key = f"autotask-ticket-{ticket_id}"

    def alerts() -> list[str]:
        return [
            r["json"]["eventType"] for r in receiver.to("/alerts") if r["json"]["alertKey"] == key
        ]

    wait_for(lambda: alerts() == ["ALERT"], what="the alert of the new ticket", timeout=60)
    first = [r["json"] for r in receiver.to("/alerts")][0]
    assert first["integrationKey"] == "il1" and "Printer on fire" in first["summary"]

    answer = sandbox.call("PATCH", "Tickets", json={"id": ticket_id, "status": COMPLETE})
    assert answer.status_code == 200, answer.text
    wait_for(lambda: alerts() == ["ALERT", "RESOLVE"], what="the alert resolved", timeout=60)

    def executions():
        return client.get(
            f"{BASE}/formulas/instances/{formula.get_json()['id']}/executions",
            headers=tenant.headers(),
        ).get_json()

    def ended():
        found = executions()
        done = [e for e in found if e["status"] in ("SUCCESS", "FAILED", "STOPPED")]
        return found if len(found) >= 2 and len(done) == len(found) else None

    # the receiver has the RESOLVE request before its execution records its end
    ended_executions = wait_for(ended, what="both executions to end", timeout=30)
    assert sorted(e["status"] for e in ended_executions) == ["SUCCESS", "SUCCESS"]  # one each
