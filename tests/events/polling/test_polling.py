"""Polling (connector.events.polling): opportunity changes made through the sandbox's REST API,
as another integration would make them, found by one `lastActivity >= watermark` query, handed
on with their records (no read-back), as CREATED or UPDATED in change order; an idle poll is one
call; the watermark moves only after the pipeline accepted the changes; the schedules follow
the instance's events; a bad poller configuration is a 400 and nothing is stored."""

from __future__ import annotations

import json

from connector.events import pipeline
from connector.events.env import EventsEnv
from connector.events.polling import schedules as polling
from connector.events.polling.watermark import Watermarks
from connector.events.store import EventLog
from connector.jobs import Schedules
from tests.fixtures.hub import BASE, instance_body

OWNER = 29682881
QUERIES = "Opportunities/query"


def opportunity(company_id: int, **fields) -> dict:
    return {
        "title": "Deal",
        "companyID": company_id,
        "ownerResourceID": OWNER,
        "status": 1,
        "stage": 1,
        "probability": 10,
        "amount": 1000,
        "cost": 500,
        "projectedCloseDate": "2030-01-01",
        "startDate": "2029-01-01",
        **fields,
    }


def events_of(env, instance_id):
    log = EventLog(env.redis, env.keys, env.settings.events_retention_days)
    return log.page(instance_id, size=100, after="0")[0]


def schedule_names(env, instance_id):
    prefix = polling.schedule_name(instance_id, "")
    return [n for n in Schedules(env.jobs, env.redis).names() if n.startswith(prefix)]


def test_polling_finds_opportunity_changes_made_through_the_rest_api(
    events_instance, sandbox, client
):
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    assert schedule_names(env, inst.id) == [f"events-poll:{inst.id}:opportunities"]
    sandbox.clear_requests()
    assert polling.run_poll(env, inst.id, "opportunities") == 0  # idle
    assert len(sandbox.requests(path_contains=QUERIES)) == 1

    company = sandbox.ids("Companies")[1]
    existing = sandbox.ids("Opportunities")[0]
    created = sandbox.call("POST", "Opportunities", json=opportunity(company, title="New deal"))
    assert created.status_code == 200, created.text
    new_id = created.json()["itemId"]
    updated = sandbox.call("PATCH", "Opportunities", json={"id": existing, "title": "Renamed"})
    assert updated.status_code == 200, updated.text

    sandbox.clear_requests()
    assert polling.run_poll(env, inst.id, "opportunities") == 2
    assert len(sandbox.requests(path_contains=QUERIES)) == 1  # ceil(2 / 500)
    assert pipeline.run_render(env, inst.id) == 2
    assert len(sandbox.requests(path_contains=QUERIES)) == 1  # no read-back: records came along
    events = events_of(env, inst.id)
    assert [(e["objectId"], e["eventType"], e["source"]) for e in events] == [
        (str(new_id), "CREATED", "polling"),
        (str(existing), "UPDATED", "polling"),
    ]  # in change order
    assert events[0]["objectType"] == "opportunities"
    assert events[1]["raw"]["title"] == "Renamed"
    assert events[1]["eventDate"] == sandbox.record("Opportunities", existing)["lastActivity"]

    # the overlap finds both again: suppressed, and still one call
    sandbox.clear_requests()
    assert polling.run_poll(env, inst.id, "opportunities") == 0
    assert len(sandbox.requests(path_contains=QUERIES)) == 1
    # the event status says how and when it polled, and how far
    answer = client.get(f"{BASE}/instances/{inst.id}/events/status", headers=inst.headers)
    shown = answer.get_json()["resources"]["opportunities"]
    assert shown["mode"] == "polling" and shown["lastPollChanges"] == 0
    assert shown["cursor"] == sandbox.record("Opportunities", existing)["lastActivity"]


def test_a_poll_that_dies_before_its_watermark_moved_repeats_the_same_event_ids(
    events_instance, sandbox
):
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    marks = Watermarks(env.redis, env.keys)
    existing = sandbox.ids("Opportunities")[:2]
    for number, opportunity_id in enumerate(existing):
        answer = sandbox.call(
            "PATCH", "Opportunities", json={"id": opportunity_id, "title": f"T{number}"}
        )
        assert answer.status_code == 200, answer.text
    before = marks.get(inst.id, "opportunities")
    assert polling.run_poll(env, inst.id, "opportunities") == 2
    pipeline.run_render(env, inst.id)
    first = [e["eventId"] for e in events_of(env, inst.id)]
    # the worker died after submit, before the watermark was written
    marks.put(inst.id, "opportunities", before["watermark"], before["edge"])
    assert polling.run_poll(env, inst.id, "opportunities") == 2
    assert pipeline.run_render(env, inst.id) == 0  # the same eventIds, logged once
    assert [e["eventId"] for e in events_of(env, inst.id)] == first and len(first) == 2


def test_a_poll_pages_by_500_rows(make_sandbox, events_instance):
    box = make_sandbox(seed_counts={"Opportunities": 1001})
    inst = events_instance(box=box, **{"event.objects": "opportunities"})
    instance_id, env = inst.id, inst.env
    marks = Watermarks(env.redis, env.keys)
    marks.put(instance_id, "opportunities", "2000-01-01T00:00:00.000Z", {})  # all changed since
    total = box.count("Opportunities")
    assert total > 1000
    box.clear_requests()
    assert polling.run_poll(env, instance_id, "opportunities") == total
    assert len(box.requests(path_contains=QUERIES)) == -(-total // 500)  # ceil(N / 500)


def test_schedules_follow_the_instance_events(events_instance, client):
    inst = events_instance(**{"event.objects": "opportunities,accounts"})
    env = inst.env
    assert sorted(schedule_names(env, inst.id)) == [
        f"events-poll:{inst.id}:accounts",
        f"events-poll:{inst.id}:opportunities",
    ]
    names = Schedules(env.jobs, env.redis).names()
    assert f"events-deleted-tickets:{inst.id}" in names
    assert f"events-reconcile:{inst.id}" in names
    url = f"{BASE}/instances/{inst.id}"
    narrowed = client.patch(
        url, json={"configuration": {"event.objects": "opportunities"}}, headers=inst.headers
    )
    assert narrowed.status_code == 200, narrowed.get_data(as_text=True)
    assert schedule_names(env, inst.id) == [f"events-poll:{inst.id}:opportunities"]
    assert Watermarks(env.redis, env.keys).get(inst.id, "accounts") is None
    off = client.patch(
        url, json={"configuration": {"event.notification.enabled": "false"}}, headers=inst.headers
    )
    assert off.status_code == 200, off.get_data(as_text=True)
    assert schedule_names(env, inst.id) == []
    assert f"events-deleted-tickets:{inst.id}" not in Schedules(env.jobs, env.redis).names()
    on = client.patch(
        url, json={"configuration": {"event.notification.enabled": "true"}}, headers=inst.headers
    )
    assert on.status_code == 200, on.get_data(as_text=True)
    assert schedule_names(env, inst.id) == [f"events-poll:{inst.id}:opportunities"]
    assert client.delete(url, headers=inst.headers).status_code == 200
    assert schedule_names(env, inst.id) == []
    assert Watermarks(env.redis, env.keys).get(inst.id, "opportunities") is None
    assert f"events-deleted-tickets:{inst.id}" not in Schedules(env.jobs, env.redis).names()


def test_a_bad_poller_configuration_is_a_400_and_nothing_is_stored(
    app, client, tenant, polling_body
):
    env = EventsEnv.of_app(app)
    before = Schedules(env.jobs, env.redis).names()
    for bad in (
        "not json",
        json.dumps({"opportunities": {"url": "/hubs/crm/opportunities?where=x > 1"}}),
        json.dumps({"opportunities": {"datesConfiguration": {"updatedDateField": "nope"}}}),
        json.dumps({"tickets": {}}),
    ):
        body = polling_body(**{"event.objects": "opportunities", "event.poller.configuration": bad})
        answer = client.post(f"{BASE}/instances", json=body, headers=tenant.headers())
        assert answer.status_code == 400, bad
        assert "event.poller.configuration" in answer.get_data(as_text=True)
    assert client.get(f"{BASE}/instances", headers=tenant.headers()).get_json() == []
    assert Schedules(env.jobs, env.redis).names() == before


def test_the_reconcile_interval_boundary_through_the_api(client, tenant, sandbox):
    def create(minutes: str):
        body = instance_body(sandbox, configuration={"event.poller.reconcile_interval": minutes})
        return client.post(f"{BASE}/instances", json=body, headers=tenant.headers())

    assert create("43200").status_code == 200
    assert create("60").status_code == 200
    for refused in ("43200.001", "59.9"):
        answer = create(refused)
        assert answer.status_code == 400
        text = answer.get_data(as_text=True)
        assert "event.poller.reconcile_interval" in text and "60 to 43200" in text
