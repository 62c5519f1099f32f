"""Checklist "Webhooks" (reference section 9): CRUD, the Fields picklist, signed callouts,
retries, the error log and deactivation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
import requests

from tests.sandbox.refusals import refusal_text

API_USER = 29682880
FAST = {"webhook_poll_interval": 0.02, "webhook_retry_delay": 0.05, "webhook_timeout": 2}


@pytest.fixture
def box(make_sandbox):
    return make_sandbox(**FAST)


def make_webhook(box, receiver, kind="Company", fields=(7,), **flags):
    body = {
        "IsActive": True,
        "DeactivationUrl": f"{receiver.url}/deactivated",
        "IsSubscribedToUpdateEvents": True,
        "Name": f"{kind} webhook",
        "SecretKey": "enkmoj676nwh8",
        "SendThresholdExceededNotification": False,
        "WebhookUrl": f"{receiver.url}/hook",
        **flags,
    }
    hook_id = box.call("POST", f"{kind}Webhooks", json=body).json()["itemId"]
    for field_id in fields:
        answer = box.call(
            "POST",
            f"{kind}Webhooks/{hook_id}/Fields",
            json={
                "FieldID": field_id,
                "IsDisplayAlwaysField": False,
                "IsSubscribedField": True,
                "WebhookID": hook_id,
            },
        )
        assert answer.status_code == 200, answer.text
    return hook_id


def outbox(box) -> list[dict]:
    """The callouts queued so far (`/_sandbox/webhooks/events`): a write queues its callouts
    in its own transaction, so once the write has answered, a callout not here is never sent."""
    answer = requests.get(f"{box.url}/_sandbox/webhooks/events", timeout=30)
    return answer.json()["events"]


def expected_signature(body: bytes) -> str:
    digest = hmac.new(b"enkmoj676nwh8", body, hashlib.sha1).digest()
    return "sha1=" + base64.b64encode(digest).decode()


def test_a_webhook_is_created_with_a_guid_and_owner_and_is_ready_once_a_field_subscribes(
    box, webhook_receiver
):
    hook_id = make_webhook(box, webhook_receiver, fields=())
    before = box.call("GET", f"CompanyWebhooks/{hook_id}").json()["item"]
    box.call(
        "POST",
        f"CompanyWebhooks/{hook_id}/Fields",
        json={"fieldID": 7, "isSubscribedField": True, "webhookID": hook_id},
    )
    after = box.record("CompanyWebhooks", hook_id)
    assert before["webhookGUID"] and before["ownerResourceID"] == API_USER
    assert (before["isReady"], after["isReady"]) == (False, True)


def test_the_fields_picklist_maps_field_ids_to_field_names(box):
    fields = box.call("GET", "CompanyWebhookFields/entityInformation/fields").json()["fields"]
    values = next(f for f in fields if f["name"] == "fieldID")["picklistValues"]
    labels = {v["value"]: v["label"] for v in values}
    assert (labels["7"], labels["24"]) == ("companyName", "companyType")


def test_a_field_subscribes_once_per_webhook(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver)
    path = f"CompanyWebhooks/{hook_id}/Fields"
    assert refusal_text(box, "POST", path, {"fieldID": 7, "isSubscribedField": True}) == (
        f"A CompanyWebhookField already exists with fieldID [7] for webhook [{hook_id}]."
    )


def test_an_update_of_a_subscribed_field_sends_a_signed_callout(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver)
    guid = box.record("CompanyWebhooks", hook_id)["webhookGUID"]
    company_id = box.ids("Companies")[1]
    box.call("PATCH", "Companies", json={"id": company_id, "companyName": "Renamed"})
    (call,) = webhook_receiver.wait_for(1)
    payload = json.loads(call["body"])
    assert call["headers"]["X-Hook-Signature"] == expected_signature(call["body"])
    assert call["headers"]["Content-Type"] == "application/json"
    assert {
        k: payload[k]
        for k in ("Action", "Guid", "EntityType", "Id", "Fields", "SequenceNumber", "PersonID")
    } == {
        "Action": "Update",
        "Guid": guid,
        "EntityType": "Account",
        "Id": company_id,
        "Fields": {"CompanyName": "Renamed"},
        "SequenceNumber": 1,
        "PersonID": API_USER,
    }


def test_the_body_is_escaped_dotnet_style_and_signed_over_those_bytes(box, webhook_receiver):
    make_webhook(box, webhook_receiver)
    box.call(
        "PATCH",
        "Companies",
        json={"id": box.ids("Companies")[1], "companyName": 'A&B <Zoë\'s> "+"'},
    )
    (call,) = webhook_receiver.wait_for(1)
    assert (
        b'"CompanyName":"A\\u0026B \\u003CZo\\u00EB\\u0027s\\u003E \\u0022\\u002B\\u0022"'
        in call["body"]
    )
    assert call["headers"]["X-Hook-Signature"] == expected_signature(call["body"])
    assert json.loads(call["body"])["Fields"]["CompanyName"] == 'A&B <Zoë\'s> "+"'


def test_a_change_to_an_unsubscribed_field_sends_nothing(box, webhook_receiver):
    make_webhook(box, webhook_receiver)
    answer = box.call("PATCH", "Companies", json={"id": box.ids("Companies")[1], "city": "X"})
    assert answer.status_code == 200, answer.text
    assert outbox(box) == [] and webhook_receiver.calls == []


def test_display_always_fields_ride_along(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver)
    box.call(
        "POST",
        f"CompanyWebhooks/{hook_id}/Fields",
        json={"fieldID": 24, "isDisplayAlwaysField": True, "isSubscribedField": False},
    )
    company_id = box.ids("Companies")[1]
    box.call("PATCH", "Companies", json={"id": company_id, "companyName": "Renamed"})
    (call,) = webhook_receiver.wait_for(1)
    fields = json.loads(call["body"])["Fields"]
    assert fields == {
        "CompanyName": "Renamed",
        "CompanyType": str(box.record("Companies", company_id)["companyType"]),
    }


def test_create_and_delete_events_of_contacts(box, webhook_receiver):
    make_webhook(
        box,
        webhook_receiver,
        kind="Contact",
        fields=(),
        IsSubscribedToCreateEvents=True,
        IsSubscribedToDeleteEvents=True,
    )
    hook_id = box.ids("ContactWebhooks")[0]
    fields = box.call("GET", "ContactWebhookFields/entityInformation/fields").json()["fields"]
    choices = next(f for f in fields if f["name"] == "fieldID")["picklistValues"]
    first_name = next(int(v["value"]) for v in choices if v["label"] == "firstName")
    box.call(
        "POST",
        f"ContactWebhooks/{hook_id}/Fields",
        json={"fieldID": first_name, "isSubscribedField": True},
    )
    company_id = box.ids("Companies")[1]
    contact_id = box.call(
        "POST",
        f"Companies/{company_id}/Contacts",
        json={"firstName": "Ada", "lastName": "L", "isActive": 1},
    ).json()["itemId"]
    box.call("DELETE", f"Companies/{company_id}/Contacts/{contact_id}")
    calls = webhook_receiver.wait_for(2)
    payloads = [json.loads(c["body"]) for c in calls]
    assert [(p["Action"], p["EntityType"], p["Id"]) for p in payloads] == [
        ("Create", "Contact", contact_id),
        ("Delete", "Contact", contact_id),
    ]
    assert payloads[0]["Fields"] == {"FirstName": "Ada"} and payloads[1]["Fields"] == {}


def test_changes_by_an_excluded_resource_send_nothing(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver)
    box.call("POST", f"CompanyWebhooks/{hook_id}/ExcludedResources", json={"resourceID": API_USER})
    answer = box.call(
        "PATCH", "Companies", json={"id": box.ids("Companies")[1], "companyName": "X"}
    )
    assert answer.status_code == 200, answer.text
    assert outbox(box) == [] and webhook_receiver.calls == []


def test_ticket_webhooks_report_tickets(box, webhook_receiver):
    make_webhook(box, webhook_receiver, kind="Ticket", fields=(1,), IsSubscribedToCreateEvents=True)
    ticket_id = box.call(
        "POST",
        "Tickets",
        json={
            "companyID": box.ids("Companies")[1],
            "title": "T",
            "status": 1,
            "priority": 2,
            "queueID": 29683482,
        },
    ).json()["itemId"]
    (call,) = webhook_receiver.wait_for(1)
    payload = json.loads(call["body"])
    assert (payload["EntityType"], payload["Id"], payload["Fields"]) == (
        "Ticket",
        ticket_id,
        {"Status": "1"},
    )


def test_a_failing_endpoint_is_retried_then_logged(make_sandbox, webhook_receiver):
    box = make_sandbox(**FAST, webhook_max_attempts=3)
    make_webhook(box, webhook_receiver)
    webhook_receiver.status = 500
    box.call("PATCH", "Companies", json={"id": box.ids("Companies")[1], "companyName": "X"})
    calls = webhook_receiver.wait_for(3)
    deadline = time.monotonic() + 5  # the third failure ends the event: no fourth attempt
    while outbox(box)[0]["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.02)
    (event,) = outbox(box)
    assert (event["status"], event["attempts"]) == ("failed", 3)
    logs = box.call(
        "POST", "WebhookEventErrorLogs/query", json={"filter": [{"op": "exist", "field": "id"}]}
    ).json()["items"]
    assert len(webhook_receiver.calls) == 3 and len({c["body"] for c in calls}) == 1
    assert len(logs) == 1 and logs[0]["errorMessage"] == "HTTP 500"
    assert json.loads(logs[0]["payload"])["Fields"] == {"CompanyName": "X"}


def test_repeated_failures_deactivate_the_webhook_and_call_its_deactivation_url(
    make_sandbox, webhook_receiver
):
    box = make_sandbox(**FAST, webhook_max_attempts=2, webhook_failure_limit=2)
    hook_id = make_webhook(box, webhook_receiver)
    webhook_receiver.status = 503
    box.call("PATCH", "Companies", json={"id": box.ids("Companies")[1], "companyName": "X"})
    (deactivated,) = webhook_receiver.wait_for(1, path="/deactivated")
    assert json.loads(deactivated["body"])["Action"] == "Deactivated"
    assert box.record("CompanyWebhooks", hook_id)["isActive"] is False


def test_deleting_a_webhook_deletes_its_fields(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver)
    deleted = box.call("DELETE", f"CompanyWebhooks/{hook_id}")
    again = box.call("DELETE", f"CompanyWebhooks/{hook_id}")
    assert deleted.json() == {"itemId": hook_id}
    assert box.count("CompanyWebhookFields") == 0
    assert again.json() == {"errors": ["No matching records found"]}


def test_a_webhook_patched_inactive_sends_nothing(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver)
    patched = box.call("PATCH", "CompanyWebhooks", json={"id": hook_id, "isActive": False})
    answer = box.call(
        "PATCH", "Companies", json={"id": box.ids("Companies")[1], "companyName": "X"}
    )
    assert patched.json() == {"itemId": hook_id} and answer.status_code == 200
    assert outbox(box) == [] and webhook_receiver.calls == []


def field_id(box, kind: str, name: str) -> int:
    """The webhook field id of `name`, from the {kind}WebhookFields fieldID picklist."""
    fields = box.call("GET", f"{kind}WebhookFields/entityInformation/fields").json()["fields"]
    choices = next(f for f in fields if f["name"] == "fieldID")["picklistValues"]
    return next(int(v["value"]) for v in choices if v["label"] == name)


def test_ticket_note_webhooks_report_ticket_notes(box, webhook_receiver):
    title = field_id(box, "TicketNote", "title")
    hook_id = make_webhook(
        box, webhook_receiver, kind="TicketNote", fields=(title,), IsSubscribedToCreateEvents=True
    )
    ticket_id = box.ids("Tickets")[0]
    note_id = box.call(
        "POST",
        f"Tickets/{ticket_id}/Notes",
        json={"title": "Called", "description": "Left a message", "noteType": 1, "publish": 1},
    ).json()["itemId"]
    (call,) = webhook_receiver.wait_for(1)
    payload = json.loads(call["body"])
    assert box.call("GET", "TicketNotes/entityInformation").json()["info"][
        "supportsWebhookCallouts"
    ]
    assert (payload["Guid"], payload["EntityType"], payload["Id"], payload["Fields"]) == (
        box.record("TicketNoteWebhooks", hook_id)["webhookGUID"],
        "TicketNote",
        note_id,
        {"Title": "Called"},
    )


def test_changes_by_a_resource_excluded_from_a_ticket_note_webhook_send_nothing(
    box, webhook_receiver
):
    hook_id = make_webhook(
        box,
        webhook_receiver,
        kind="TicketNote",
        fields=(field_id(box, "TicketNote", "title"),),
        IsSubscribedToCreateEvents=True,
    )
    excluded = box.call(
        "POST", f"TicketNoteWebhooks/{hook_id}/ExcludedResources", json={"resourceID": API_USER}
    )
    box.call(
        "POST",
        f"Tickets/{box.ids('Tickets')[0]}/Notes",
        json={"title": "Called", "description": "Left a message", "noteType": 1, "publish": 1},
    )
    assert excluded.status_code == 200
    assert outbox(box) == [] and webhook_receiver.calls == []
    assert box.count("TicketNoteWebhookExcludedResources", webhookID=hook_id) == 1


def test_ticket_note_webhooks_have_no_udf_fields(box, webhook_receiver):
    hook_id = make_webhook(box, webhook_receiver, kind="TicketNote", fields=())
    answer = box.call("GET", f"TicketNoteWebhooks/{hook_id}/UdfFields")
    assert answer.status_code == 404 and box.catalog.entity("TicketNoteWebhookUdfFields") is None


def test_a_failed_ticket_note_callout_is_logged_under_its_webhook(make_sandbox, webhook_receiver):
    box = make_sandbox(**FAST, webhook_max_attempts=1)
    hook_id = make_webhook(
        box,
        webhook_receiver,
        kind="TicketNote",
        fields=(field_id(box, "TicketNote", "title"),),
        IsSubscribedToCreateEvents=True,
    )
    webhook_receiver.status = 500
    box.call(
        "POST",
        f"Tickets/{box.ids('Tickets')[0]}/Notes",
        json={"title": "Called", "description": "Left a message", "noteType": 1, "publish": 1},
    )
    webhook_receiver.wait_for(1)
    deadline = time.monotonic() + 5
    while not box.count("WebhookEventErrorLogs") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert box.count("WebhookEventErrorLogs", ticketNoteWebhookID=hook_id) == 1
