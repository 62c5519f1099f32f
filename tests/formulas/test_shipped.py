"""The shipped templates load, and ticket-to-alert's decisions are seed 004's table."""

from __future__ import annotations

import pytest

from connector.formulas import shipped
from connector.formulas.steps.base import StepRun

NO_CREATE = [
    "Complete",
    "Denied",
    "Waiting Customer",
    "Waiting Materials",
    "Scheduled",
    "Escalate",
    "Waiting Vendor",
    "Waiting Approval",
    "Waiting Dispatch",
    "Approved",
]
ACCEPTS = [
    "Waiting Customer",
    "In Progress",
    "Waiting Materials",
    "Scheduled",
    "Escalate",
    "Waiting Vendor",
    "Waiting Approval",
    "Waiting Dispatch",
    "Approved",
]
OTHER = "Customer Note Added"  # a status the table does not list


def decide(status: str, alert: str | None, priority: str = "High") -> dict:
    """rules -> decide -> route of ticket-to-alert, with the ticket's state as `lookup` gave it."""
    template = shipped.get("ticket-to-alert")[1]
    lookup = {
        "found": alert is not None,
        "value": {"alertKey": "autotask-ticket-7", "status": alert} if alert else None,
    }
    variables = {
        "trigger": {"objectId": 7, "record": {"status": status, "priority": priority}},
        "steps": {"lookup": lookup},
        "config": {},
    }
    for name in ("rules", "decide", "route"):
        outcome = template.step(name).run(StepRun(variables, ports=None))
        variables["steps"][name] = outcome.output
    return {**variables["steps"]["decide"], "next": outcome.next, "status": outcome.status}


def expected_rows():
    for status in ["New", "In Progress", OTHER, *NO_CREATE]:
        want = "none" if status in NO_CREATE else "create"
        yield pytest.param(status, None, want, id=f"no alert, ticket {status}: {want}")
    for status in ["New", OTHER]:
        yield pytest.param(status, "PENDING", "none", id=f"alert, ticket {status}: unchanged")
    for status in ["Complete", "Denied"]:
        yield pytest.param(status, "PENDING", "resolve", id=f"alert, ticket {status}: resolve")
        yield pytest.param(status, "RESOLVED", "none", id=f"resolved alert, {status}: unchanged")
    for status in ACCEPTS:
        yield pytest.param(status, "PENDING", "accept", id=f"alert, ticket {status}: accept")
        yield pytest.param(status, "ACCEPTED", "none", id=f"accepted alert, {status}: unchanged")


@pytest.mark.parametrize(("status", "alert", "action"), list(expected_rows()))
def test_ticket_to_alert_decides_as_the_lifecycle_table_says(status, alert, action):
    decided = decide(status, alert)
    assert decided["action"] == action
    if action == "none":
        assert decided["status"] == "STOPPED"  # no request goes out
    else:
        assert decided["next"] == f"{action}Alert"


@pytest.mark.parametrize(
    ("priority", "alert_priority"),
    [("Low", "LOW"), ("High", "HIGH"), ("Medium", "HIGH"), ("Critical", "HIGH")],
)
def test_ticket_priority_maps_to_alert_priority(priority, alert_priority):
    assert decide("New", None, priority)["priority"] == alert_priority


def test_the_alert_key_is_stable_per_ticket():
    assert decide("New", None)["alertKey"] == "autotask-ticket-7"
    assert decide("Complete", "PENDING")["alertKey"] == "autotask-ticket-7"


def test_every_shipped_template_loads_and_has_a_description():
    found = shipped.shipped()
    assert {"ticket-to-alert", "nightly-export"} <= set(found)
    for data, template in found.values():
        assert data["description"] and template.steps
