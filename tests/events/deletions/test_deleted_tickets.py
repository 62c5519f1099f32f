"""Deleted incidents from DeletedTicketLogs (connector.events.deletions.deleted_tickets):
tickets deleted in the Autotask UI become DELETED changes; an idle poll is one call; an API
user without the admin-level Service Desk permission leaves incidents to the reconcile sweep,
and the status says why."""

from __future__ import annotations

import requests

from connector.events.deletions import status
from connector.events.deletions.deleted_tickets import DeletedTicketFeed
from connector.sandbox.settings import DEFAULT_SECRET, DEFAULT_USERNAME


def ui_delete(box, ticket_id: int) -> None:
    answer = requests.delete(f"{box.url}/_sandbox/records/Tickets/{ticket_id}", timeout=30)
    assert answer.status_code == 200, answer.text


def log_calls(box) -> int:
    return len(box.requests(path_contains="DeletedTicketLogs"))


def test_tickets_deleted_in_the_ui_become_deleted_changes(box, make_instance, env):
    instance, _ = make_instance(box)
    feed, found = DeletedTicketFeed(env), []
    assert feed.poll(env.instances.get(instance["id"]), found.extend) == 0  # learns "since"
    first, second = box.ids("Tickets")[:2]
    ui_delete(box, first)
    ui_delete(box, second)
    box.clear_requests()
    assert feed.poll(env.instances.get(instance["id"]), found.extend) == 2
    assert log_calls(box) == 1
    assert [(c.resource, c.entity, c.object_id, c.event_type, c.source) for c in found] == [
        ("incidents", "Tickets", first, "DELETED", "polling"),
        ("incidents", "Tickets", second, "DELETED", "polling"),
    ]
    assert [c.version for c in found] == ["DeletedTicketLogs:1", "DeletedTicketLogs:2"]
    assert all(c.record is None and c.changed_at for c in found)


def test_an_idle_poll_is_one_call_and_reports_nothing_twice(box, make_instance, env):
    instance, _ = make_instance(box)
    feed, found = DeletedTicketFeed(env), []
    feed.poll(env.instances.get(instance["id"]), found.extend)
    ui_delete(box, box.ids("Tickets")[0])
    feed.poll(env.instances.get(instance["id"]), found.extend)
    box.clear_requests()
    assert feed.poll(env.instances.get(instance["id"]), found.extend) == 0
    assert log_calls(box) == 1 and len(found) == 1


def test_without_the_admin_permission_incidents_go_to_the_reconcile(
    make_sandbox, make_instance, env
):
    user = {"username": DEFAULT_USERNAME, "secret": DEFAULT_SECRET, "serviceDeskAdmin": False}
    box = make_sandbox(api_users=[user])
    instance, _ = make_instance(box)
    assert status(env, instance["id"])["incidents"]["deletions"] == "DeletedTicketLogs"
    found = []
    assert DeletedTicketFeed(env).poll(env.instances.get(instance["id"]), found.extend) == 0
    incidents = status(env, instance["id"])["incidents"]
    assert incidents["deletions"] == "reconcile" and found == []
    assert "does not have the adequate permissions" in incidents["deletionsReason"]
    assert "Service Desk permission" in incidents["deletionsReason"]
    box.clear_requests()
    DeletedTicketFeed(env).poll(env.instances.get(instance["id"]), found.extend)
    assert log_calls(box) == 0  # refused once: not asked again
