"""Tickets deleted in the Autotask UI (`DELETE /_sandbox/records/Tickets/{id}`) and the
DeletedTicketLogs entity that records them (events.md, "Deletions"): query-only, readable with
an admin-level Service Desk permission; the UI delete fires TicketWebhooks Delete callouts."""

from __future__ import annotations

import json

import pytest
import requests

from connector.sandbox.settings import DEFAULT_SECRET, DEFAULT_USERNAME
from tests.sandbox.refusals import refusal_text, refused
from tests.sandbox.test_webhooks import FAST, make_webhook, outbox

ALICE = 29682881  # the first staff resource: who deletes in the UI unless told otherwise
CARMEN = 29682883
TITLE = 4  # the webhook field id of a ticket's title
ALL = {"filter": [{"op": "exist", "field": "id"}]}
LIMITED = {"UserName": "limited@sandbox.local", "Secret": "limited-secret"}
NO_PERMISSION = (
    "The logged in Resource does not have the adequate permissions to {} this entity type."
)


def ui_delete(box, entity: str, record_id: int, **params):
    return requests.delete(
        f"{box.url}/_sandbox/records/{entity}/{record_id}", params=params, timeout=30
    )


@pytest.fixture
def box(make_sandbox):
    limited = {
        "username": LIMITED["UserName"],
        "secret": LIMITED["Secret"],
        "serviceDeskAdmin": False,
        "canCreateWebhooks": False,
    }
    default = {"username": DEFAULT_USERNAME, "secret": DEFAULT_SECRET}
    return make_sandbox(**FAST, api_users=[default, limited])


def test_a_ui_delete_removes_the_ticket_and_its_notes_and_logs_it(box):
    ticket = box.record("Tickets", box.ids("Tickets")[0])
    notes = box.count("TicketNotes", ticketID=ticket["id"])
    answer = ui_delete(box, "Tickets", ticket["id"])
    logs = box.call("POST", "DeletedTicketLogs/query", json=ALL).json()["items"]
    assert answer.json() == {"itemId": ticket["id"], "deletedByResourceID": ALICE}
    assert box.record("Tickets", ticket["id"]) is None and notes > 0
    assert box.count("TicketNotes", ticketID=ticket["id"]) == 0
    assert [{k: v for k, v in log.items() if k != "deletedDateTime"} for log in logs] == [
        {
            "id": 1,
            "deletedByResourceID": ALICE,
            "ticketID": ticket["id"],
            "ticketNumber": ticket["ticketNumber"],
            "ticketTitle": ticket["title"],
            "userDefinedFields": [],
        }
    ]
    assert logs[0]["deletedDateTime"] >= ticket["lastActivityDate"]
    assert box.call("POST", "DeletedTicketLogs/query/count", json=ALL).json() == {"queryCount": 1}


def test_the_deleting_resource_may_be_chosen_and_must_be_active(box):
    first, second = box.ids("Tickets")[:2]
    chosen = ui_delete(box, "Tickets", first, resourceID=CARMEN)
    unknown = ui_delete(box, "Tickets", second, resourceID=1)
    assert chosen.json()["deletedByResourceID"] == CARMEN
    assert unknown.status_code == 400 and box.record("Tickets", second) is not None
    assert box.count("DeletedTicketLogs", deletedByResourceID=CARMEN) == 1


def test_a_ui_delete_fires_ticket_webhook_delete_callouts(box, webhook_receiver):
    hook_id = make_webhook(
        box, webhook_receiver, kind="Ticket", fields=(TITLE,), IsSubscribedToDeleteEvents=True
    )
    ticket_id = box.ids("Tickets")[0]
    ui_delete(box, "Tickets", ticket_id)
    (call,) = webhook_receiver.wait_for(1)
    payload = json.loads(call["body"])
    assert (payload["Action"], payload["EntityType"], payload["Id"]) == (
        "Delete",
        "Ticket",
        ticket_id,
    )
    assert (payload["PersonID"], payload["Fields"]) == (ALICE, {})
    assert [(e["webhook_id"], e["action"]) for e in outbox(box)] == [(hook_id, "Delete")]


def test_a_webhook_not_subscribed_to_deletes_queues_nothing(box, webhook_receiver):
    make_webhook(box, webhook_receiver, kind="Ticket", fields=(TITLE,))  # updates only
    assert ui_delete(box, "Tickets", box.ids("Tickets")[0]).status_code == 200
    assert outbox(box) == [] and webhook_receiver.calls == []


def test_ids_of_deleted_tickets_are_not_given_again(box):
    deleted = max(box.ids("Tickets"))
    ui_delete(box, "Tickets", deleted)
    body = {"companyID": box.ids("Companies")[1], "title": "New", "status": 1, "priority": 2}
    created = box.call("POST", "Tickets", json={**body, "queueID": 29683482})
    assert created.json()["itemId"] > deleted


@pytest.mark.parametrize(
    ("entity", "record_id", "status"),
    [
        pytest.param("Companies", 0, 409, id="companies are deactivated, never deleted"),
        pytest.param("Tickets", 1, 404, id="a ticket that does not exist"),
        pytest.param("NoSuchEntity", 1, 404, id="an unknown entity"),
    ],
)
def test_what_the_ui_cannot_delete_is_refused_and_nothing_changes(box, entity, record_id, status):
    before = requests.get(f"{box.url}/_sandbox/counts", timeout=30).json()
    answer = ui_delete(box, entity, record_id)
    assert answer.status_code == status and answer.json()["error"]
    assert requests.get(f"{box.url}/_sandbox/counts", timeout=30).json() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "DeletedTicketLogs", id="create"),
        pytest.param("PATCH", "DeletedTicketLogs", id="update"),
        pytest.param("PUT", "DeletedTicketLogs", id="replace"),
        pytest.param("DELETE", "DeletedTicketLogs/1", id="delete"),
        pytest.param("DELETE", "Tickets/1", id="the API deletes no ticket"),
    ],
)
def test_deleted_ticket_logs_are_query_only(box, method, path):
    body = {"id": 1, "ticketID": 1, "ticketTitle": "x"}
    assert refused(box, method, path, body, status=405) == {
        "Message": f"The requested resource does not support http method '{method}'."
    }


def test_the_metadata_describes_a_query_only_entity(box):
    info = box.call("GET", "DeletedTicketLogs/entityInformation").json()["info"]
    fields = box.call("GET", "DeletedTicketLogs/entityInformation/fields").json()["fields"]
    assert (info["canQuery"], info["canCreate"], info["canUpdate"], info["canDelete"]) == (
        True,
        False,
        False,
        False,
    )
    assert sorted(f["name"] for f in fields) == sorted(
        ["id", "ticketID", "ticketNumber", "ticketTitle", "deletedByResourceID", "deletedDateTime"]
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "DeletedTicketLogs/query", id="query"),
        pytest.param("POST", "DeletedTicketLogs/query/count", id="count"),
        pytest.param("GET", "DeletedTicketLogs/1", id="get by id"),
    ],
)
def test_reading_the_log_needs_the_service_desk_admin_permission(box, method, path):
    ui_delete(box, "Tickets", box.ids("Tickets")[0])
    answer = box.call(method, path, json=ALL, headers=LIMITED)
    assert (answer.status_code, answer.json()) == (500, {"errors": [NO_PERMISSION.format("query")]})
    assert box.call(method, path, json=ALL).status_code == 200  # the default user has it


def test_creating_a_webhook_needs_the_can_create_webhooks_permission(box, webhook_receiver):
    body = {
        "isActive": True,
        "name": "Limited",
        "webhookUrl": f"{webhook_receiver.url}/hook",
        "deactivationUrl": f"{webhook_receiver.url}/deactivated",
    }
    error = refusal_text(box, "POST", "TicketWebhooks", body, headers=LIMITED)
    hook_id = make_webhook(box, webhook_receiver, kind="Ticket", fields=())
    field = {"fieldID": 4, "isSubscribedField": True}
    field_error = refusal_text(
        box, "POST", f"TicketWebhooks/{hook_id}/Fields", field, headers=LIMITED
    )
    assert error == field_error == NO_PERMISSION.format("create")
    assert box.call("POST", "TicketWebhooks/query", json=ALL, headers=LIMITED).status_code == 200
