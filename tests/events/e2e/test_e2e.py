"""End to end, every part real: the connector served over HTTP on loopback (its public URL is
where the sandbox's webhooks call), the sandbox, two real job worker processes, and a callback
receiver on loopback. Changes are made through the sandbox's REST API, as another integration
would make them; the receiver gets them signed (Cloud Elements' signature and Standard
Webhooks'), normalized, in order, with the right eventType:

- a webhook instance: accounts, contacts and incidents through Autotask webhooks,
  opportunities by polling (Autotask has no opportunity webhooks), a contact deleted through
  the REST API and a ticket deleted in the UI as webhook Delete callouts;
- a polling instance on the same sandbox: the same ticket's deletion from DeletedTicketLogs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from tests.events.webhooks.conftest import FAST
from tests.fixtures.hub import BASE
from tests.fixtures.jobs import wait_for

OWNER = 29682881
KEYS = {"webhook": "e2e-signature-key-of-the-webhooks", "polling": "e2e-signature-key-of-polling"}


@pytest.fixture
def settings(settings):  # the webhook tests' (a public URL), with polls every 3 s
    return settings.with_overrides(events_min_poll_seconds=1.0)


def configuration(receiver, name: str, **extra: str) -> dict[str, str]:
    return {
        "event.notification.enabled": "true",
        "event.notification.callback.url": f"{receiver.url}/{name}",
        "event.notification.signature.key": KEYS[name],
        "event.poller.refresh_interval": "0.05",
        **extra,
    }


def verified_events(receiver, name: str) -> list[dict]:
    """The events the receiver got for one instance, once per eventId, in arrival order, every
    notification's two signatures checked over the exact bytes received."""
    seen, found = set(), []
    key = KEYS[name]
    for call in receiver.wait_for(0, path=f"/{name}"):
        body, headers = call["body"], call["headers"]
        digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
        assert (
            headers["Elements-Webhook-Signature"] == "sha256=" + base64.b64encode(digest).decode()
        )
        Webhook(key.encode()).verify(body, {k.lower(): v for k, v in headers.items()})
        for event in json.loads(body)["events"]:
            if event["eventId"] not in seen:
                seen.add(event["eventId"])
                found.append(event)
    return found


def of(events: list[dict], object_type: str, object_id: int) -> list[dict]:
    return [e for e in events if e["objectType"] == object_type and e["objectId"] == str(object_id)]


def ok(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_sandbox_changes_reach_the_callback_signed_normalized_and_in_order(
    make_sandbox, make_instance, live_server, job_workers, settings, webhook_receiver
):
    box = make_sandbox(**FAST)
    for _ in range(2):
        job_workers.start(settings, allowed_hosts=box.allowed_hosts)
    hooked, tenant = make_instance(
        box,
        configuration=configuration(
            webhook_receiver,
            "webhook",
            **{"event.objects": "accounts,contacts,incidents,opportunities"},
        ),
    )
    polled, other = make_instance(
        box,
        configuration=configuration(
            webhook_receiver,
            "polling",
            **{"event.vendor.type": "polling", "event.objects": "incidents"},
        ),
    )

    def status(instance, who) -> dict:
        url = f"{live_server.url}{BASE}/instances/{instance['id']}/events/status"
        return ok(requests.get(url, headers=who.headers(), timeout=30))["resources"]

    modes = wait_for(
        lambda: (
            (found := status(hooked, tenant))
            and all(found[r].get("mode") for r in found)
            and {r: found[r]["mode"] for r in found}
        ),
        what="the webhooks registered",
    )
    assert modes == {
        "accounts": "webhook",
        "contacts": "webhook",
        "incidents": "webhook",
        "opportunities": "polling",
    }
    assert status(polled, other)["incidents"]["mode"] == "polling"

    company = box.ids("Companies")[1]
    contacts = [box.record("Contacts", i) for i in box.ids("Contacts")[:2]]
    ticket = box.ids("Tickets")[0]
    ok(box.call("PATCH", "Companies", json={"id": company, "companyName": "Renamed Ltd"}))
    contact_path = f"Companies/{contacts[0]['companyID']}/Contacts"
    ok(box.call("PATCH", contact_path, json={"id": contacts[0]["id"], "lastName": "Lovelace"}))
    ok(box.call("PATCH", "Tickets", json={"id": ticket, "title": "First title"}))
    created = ok(
        box.call(
            "POST",
            "Opportunities",
            json={
                "title": "E2E deal",
                "companyID": company,
                "ownerResourceID": OWNER,
                "status": 1,
                "stage": 1,
                "probability": 10,
                "amount": 1000,
                "cost": 500,
                "projectedCloseDate": "2030-01-01",
                "startDate": "2029-01-01",
            },
        )
    )["itemId"]

    def arrived(wanted: list[tuple[str, int, str]]):
        events = verified_events(webhook_receiver, "webhook")
        got = {(e["objectType"], int(e["objectId"]), e["eventType"]) for e in events}
        return set(wanted) <= got and events

    events = wait_for(
        lambda: arrived(
            [
                ("accounts", company, "UPDATED"),
                ("contacts", contacts[0]["id"], "UPDATED"),
                ("incidents", ticket, "UPDATED"),
                ("opportunities", created, "CREATED"),
            ]
        ),
        what="the first changes at the callback",
        timeout=60,
    )
    account = of(events, "accounts", company)[0]
    assert account["source"] == "webhook" and account["record"]["name"] == "Renamed Ltd"
    assert account["raw"]["companyName"] == "Renamed Ltd"  # normalized beside Autotask's record
    assert of(events, "contacts", contacts[0]["id"])[0]["record"]["lastName"] == "Lovelace"
    assert of(events, "incidents", ticket)[0]["record"]["title"] == "First title"
    deal = of(events, "opportunities", created)[0]
    assert deal["source"] == "polling" and deal["record"]["name"] == "E2E deal"

    # the ticket once more, then deletions: a contact through the REST API, the ticket in the UI
    ok(box.call("PATCH", "Tickets", json={"id": ticket, "title": "Second title"}))
    wait_for(
        lambda: (
            [
                e["record"].get("title")
                for e in of(verified_events(webhook_receiver, "webhook"), "incidents", ticket)
            ]
            == ["First title", "Second title"]
        ),
        what="the second ticket change",
        timeout=60,
    )
    ok(box.call("DELETE", f"{contact_path}/{contacts[0]['id']}"))
    ok(requests.delete(f"{box.url}/_sandbox/records/Tickets/{ticket}", timeout=30))
    events = wait_for(
        lambda: arrived(
            [("contacts", contacts[0]["id"], "DELETED"), ("incidents", ticket, "DELETED")]
        ),
        what="the webhook deletions",
        timeout=60,
    )
    assert [e["eventType"] for e in of(events, "incidents", ticket)] == [
        "UPDATED",
        "UPDATED",
        "DELETED",
    ]  # in the order they happened
    assert [e["eventType"] for e in of(events, "contacts", contacts[0]["id"])] == [
        "UPDATED",
        "DELETED",
    ]
    assert {e["source"] for e in events if e["eventType"] == "DELETED"} == {"webhook"}
    assert not of(events, "contacts", contacts[1]["id"])  # untouched: nothing

    # the polling instance learns the deletion from DeletedTicketLogs
    deleted = wait_for(
        lambda: [
            e for e in verified_events(webhook_receiver, "polling") if e["eventType"] == "DELETED"
        ],
        what="the deletion from DeletedTicketLogs",
        timeout=60,
    )
    assert [(e["objectType"], e["objectId"], e["source"]) for e in deleted] == [
        ("incidents", str(ticket), "polling")
    ]
    assert deleted[0]["record"] == {"id": ticket}
