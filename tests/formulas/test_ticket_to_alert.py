"""Seed 004's lifecycle through the shipped ticket-to-alert template, end to end: tickets made
and changed in the sandbox over HTTP, their events handed to `on_event` as the events pipeline
hands them, executions run by a real worker, and a real alert receiver on loopback that gets
exactly the expected requests. Then the reverse path: the alerting product resolves an alert
over HTTP and the ticket becomes Complete in the sandbox.

The sandbox's ticket statuses are seed 004's tenant's picklist: every status of its table is a
row here (test_shipped.py covers the same table on the template's steps alone)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import requests

from connector.formulas.events import on_event
from tests.fixtures.jobs import wait_for
from tests.formulas.conftest import BASE

NO_CREATE = ["Complete", "Denied", "Waiting Customer", "Waiting Materials", "Scheduled"]
NO_CREATE += ["Escalate", "Waiting Vendor", "Waiting Approval", "Waiting Dispatch", "Approved"]
OTHER = ["Customer Note Added", "On Hold", "Change Order"]  # statuses the table does not list
_events = itertools.count(1)


class Flow:
    """One formula instance of ticket-to-alert on one element instance, and its tickets."""

    def __init__(self, client, tenant, element_instance, receiver, env, live_server) -> None:
        self.client, self.tenant, self.receiver, self.env = client, tenant, receiver, env
        self.element = element_instance
        self.live = live_server
        body = {
            "name": "alerts",
            "configuration": {
                "autotask": element_instance["id"],
                "alertWebhookUrl": receiver.url + "/alerts",
                "integrationKey": "il1",
            },
        }
        made = client.post(
            f"{BASE}/formulas/ticket-to-alert/instances", json=body, headers=tenant.headers()
        )
        assert made.status_code == 200, made.get_data(as_text=True)
        self.instance = made.get_json()
        self.sent = 0

    def hub(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        headers = self.tenant.headers(self.element["token"])
        answer = self.client.open(
            f"{BASE}/hubs/crm/{path}", method=method, json=body, headers=headers
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    def event(self, ticket_id: int, kind: str) -> None:
        """The ticket as the hub reads it now, as a normalized event of the element instance."""
        record = self.hub("GET", f"incidents/{ticket_id}")
        event = {
            "eventId": f"t{ticket_id}-{next(_events)}",
            "objectType": "incidents",
            "objectId": ticket_id,
            "eventType": kind,
            "eventDate": record.get("lastActivityDate") or record.get("createdDate"),
            "record": record,
        }
        assert len(on_event(self.env, self.element["id"], event)) == 1
        self.sent += 1

    def create(self, status: str, priority: str = "High") -> int:
        body = {"title": f"{status} ticket", "accountId": 0, "status": status}
        ticket = self.hub("POST", "incidents", {**body, "priority": priority, "queue": "Post Sale"})
        self.event(ticket["id"], "CREATED")
        return ticket["id"]

    def update(self, ticket_id: int, status: str) -> None:
        self.hub("PATCH", f"incidents/{ticket_id}", {"status": status})
        self.event(ticket_id, "UPDATED")

    def settle(self) -> list[dict[str, Any]]:
        """Every execution started so far, once all have ended."""

        def ended():
            found = self.env.executions.list_for(self.instance["id"], limit=1000)
            done = [e for e in found if e["status"] in ("SUCCESS", "FAILED", "STOPPED")]
            return found if len(found) == self.sent and len(done) == self.sent else None

        return wait_for(ended, what=f"{self.sent} executions to end", timeout=90)

    def alerts(self, ticket_id: int) -> list[tuple[str, str | None]]:
        key = f"autotask-ticket-{ticket_id}"
        return [
            (r["json"]["eventType"], r["json"].get("priority"))
            for r in self.receiver.to("/alerts")
            if r["json"]["alertKey"] == key
        ]


@pytest.fixture
def flow(
    client,
    tenant,
    element_instance,
    receiver,
    formulas_env,
    live_server,
    settings,
    job_workers,
    sandbox,
):
    job_workers.start(settings, queues="formulas", allowed_hosts=sandbox.allowed_hosts)
    return Flow(client, tenant, element_instance, receiver, formulas_env, live_server)


def test_seed_004_lifecycle_row_by_row_then_the_alert_resolves_the_ticket(flow, sandbox):
    # -- on create --------------------------------------------------------------------------
    created = {
        ("New", "High"): [("ALERT", "HIGH")],
        ("In Progress", "Low"): [("ALERT", "LOW")],
        ("New", "Medium"): [("ALERT", "HIGH")],
        ("New", "Critical"): [("ALERT", "HIGH")],
        **{(status, "High"): [("ALERT", "HIGH")] for status in OTHER},
        **{(status, "High"): [] for status in NO_CREATE},  # the product would answer 400
    }
    tickets = {row: flow.create(*row) for row in created}
    flow.settle()
    for row, expected in created.items():
        assert flow.alerts(tickets[row]) == expected, row
    first = flow.receiver.to("/alerts")[0]["json"]
    ticket = flow.hub("GET", f"incidents/{tickets[('New', 'High')]}")
    assert first["integrationKey"] == "il1"
    assert first["links"] == [{"href": ticket["links"]["autotask"], "text": "Autotask ticket"}]
    assert first["summary"] == f"{ticket['ticketNumber']}: {ticket['title']}"

    # -- on update, no alert yet: as on create -----------------------------------------------
    silent = tickets[("Waiting Customer", "High")]
    flow.update(silent, "Escalate")  # still a no-create status: nothing
    flow.settle()
    assert flow.alerts(silent) == []
    flow.update(silent, "New")  # now an alert is created
    flow.settle()
    assert flow.alerts(silent) == [("ALERT", "HIGH")]

    # -- on update with an alert ---------------------------------------------------------------
    alerted = tickets[("New", "High")]
    steps = [
        ("New", []),  # New leaves it
        ("On Hold", []),  # any other status leaves it
        ("In Progress", [("ACCEPT", None)]),
        ("Waiting Vendor", []),  # accepted already
        ("Complete", [("RESOLVE", None)]),
        ("Complete", []),  # resolved already
    ]
    expected = [("ALERT", "HIGH")]
    for status, more in steps:
        flow.update(alerted, status)
        flow.settle()
        expected += more
        assert flow.alerts(alerted) == expected, status
    accepted = tickets[("New", "Medium")]
    for status in ["Scheduled", "Waiting Dispatch", "Approved", "Waiting Approval", "Escalate"]:
        flow.update(accepted, status)
    flow.settle()  # executions of one ticket run one at a time, in event order
    assert flow.alerts(accepted) == [("ALERT", "HIGH"), ("ACCEPT", None)]
    pending = {"Waiting Dispatch": ("Change Order", "High"), "Approved": ("New", "Critical")}
    for status, row in pending.items():  # each accepts a pending alert
        flow.update(tickets[row], status)
        flow.settle()
        assert flow.alerts(tickets[row]) == [("ALERT", "HIGH"), ("ACCEPT", None)], status
    other = tickets[("Customer Note Added", "High")]
    flow.update(other, "Complete")
    flow.settle()
    assert flow.alerts(other) == [("ALERT", "HIGH"), ("RESOLVE", None)]
    denied = tickets[("On Hold", "High")]
    flow.update(denied, "Denied")  # Denied resolves as Complete does
    flow.settle()
    assert flow.alerts(denied) == [("ALERT", "HIGH"), ("RESOLVE", None)]

    # -- the reverse path: the alerting product resolves an alert over HTTP ----------------------
    target = tickets[("In Progress", "Low")]
    assert sandbox.record("Tickets", target)["status"] == 8  # In Progress
    answer = requests.post(
        f"{flow.live.url}{BASE}/formulas/instances/{flow.instance['id']}/executions?sync=true",
        json={"alertKey": f"autotask-ticket-{target}", "status": "RESOLVED"},
        headers=flow.tenant.headers(),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "SUCCESS", answer.json()
    assert sandbox.record("Tickets", target)["status"] == 5  # Complete
    unknown = requests.post(
        f"{flow.live.url}{BASE}/formulas/instances/{flow.instance['id']}/executions?sync=true",
        json={"alertKey": "autotask-ticket-999999", "status": "RESOLVED"},
        headers=flow.tenant.headers(),
        timeout=60,
    )
    assert unknown.json()["status"] == "STOPPED"  # not an alert of this formula instance
