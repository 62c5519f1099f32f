"""The event log API over HTTP: pages newest first, catch-up by cursor, filters, one event
with its attempts, a retry, the status, resuming parked deliveries; others' events are 404."""

from __future__ import annotations

import pytest

from connector.events import delivery, pipeline
from tests.events.conftest import (
    events_instance,  # noqa: F401 - the fixture
    polling_body,  # noqa: F401 - the body events_instance posts
    settings,  # noqa: F401 - loopback callbacks allowed
)
from tests.events.test_pipeline import change
from tests.fixtures.hub import BASE


@pytest.fixture
def logged(events_instance, sandbox, webhook_receiver):  # noqa: F811
    inst = events_instance()
    ids = sandbox.ids("Companies")[:5]
    pipeline.submit(inst.env, [change(inst.id, i, "v1") for i in ids[:3]])
    pipeline.submit(
        inst.env,
        [
            change(inst.id, i, "v1", resource="contacts", entity="Contacts")
            for i in sandbox.ids("Contacts")[:2]
        ],
    )
    pipeline.run_render(inst.env, inst.id)
    return inst


def test_pages_newest_first_then_catch_up_in_order(client, logged):
    url = f"{BASE}/instances/{logged.id}/events"
    first = client.get(url, query_string={"pageSize": 2}, headers=logged.headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    token = first.headers["Elements-Next-Page-Token"]
    rest = client.get(url, query_string={"pageSize": 10, "nextPage": token}, headers=logged.headers)
    newest_first = first.get_json() + rest.get_json()
    assert "Elements-Next-Page-Token" not in rest.headers
    assert len(newest_first) == 5
    cursors = [e["cursor"] for e in newest_first]
    assert cursors == sorted(cursors, key=lambda c: tuple(map(int, c.split("-"))), reverse=True)
    # a client that saw up to the oldest catches up from there, oldest first
    oldest = newest_first[-1]["cursor"]
    caught = client.get(url, query_string={"after": oldest}, headers=logged.headers).get_json()
    assert [e["cursor"] for e in caught] == list(reversed(cursors[:-1]))
    contacts = client.get(url, query_string={"objectType": "contacts"}, headers=logged.headers)
    assert [e["objectType"] for e in contacts.get_json()] == ["contacts", "contacts"]
    new = client.get(url, query_string={"status": "NEW"}, headers=logged.headers).get_json()
    assert len(new) == 5 and {e["status"] for e in new} == {"NEW"}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        pytest.param({"pageSize": 0}, "pageSize", id="a page size of 0"),
        pytest.param({"pageSize": 501}, "pageSize", id="a page size over 500"),
        pytest.param({"status": "LOST"}, "status", id="an unknown status"),
        pytest.param({"after": "yesterday"}, "after", id="a cursor that is none"),
        pytest.param({"nextPage": "x" * 40}, "nextPage", id="a forged page token"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, logged, params, name):
    answer = client.get(
        f"{BASE}/instances/{logged.id}/events", query_string=params, headers=logged.headers
    )
    assert answer.status_code == 400 and name in answer.get_json()["message"]


def test_one_event_its_attempts_and_a_retry(client, logged, webhook_receiver):
    delivery.run_delivery(logged.env, logged.id)
    [event] = client.get(
        f"{BASE}/instances/{logged.id}/events", query_string={"pageSize": 1}, headers=logged.headers
    ).get_json()
    shown = client.get(f"{BASE}/instances/events/{event['eventId']}", headers=logged.headers)
    assert shown.status_code == 200
    body = shown.get_json()
    assert body["status"] == "DELIVERED" and body["attempts"][0]["statusCode"] == 200
    assert body["record"]["id"] == int(event["objectId"])
    again = client.post(
        f"{BASE}/instances/events/{event['eventId']}/retries", headers=logged.headers
    )
    assert again.status_code == 202 and again.get_json()["retry"] == "redelivery"
    sent = len(webhook_receiver.calls)
    delivery.run_redelivery(logged.env, logged.id, event["eventId"])  # the queued job's work
    assert len(webhook_receiver.calls) == sent + 1
    after = client.get(f"{BASE}/instances/events/{event['eventId']}", headers=logged.headers)
    assert len(after.get_json()["attempts"]) == 2


def test_another_organizations_event_and_instance_are_404(client, logged, make_tenant):
    stranger = make_tenant("Stranger corp")
    [event] = client.get(
        f"{BASE}/instances/{logged.id}/events", query_string={"pageSize": 1}, headers=logged.headers
    ).get_json()
    assert (
        client.get(
            f"{BASE}/instances/events/{event['eventId']}", headers=stranger.headers()
        ).status_code
        == 404
    )
    assert (
        client.get(f"{BASE}/instances/{logged.id}/events", headers=stranger.headers()).status_code
        == 404
    )
    assert (
        client.get(f"{BASE}/instances/events/not-an-id", headers=logged.headers).status_code == 404
    )


def test_status_shows_parked_deliveries_and_a_put_resumes_them(client, logged, webhook_receiver):
    webhook_receiver.status = 503
    env = logged.env
    delivery.run_delivery(env, logged.id)
    env.redis.hset(env.keys.events_delivery(logged.id), mapping={"failingSince": 1, "nextAt": 0})
    delivery.run_delivery(env, logged.id)  # past the retry window: parked
    status = client.get(f"{BASE}/instances/{logged.id}/events/status", headers=logged.headers)
    assert status.status_code == 200
    body = status.get_json()
    assert body["delivery"]["parked"] is True and body["delivery"]["parkedCount"] == 5
    assert body["enabled"] is True and set(body["resources"]) == set(body["objects"])
    assert body["log"]["events"] == 5
    webhook_receiver.status = 200
    resumed = client.put(f"{BASE}/instances/{logged.id}/events/deliveries", headers=logged.headers)
    assert resumed.status_code == 200 and resumed.get_json()["delivery"]["parked"] is False
    assert delivery.run_delivery(env, logged.id) == 5
    status = client.get(f"{BASE}/instances/{logged.id}/events/status", headers=logged.headers)
    assert status.get_json()["delivery"]["pending"] == 0
