"""Callouts from the sandbox's own webhooks, for changes another integration makes through
the sandbox's REST API, reach POST /events/autotaskcrm/{hookId} and become the right Changes;
a forged or missing signature, a replay, malformed JSON or an unknown hook: a clear error
and nothing stored."""

from __future__ import annotations

import importlib
import json
import time

import pytest
import requests

from connector.events.env import EventsEnv
from connector.events.setup import DRAIN_JOB
from connector.events.webhooks.drain import drain_into_pipeline, drain_job
from connector.events.webhooks.intake import CalloutIntake
from connector.events.webhooks.registration import Registrar
from connector.events.webhooks.signature import sign
from connector.events.webhooks.store import HookStore
from tests.fixtures.hub import BASE

WATCHED = ["accounts", "contacts", "opportunities", "incidents"]


@pytest.fixture
def hooked(box, make_instance, env):
    """An instance with its webhooks registered: (instance id, hook id, secret)."""
    instance, _ = make_instance(box)
    Registrar(env).register(env.instances.get(instance["id"]), WATCHED)
    hook_id, secret = HookStore(env).hook_of(instance["id"])
    return instance["id"], hook_id, secret


def stream_length(env) -> int:
    return env.redis.xlen(env.keys.webhook_callouts())


def summary(changes) -> list[tuple]:
    return [(c.resource, c.entity, c.object_id, c.event_type, c.source) for c in changes]


def test_changes_made_through_the_rest_api_become_changes(box, hooked, collector):
    instance_id, _, _ = hooked
    company = box.ids("Companies")[0]
    ticket = box.ids("Tickets")[0]
    box.call("PATCH", "Companies", json={"id": company, "phone": "555-0100"})
    contact = box.call(
        "POST",
        f"Companies/{company}/Contacts",
        json={"companyID": company, "firstName": "Ada", "lastName": "Lovelace", "isActive": 1},
    ).json()["itemId"]
    box.call("PATCH", "Tickets", json={"id": ticket, "title": "Printer on fire"})
    changes = collector.until(lambda found: len(found) >= 3)
    assert sorted(summary(changes)) == sorted(
        [
            ("accounts", "Companies", company, "UPDATED", "webhook"),
            ("contacts", "Contacts", contact, "CREATED", "webhook"),
            ("incidents", "Tickets", ticket, "UPDATED", "webhook"),
        ]
    )
    guids = {c.entity: row["webhookGUID"] for c in changes for row in _hooks(box, c.entity)}
    for change in changes:
        assert change.instance_id == instance_id and change.record is None
        assert change.version.startswith(guids[change.entity] + ":")
        assert change.changed_at.endswith("Z")


def test_the_drain_hands_callouts_to_the_events_pipeline(box, hooked, env, app):
    instance_id, _, _ = hooked
    company = box.ids("Companies")[0]
    box.call("PATCH", "Companies", json={"id": company, "phone": "555-0101"})
    deadline = time.monotonic() + 20
    while stream_length(env) == 0:  # the sandbox's callout, accepted by the intake
        assert time.monotonic() < deadline, "no callout reached the intake"
        time.sleep(0.05)
    events = EventsEnv.of_app(app)
    intake = events.keys.events_intake(instance_id)
    before = env.redis.xlen(intake)
    assert drain_into_pipeline(env, events) >= 1
    assert stream_length(env) == 0  # taken, acknowledged and deleted
    submitted = [
        json.loads(f["change"] if "change" in f else f[b"change"])
        for _, f in env.redis.xrange(intake)
    ][before:]
    assert any(
        str(company) in json.dumps(row) and "Companies" in json.dumps(row) for row in submitted
    ), submitted
    assert instance_id in {int(i) for i in env.redis.smembers(events.keys.events_intake_active())}
    module, _, name = DRAIN_JOB.rpartition(".")  # the schedule names the job that does this
    assert getattr(importlib.import_module(module), name) is drain_job


def _hooks(box, entity: str) -> list[dict]:
    name = {"Companies": "Company", "Contacts": "Contact", "Tickets": "Ticket"}[entity]
    query = {"filter": [{"op": "gte", "field": "id", "value": 0}]}
    return box.call("POST", f"{name}Webhooks/query", json=query).json()["items"]


def test_deletions_through_webhooks_are_deleted_changes(box, hooked, collector):
    contact = box.record("Contacts", box.ids("Contacts")[0])
    company = contact["companyID"]
    ticket = box.ids("Tickets")[0]
    assert box.call("DELETE", f"Companies/{company}/Contacts/{contact['id']}").status_code == 200
    ui = requests.delete(f"{box.url}/_sandbox/records/Tickets/{ticket}", timeout=30)
    assert ui.status_code == 200, ui.text
    changes = collector.until(lambda found: len(found) >= 2)
    assert sorted(summary(changes)) == sorted(
        [
            ("contacts", "Contacts", contact["id"], "DELETED", "webhook"),
            ("incidents", "Tickets", ticket, "DELETED", "webhook"),
        ]
    )


def test_successive_changes_of_one_record_keep_their_order(box, hooked, collector):
    ticket = box.ids("Tickets")[0]

    def delivered() -> int:
        return sum(1 for e in box.webhook_events() if e["status"] == "delivered")

    for n in range(3):
        box.call("PATCH", "Tickets", json={"id": ticket, "title": f"Step {n}"})
        # each callout goes out before the next change, so none is merged into another
        collector.until(lambda _found, n=n: delivered() > n, timeout=10)
    changes = collector.until(lambda found: len(found) >= 3)
    sequences = [int(c.version.rsplit(":", 1)[1]) for c in changes]
    assert len(changes) == 3 and sequences == sorted(sequences)
    assert len(set(sequences)) == 3


def post(live_server, hook_id: str, body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hook-Signature"] = signature
    return requests.post(
        f"{live_server.url}{BASE}/events/autotaskcrm/{hook_id}",
        data=body,
        headers=headers,
        timeout=30,
    )


def callout_body(guid: str = "d0046a73-76a0-41c4-a634-4b7fce7e43ec", sequence: int = 1) -> bytes:
    return json.dumps(
        {
            "Action": "Update",
            "Guid": guid,
            "EntityType": "Ticket",
            "Id": 7,
            "Fields": {},
            "EventTime": "2026-01-02T03:04:05Z",
            "SequenceNumber": sequence,
            "PersonID": 1,
        }
    ).encode()


@pytest.mark.parametrize(
    ("signature", "status", "message"),
    [
        pytest.param(None, 401, "X-Hook-Signature is missing", id="no signature header"),
        pytest.param("sha1=AAAA", 401, "not the body's signature", id="a forged signature"),
        pytest.param("wrong-key", 401, "not the body's signature", id="signed with another key"),
    ],
)
def test_a_callout_without_a_good_signature_is_refused_and_not_stored(
    hooked, live_server, env, signature, status, message
):
    _, hook_id, _ = hooked
    body = callout_body()
    if signature == "wrong-key":
        signature = sign("not-the-secret", body)
    answer = post(live_server, hook_id, body, signature)
    assert answer.status_code == status and message in answer.json()["message"]
    assert stream_length(env) == 0


def test_a_replayed_callout_is_answered_but_stored_once(hooked, live_server, env):
    _, hook_id, secret = hooked
    body = callout_body(sequence=41)
    first = post(live_server, hook_id, body, sign(secret, body))
    again = post(live_server, hook_id, body, sign(secret, body))
    assert (first.status_code, first.json()) == (200, {"status": "stored"})
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert stream_length(env) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b'{"Action": "Update", ', "not JSON", id="truncated JSON"),
        pytest.param(b"[1, 2]", "a JSON object", id="not an object"),
        pytest.param(
            b'{"Action": "Erase", "Guid": "g", "Id": 1, "SequenceNumber": 1}',
            "Action must be one of",
            id="an unknown action",
        ),
        pytest.param(
            b'{"Action": "Create", "Guid": "g", "Id": "7", "SequenceNumber": 1}',
            "Id must be a non-negative integer",
            id="an id that is not a number",
        ),
        pytest.param(
            b'{"Action": "Create", "Id": 7, "SequenceNumber": 1}', "Guid must be", id="no GUID"
        ),
    ],
)
def test_a_signed_body_that_is_no_callout_is_a_400_and_not_stored(
    hooked, live_server, env, body, message
):
    _, hook_id, secret = hooked
    answer = post(live_server, hook_id, body, sign(secret, body))
    assert answer.status_code == 400 and message in answer.json()["message"]
    assert stream_length(env) == 0


def test_an_unknown_hook_id_is_a_404_and_not_stored(hooked, live_server, env):
    _, _, secret = hooked
    body = callout_body()
    answer = post(live_server, "not-a-hook-we-issued", body, sign(secret, body))
    assert answer.status_code == 404 and "No such webhook hook" in answer.json()["message"]
    assert stream_length(env) == 0


def test_an_oversized_body_is_refused_unread(hooked, env):
    _, hook_id, secret = hooked
    body = b"{" + b" " * (300 * 1024) + b"}"
    with pytest.raises(Exception, match="bytes"):
        CalloutIntake(env).accept(hook_id, body, sign(secret, body))
    assert stream_length(env) == 0


def test_the_hook_id_stays_out_of_the_request_log(hooked, live_server, caplog):
    _, hook_id, secret = hooked
    body = callout_body(sequence=77)
    with caplog.at_level("INFO", logger="connector.requests"):
        answer = post(live_server, hook_id, body, sign(secret, body))
    lines = [r.getMessage() for r in caplog.records if r.name == "connector.requests"]
    assert answer.status_code == 200
    assert any("/events/autotaskcrm/{hookId} 200" in line for line in lines), lines
    assert not any(hook_id in line or secret in line for line in lines)


def test_another_tenants_callouts_naming_a_webhooks_guid_do_not_mark_it_seen(
    box, hooked, make_instance, env, live_server
):
    # A tenant can read its own webhooks' secret key in Autotask and sign callouts of its
    # own; naming another instance's webhook GUID must not make that one's callouts repeats
    victim_id, victim_hook, victim_secret = hooked
    guid = HookStore(env).webhooks(victim_id)["Tickets"]["guid"]
    hostile, _ = make_instance(box)
    Registrar(env).register(env.instances.get(hostile["id"]), WATCHED)
    hostile_hook, hostile_secret = HookStore(env).hook_of(hostile["id"])
    for sequence in (900, 901):
        forged = callout_body(guid=guid, sequence=sequence)
        answer = post(live_server, hostile_hook, forged, sign(hostile_secret, forged))
        assert answer.json() == {"status": "stored"}  # its own instance's change, if any
    genuine = callout_body(guid=guid, sequence=900)
    answer = post(live_server, victim_hook, genuine, sign(victim_secret, genuine))
    assert (answer.status_code, answer.json()) == (200, {"status": "stored"})


def test_a_hook_flooded_with_signed_callouts_is_refused_past_its_minute(
    hooked, live_server, env, monkeypatch
):
    from connector.events.webhooks import intake

    _, hook_id, secret = hooked
    monkeypatch.setattr(intake, "MAX_CALLOUTS_PER_MINUTE", 5, raising=False)
    # a minute's share from its start, so the window cannot turn during the test
    wait = 60 - time.time() % 60
    if wait < 5:
        time.sleep(wait + 0.1)
    answers = []
    for sequence in range(1000, 1008):
        body = callout_body(sequence=sequence)
        answers.append(post(live_server, hook_id, body, sign(secret, body)))
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    assert "callouts a minute" in answers[-1].json()["message"]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert stream_length(env) == 5  # nothing kept past the limit
    again = callout_body(sequence=1000)  # a repeat is still a repeat, not counted
    assert post(live_server, hook_id, again, sign(secret, again)).json() == {"status": "duplicate"}
