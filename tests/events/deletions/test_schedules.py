"""The deletion sources on schedules (connector.events.deletions.schedules): with events on,
DeletedTicketLogs and the reconcile sweep are scheduled, and what they find reaches the event
log as DELETED events through the pipeline."""

from __future__ import annotations

import requests

from connector.events import pipeline
from connector.events.deletions import schedules
from connector.events.env import EventsEnv
from connector.events.store import EventLog
from connector.jobs import Schedules


def deleted_events(env: EventsEnv, instance_id: int) -> list[tuple[str, str, str]]:
    log = EventLog(env.redis, env.keys, env.settings.events_retention_days)
    events, _ = log.page(instance_id, size=100, after="0")
    return [
        (e["objectType"], e["objectId"], e["source"]) for e in events if e["eventType"] == "DELETED"
    ]


def on(callback: str, **extra: str) -> dict:
    return {
        "configuration": {
            "event.notification.enabled": "true",
            "event.notification.callback.url": callback,
            "event.vendor.type": "polling",
            **extra,
        }
    }


def test_deleted_tickets_and_the_sweep_run_on_schedules_into_the_pipeline(
    box, make_instance, env, app, webhook_receiver
):
    events = EventsEnv.of_app(app)
    instance, _ = make_instance(
        box, **on(f"{webhook_receiver.url}/events", **{"event.objects": "incidents,contacts"})
    )
    instance_id = instance["id"]
    names = Schedules(events.jobs, events.redis).names()
    assert schedules.deleted_tickets_schedule(instance_id) in names
    assert schedules.reconcile_schedule(instance_id) in names
    # the first runs learn where to start: the log's "since", the sweep's ids
    assert schedules.run_deleted_tickets(events, env, instance_id) == 0
    assert schedules.run_reconcile(events, env, instance_id) == {"contacts": -1}
    ticket = box.ids("Tickets")[0]
    answer = requests.delete(f"{box.url}/_sandbox/records/Tickets/{ticket}", timeout=30)
    assert answer.status_code == 200, answer.text
    contact = box.record("Contacts", box.ids("Contacts")[3])
    path = f"Companies/{contact['companyID']}/Contacts/{contact['id']}"
    assert box.call("DELETE", path).status_code == 200
    assert schedules.run_deleted_tickets(events, env, instance_id) == 1
    assert schedules.run_reconcile(events, env, instance_id) == {"contacts": 1}
    pipeline.run_render(events, instance_id)
    assert deleted_events(events, instance_id) == [
        ("incidents", str(ticket), "polling"),
        ("contacts", str(contact["id"]), "reconcile"),
    ]
    # again: nothing new, nothing twice
    assert schedules.run_deleted_tickets(events, env, instance_id) == 0
    assert schedules.run_reconcile(events, env, instance_id) == {"contacts": 0}
    assert pipeline.run_render(events, instance_id) == 0


def test_a_reconcile_interval_of_0_schedules_no_sweep(box, make_instance, app, webhook_receiver):
    events = EventsEnv.of_app(app)
    instance, _ = make_instance(
        box, **on(f"{webhook_receiver.url}/events", **{"event.poller.reconcile_interval": "0"})
    )
    names = Schedules(events.jobs, events.redis).names()
    assert schedules.deleted_tickets_schedule(instance["id"]) in names
    assert schedules.reconcile_schedule(instance["id"]) not in names
