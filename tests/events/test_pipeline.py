"""submit -> read-back in batches -> normalized events in the log, stable eventIds."""

from __future__ import annotations

import re

from connector.events import pipeline
from connector.events.changes import Change
from connector.events.store import EventLog
from tests.fixtures.jobs import wait_for


def change(instance_id: int, object_id: int, version: str, **extra) -> Change:
    values = {
        "instance_id": instance_id,
        "resource": "accounts",
        "entity": "Companies",
        "object_id": object_id,
        "event_type": "UPDATED",
        "source": "webhook",
        "changed_at": "2026-12-02T10:00:00Z",
        "version": version,
        **extra,
    }
    return Change(**values)


def log_of(env, instance_id):
    return EventLog(env.redis, env.keys, env.settings.events_retention_days)


def test_changes_are_read_back_in_one_query_per_500_ids_and_logged_once(events_instance, sandbox):
    inst = events_instance()
    env = inst.env
    ids = sandbox.ids("Companies")
    sandbox.clear_requests()
    changes = [change(inst.id, i, f"seq-{n}") for n, i in enumerate(ids)]
    assert pipeline.submit(env, changes) == len(ids)
    assert env.redis.xlen(env.keys.events_intake(inst.id)) == len(ids)  # durable at once
    assert pipeline.run_render(env, inst.id) == len(ids)
    queries = sandbox.requests(path_contains="Companies/query")
    assert len(queries) == 1  # ceil(len(ids) / 500)
    # no GET per change (the fields metadata, cached per database, maps picklists)
    gets = [r for r in sandbox.requests("Companies/") if re.search(r"Companies/\d", r["path"])]
    assert gets == []
    events, _ = log_of(env, inst.id).page(inst.id, size=100, after="0")
    assert [int(e["objectId"]) for e in events] == ids  # in the order they were submitted
    first = events[0]
    assert first["objectType"] == "accounts" and first["eventType"] == "UPDATED"
    assert first["elementKey"] == "autotaskcrm" and first["source"] == "webhook"
    vendor = sandbox.record("Companies", ids[0])
    assert first["record"]["name"] == vendor["companyName"]  # normalized through the map
    assert first["raw"]["companyName"] == vendor["companyName"]
    assert env.redis.xlen(env.keys.events_intake(inst.id)) == 0
    # the same changes again (a redelivered callout): the same eventIds, logged once
    pipeline.submit(env, changes[:3])
    assert pipeline.run_render(env, inst.id) == 0
    assert log_of(env, inst.id).length(inst.id) == len(ids)


def test_a_change_with_its_record_is_not_read_back_and_raw_can_be_off(events_instance, sandbox):
    inst = events_instance(**{"event.notification.raw": "false"})
    env = inst.env
    record = sandbox.record("Companies", sandbox.ids("Companies")[0])
    sandbox.clear_requests()
    pipeline.submit(env, [change(inst.id, record["id"], "v1", source="polling", record=record)])
    assert pipeline.run_render(env, inst.id) == 1
    assert sandbox.requests(path_contains="/query") == []
    [event] = log_of(env, inst.id).read_after(inst.id, "0", 10)
    assert event["record"]["id"] == record["id"] and "raw" not in event


def test_two_changes_of_one_record_keep_their_order_and_a_deletion_needs_no_read_back(
    events_instance, sandbox
):
    inst = events_instance()
    env = inst.env
    object_id = sandbox.ids("Companies")[1]
    pipeline.submit(
        env,
        [
            change(inst.id, object_id, "a", event_type="CREATED"),
            change(inst.id, object_id, "b"),
            change(inst.id, 999999, "c", event_type="DELETED"),
        ],
    )
    pipeline.run_render(env, inst.id)
    events = log_of(env, inst.id).read_after(inst.id, "0", 10)
    assert [e["eventType"] for e in events] == ["CREATED", "UPDATED", "DELETED"]
    assert events[2]["record"] == {"id": 999999} and "raw" not in events[2]
    assert len({e["eventId"] for e in events}) == 3


def test_a_worker_renders_what_was_submitted(events_instance, sandbox, settings, job_workers):
    inst = events_instance()
    env = inst.env
    job_workers.start(settings, queues="events")
    ids = sandbox.ids("Contacts")[:5]
    pipeline.submit(
        env,
        [change(inst.id, i, "v1", resource="contacts", entity="Contacts") for i in ids],
    )
    event_log = log_of(env, inst.id)
    wait_for(lambda: event_log.length(inst.id) == 5, what="the worker to log 5 events")
    events = event_log.read_after(inst.id, "0", 10)
    assert {e["objectType"] for e in events} == {"contacts"}
    assert [int(e["objectId"]) for e in events] == ids


def test_a_virtual_resource_mapped_onto_the_resource_gets_its_own_event(
    events_instance, sandbox, client, tenant
):
    inst = events_instance()
    env = inst.env
    base = "/elements/api-v2/organizations"
    definition = {"fields": [{"path": "fullName", "type": "string"}]}
    answer = client.post(
        f"{base}/objects/myContacts/definitions", json=definition, headers=tenant.headers()
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    transformation = {
        "vendorName": "contacts",
        "fields": [{"path": "fullName", "vendorPath": "lastName"}],
    }
    answer = client.post(
        f"{base}/elements/autotaskcrm/transformations/myContacts",
        json=transformation,
        headers=tenant.headers(),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    contact = sandbox.ids("Contacts")[0]
    pipeline.submit(env, [change(inst.id, contact, "v1", resource="contacts", entity="Contacts")])
    assert pipeline.run_render(env, inst.id) == 2
    events = log_of(env, inst.id).read_after(inst.id, "0", 10)
    assert [e["objectType"] for e in events] == ["contacts", "myContacts"]
    assert events[1]["record"]["fullName"] == sandbox.record("Contacts", contact)["lastName"]
    assert events[0]["eventId"] != events[1]["eventId"]


def test_one_change_gives_events_for_a_bounded_number_of_virtual_resources(
    events_instance, sandbox, client, tenant
):
    # a hostile organization maps many virtual resources onto contacts: one Autotask change
    # must not become that many events (each with its record and raw) in Redis
    from connector.events.render import MAX_VIRTUAL_TARGETS

    inst = events_instance()
    base = "/elements/api-v2/organizations"
    names = [f"copy{n:02d}" for n in range(MAX_VIRTUAL_TARGETS + 3)]
    for name in names:
        definition = {"fields": [{"path": "fullName", "type": "string"}]}
        answer = client.post(
            f"{base}/objects/{name}/definitions", json=definition, headers=tenant.headers()
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        transformation = {
            "vendorName": "contacts",
            "fields": [{"path": "fullName", "vendorPath": "lastName"}],
        }
        answer = client.post(
            f"{base}/elements/autotaskcrm/transformations/{name}",
            json=transformation,
            headers=tenant.headers(),
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
    contact = sandbox.ids("Contacts")[0]
    pipeline.submit(
        inst.env, [change(inst.id, contact, "v1", resource="contacts", entity="Contacts")]
    )
    assert pipeline.run_render(inst.env, inst.id) == 1 + MAX_VIRTUAL_TARGETS
    events = log_of(inst.env, inst.id).read_after(inst.id, "0", 100)
    assert [e["objectType"] for e in events] == ["contacts", *names[:MAX_VIRTUAL_TARGETS]]


def test_a_change_no_resource_serves_is_skipped_without_holding_up_the_rest(
    events_instance, sandbox
):
    inst = events_instance()
    env = inst.env
    [first, second] = sandbox.ids("Companies")[:2]
    pipeline.submit(
        env,
        [
            change(inst.id, first, "v1", resource="widgets"),  # e.g. a map removed meanwhile
            change(inst.id, second, "v1"),
        ],
    )
    assert pipeline.run_render(env, inst.id) == 1
    [event] = log_of(env, inst.id).read_after(inst.id, "0", 10)
    assert int(event["objectId"]) == second
    assert env.redis.xlen(env.keys.events_intake(inst.id)) == 0
