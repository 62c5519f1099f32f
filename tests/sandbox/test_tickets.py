"""The Tickets rules of the seed's Tickets entity page (seed 002), over real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.sandbox.refusals import refusal_text

TECHNICIAN_ROLE = 29683461
CAR = 29682883  # Carmen Ruiz, a technician (plan.yaml)
LEVEL_ONE = 29683482


@pytest.fixture
def company_id(sandbox):
    return sandbox.ids("Companies")[1]


def ticket(company_id, **fields):
    return {
        "companyID": company_id,
        "title": "Test",
        "status": 1,
        "priority": 2,
        "queueID": LEVEL_ONE,
        **fields,
    }


def create(box, body):
    return box.call("POST", "Tickets", json=body)


def created(box, body):
    answer = create(box, body)
    assert answer.status_code == 200, answer.text
    return box.record("Tickets", answer.json()["itemId"])


def refused_create(box, body):
    """Autotask's error text for a refused ticket create; no row was written."""
    return refusal_text(box, "POST", "Tickets", body)


def patch(box, ticket_id, **fields):
    return box.call("PATCH", "Tickets", json={"id": ticket_id, **fields})


def refused_patch(box, ticket_id, **fields):
    """Autotask's error text for a refused ticket PATCH; the ticket is unchanged."""
    body = {"id": ticket_id, **fields}
    return refusal_text(box, "PATCH", "Tickets", body, record=("Tickets", ticket_id))


def test_the_references_minimal_body_creates_a_ticket_with_its_defaults(sandbox, company_id):
    record = created(sandbox, ticket(company_id))
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert re.fullmatch(rf"T{today}\.\d{{4}}", record["ticketNumber"])
    assert record["source"] == -1  # no default source configured: Client Portal
    assert record["ticketType"] == 1  # Service Request
    assert record["ticketCategory"] == 1 and record["dueDateTime"] > record["createDate"]


def test_ticket_numbers_count_up_within_a_prefix(sandbox, company_id):
    first = created(sandbox, ticket(company_id))["ticketNumber"]
    second = created(sandbox, ticket(company_id))["ticketNumber"]
    assert int(second.rsplit(".", 1)[1]) == int(first.rsplit(".", 1)[1]) + 1


@pytest.mark.parametrize(
    ("requested", "expected_prefix"),
    [
        pytest.param("T20200615.", "T20200615.", id="a valid past prefix is kept"),
        pytest.param("T29990101.", None, id="a future prefix is replaced by today's"),
        pytest.param("garbage", None, id="an invalid prefix is replaced by today's"),
    ],
)
def test_a_ticket_number_prefix_may_be_requested(sandbox, company_id, requested, expected_prefix):
    prefix = expected_prefix or datetime.now(UTC).strftime("T%Y%m%d.")
    number = created(sandbox, ticket(company_id, ticketNumber=requested))["ticketNumber"]
    assert number.startswith(prefix) and len(number) == len(prefix) + 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"title": None},
            "Value does not exist for the required field title.",
            id="title is required",
        ),
        pytest.param(
            {"queueID": None},
            "A ticket must have a queueID or an assignedResourceID (with its "
            "assignedResourceRoleID).",
            id="a queue or a resource is required",
        ),
        pytest.param(
            {"assignedResourceID": CAR},
            "When assigning a Resource, you must assign both a assignedResourceID and "
            "assignedResourceRoleID.",
            id="a resource needs its role",
        ),
        pytest.param(
            {"assignedResourceID": CAR, "assignedResourceRoleID": 29683464},
            f"The Resource {CAR} is not assigned the Role 29683464: a ticket's Resource + Role "
            "combination must be one of the resource's roles.",
            id="the role must be one of the resource's",
        ),
        pytest.param(
            {"priority": 6},
            "The value 6 of field priority is inactive and cannot be assigned.",
            id="an inactive priority",
        ),
        pytest.param(
            {"subIssueType": 4},
            "When a subIssueType value is provided, the associated issueType value "
            "must also be provided.",
            id="a sub-issue needs its issue",
        ),
        pytest.param(
            {"issueType": 1, "subIssueType": 4},
            "The subIssueType value 4 does not belong to issueType 1.",
            id="a sub-issue must belong to its issue",
        ),
        pytest.param(
            {"ticketCategory": 3},
            "The RMA module is not active: the ticket category cannot be RMA.",
            id="the RMA category needs the RMA module",
        ),
        pytest.param(
            {
                "ticketCategory": 2,
                "queueID": None,
                "assignedResourceID": CAR,
                "assignedResourceRoleID": TECHNICIAN_ROLE,
            },
            "The ticket category requires a queueID.",
            id="a category whose queue is always required",
        ),
    ],
)
def test_invalid_tickets_are_refused(sandbox, company_id, fields, message):
    assert refused_create(sandbox, ticket(company_id, **fields)) == message


def test_a_resource_with_its_role_needs_no_queue(sandbox, company_id):
    record = created(
        sandbox,
        ticket(
            company_id, queueID=None, assignedResourceID=CAR, assignedResourceRoleID=TECHNICIAN_ROLE
        ),
    )
    assert record["assignedResourceID"] == CAR and record["queueID"] is None


def test_completing_stamps_completed_date_and_reopening_clears_it(sandbox, company_id):
    record = created(sandbox, ticket(company_id))
    sandbox.call("PATCH", "Tickets", json={"id": record["id"], "status": 5})
    done = sandbox.record("Tickets", record["id"])
    sandbox.call("PATCH", "Tickets", json={"id": record["id"], "status": 8})
    reopened = sandbox.record("Tickets", record["id"])
    assert done["completedDate"] and done["completedByResourceID"] == 29682880
    assert reopened["completedDate"] is None


def test_the_ticket_number_never_changes(sandbox, company_id):
    record = created(sandbox, ticket(company_id))
    sandbox.call("PATCH", "Tickets", json={"id": record["id"], "ticketNumber": "T20000101.0001"})
    assert sandbox.record("Tickets", record["id"])["ticketNumber"] == record["ticketNumber"]


def test_a_contact_of_the_parent_company_is_accepted(sandbox):
    contact_id = sandbox.ids("Contacts")[0]
    parent = sandbox.record("Contacts", contact_id)["companyID"]
    answer = sandbox.call(
        "POST",
        "Companies",
        json={
            "companyName": "Child",
            "companyType": 1,
            "phone": "1",
            "ownerResourceID": 29682881,
            "parentCompanyID": parent,
        },
    )
    child_id = answer.json()["itemId"]
    record = created(sandbox, ticket(child_id, contactID=contact_id))
    other = next(c for c in sandbox.ids("Companies")[1:] if c not in (parent, child_id))
    assert record["contactID"] == contact_id
    assert refused_create(sandbox, ticket(other, contactID=contact_id)) == (
        f"The Contact {contact_id} referenced by contactID does not belong to Company {other}."
    )


class TestProblemAndIncidents:
    def test_a_service_request_cannot_have_a_problem_ticket(self, sandbox, company_id):
        problem = created(sandbox, ticket(company_id, ticketType=3))
        message = refused_create(sandbox, ticket(company_id, problemTicketID=problem["id"]))
        assert message == "Service Request tickets cannot be associated with a problem ticket."

    def test_an_incident_can_have_a_problem_ticket(self, sandbox, company_id):
        problem = created(sandbox, ticket(company_id, ticketType=3))
        incident = created(sandbox, ticket(company_id, ticketType=2, problemTicketID=problem["id"]))
        assert incident["problemTicketID"] == problem["id"]

    @pytest.mark.parametrize(
        ("ticket_type", "message"),
        [
            pytest.param(
                3,
                "A Problem ticket cannot be associated with another problem ticket.",
                id="a problem ticket",
            ),
            pytest.param(
                4,
                "Change Request tickets cannot be associated with a problem ticket.",
                id="a change request",
            ),
        ],
    )
    def test_other_types_cannot_have_a_problem_ticket(
        self, sandbox, company_id, ticket_type, message
    ):
        problem = created(sandbox, ticket(company_id, ticketType=3))
        body = ticket(company_id, ticketType=ticket_type, problemTicketID=problem["id"])
        assert refused_create(sandbox, body) == message

    def test_an_incident_cannot_become_a_problem_ticket(self, sandbox, company_id):
        problem = created(sandbox, ticket(company_id, ticketType=3))
        incident = created(sandbox, ticket(company_id, ticketType=2, problemTicketID=problem["id"]))
        body = ticket(company_id, ticketType=2, problemTicketID=incident["id"])
        assert refused_create(sandbox, body) == (
            f"Ticket {incident['id']} is an incident of another problem ticket and cannot be a "
            "problem ticket."
        )

    def test_a_problem_with_incidents_keeps_its_type(self, sandbox, company_id):
        problem = created(sandbox, ticket(company_id, ticketType=3))
        created(sandbox, ticket(company_id, ticketType=2, problemTicketID=problem["id"]))
        assert refused_patch(sandbox, problem["id"], ticketType=2) == (
            "This Problem ticket has associated incidents: disassociate them before changing its "
            "ticketType."
        )

    def test_change_requests_need_the_change_management_module(self, make_sandbox):
        box = make_sandbox(change_management_enabled=False)
        assert refused_create(box, ticket(box.ids("Companies")[1], ticketType=4)) == (
            "The Change Management module must be enabled to create a Change Request ticket."
        )


def test_a_ticket_note_is_activity_on_its_ticket(sandbox, company_id):
    record = created(sandbox, ticket(company_id))
    answer = sandbox.call(
        "POST",
        f"Tickets/{record['id']}/Notes",
        json={"title": "Called", "description": "Left a message", "noteType": 1, "publish": 1},
    )
    note = sandbox.record("TicketNotes", answer.json()["itemId"])
    assert note["ticketID"] == record["id"]
    assert sandbox.record("Tickets", record["id"])["lastActivityDate"] == note["createDateTime"]
