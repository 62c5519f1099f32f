"""The Tickets rules of seed 002 on change approval, RMA and the due date, over real HTTP
(the basic rules are in tests/sandbox/test_tickets.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from connector.sandbox.values import format_datetime
from tests.sandbox.test_tickets import created, patch, refused_create, refused_patch, ticket

ASSIGNED, REQUESTED, APPROVED = 2, 3, 5
RMA, API_CATEGORY = 3, 4
STATUS_ONLY_BY_SYSTEM = (
    "changeApprovalStatus can only be set to Requested or Assigned. All other statuses, Not "
    "Assigned, Partially Approved, Approved, or Rejected can only be set by the system."
)


@pytest.fixture
def company_id(sandbox):
    return sandbox.ids("Companies")[1]


class TestChangeApprovalStatus:
    @pytest.mark.parametrize(
        ("value", "allowed"),
        [
            pytest.param(ASSIGNED, True, id="Assigned may be set"),
            pytest.param(REQUESTED, True, id="Requested may be set"),
            pytest.param(1, False, id="Not Assigned is the system's"),
            pytest.param(4, False, id="Partially Approved is the system's"),
            pytest.param(APPROVED, False, id="Approved is the system's"),
            pytest.param(6, False, id="Rejected is the system's"),
        ],
    )
    def test_only_assigned_or_requested_may_be_set(self, sandbox, company_id, value, allowed):
        ticket_id = created(sandbox, ticket(company_id, ticketType=4))["id"]
        body = ticket(company_id, ticketType=4, changeApprovalStatus=value)
        if allowed:
            answer = patch(sandbox, ticket_id, changeApprovalStatus=value)
            assert (answer.status_code, created(sandbox, body)["changeApprovalStatus"]) == (
                200,
                value,
            )
            assert sandbox.record("Tickets", ticket_id)["changeApprovalStatus"] == value
        else:
            on_update = refused_patch(sandbox, ticket_id, changeApprovalStatus=value)
            assert on_update == refused_create(sandbox, body) == STATUS_ONLY_BY_SYSTEM

    def test_assigned_and_requested_change_into_each_other(self, sandbox, company_id):
        ticket_id = created(sandbox, ticket(company_id, changeApprovalStatus=ASSIGNED))["id"]
        to_requested = patch(sandbox, ticket_id, changeApprovalStatus=REQUESTED)
        back_to_assigned = patch(sandbox, ticket_id, changeApprovalStatus=ASSIGNED)
        assert (to_requested.status_code, back_to_assigned.status_code) == (200, 200)

    def test_a_status_the_system_set_survives_other_changes(self, sandbox, company_id):
        ticket_id = created(sandbox, ticket(company_id, changeApprovalStatus=REQUESTED))["id"]
        with sandbox.store.write() as conn:  # the approval board decides: a system change
            conn.execute(
                'UPDATE "Tickets" SET "changeApprovalStatus" = ? WHERE id = ?',
                (APPROVED, ticket_id),
            )
        answer = patch(sandbox, ticket_id, title="Renamed", changeApprovalStatus=APPROVED)
        assert answer.status_code == 200, answer.text
        assert sandbox.record("Tickets", ticket_id)["changeApprovalStatus"] == APPROVED


class TestRma:
    @pytest.fixture
    def box(self, make_sandbox):
        return make_sandbox(rma_enabled=True)

    def rma_ticket(self, box, **fields):
        body = ticket(box.ids("Companies")[1], ticketCategory=RMA, configurationItemID=77)
        return created(box, {**body, **fields})

    def test_rma_fields_sent_for_another_category_are_ignored(self, box):
        company = box.ids("Companies")[1]
        record = created(box, ticket(company, rmaStatus=2, rmaType=1))
        answer = patch(box, record["id"], rmaStatus=2, rmaType=2)
        after = box.record("Tickets", record["id"])
        assert (record["rmaStatus"], record["rmaType"]) == (None, None)
        assert answer.status_code == 200 and (after["rmaStatus"], after["rmaType"]) == (None, None)

    def test_an_rma_ticket_gets_the_categorys_rma_status_unless_one_is_sent(self, box):
        defaulted = self.rma_ticket(box)
        chosen = self.rma_ticket(box, rmaStatus=2, rmaType=2)
        assert (defaulted["rmaStatus"], defaulted["ticketType"]) == (1, 4)
        assert (chosen["rmaStatus"], chosen["rmaType"]) == (2, 2)

    def test_rma_fields_are_editable_on_an_rma_ticket(self, box):
        ticket_id = self.rma_ticket(box)["id"]
        answer = patch(box, ticket_id, rmaStatus=2, rmaType=1)
        after = box.record("Tickets", ticket_id)
        assert answer.status_code == 200 and (after["rmaStatus"], after["rmaType"]) == (2, 1)

    def test_an_rma_ticket_needs_a_configuration_item(self, box):
        assert refused_create(box, ticket(box.ids("Companies")[1], ticketCategory=RMA)) == (
            "If the ticket category = 'RMA', the configurationItemID is required."
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            pytest.param("companyID", "another company", id="its company"),
            pytest.param("configurationItemID", 78, id="its configuration item"),
            pytest.param("configurationItemID", None, id="clearing its configuration item"),
        ],
    )
    def test_company_and_configuration_item_are_not_editable_on_an_rma_ticket(
        self, box, field, value
    ):
        record = self.rma_ticket(box)
        if value == "another company":
            value = box.ids("Companies")[2]
        assert refused_patch(box, record["id"], **{field: value}) == (
            f"The field {field} is not editable when the ticket category is RMA."
        )

    def test_an_rma_tickets_type_stays_change_request(self, box):
        ticket_id = self.rma_ticket(box)["id"]
        answer = patch(box, ticket_id, ticketType=2)
        assert answer.status_code == 200 and box.record("Tickets", ticket_id)["ticketType"] == 4


class TestDueDateTime:
    def test_the_metadata_marks_it_required(self, sandbox):
        fields = sandbox.call("GET", "Tickets/entityInformation/fields").json()["fields"]
        assert next(f for f in fields if f["name"] == "dueDateTime")["isRequired"] is True

    def test_a_category_with_due_date_and_time_supplies_it(self, sandbox, company_id):
        record = created(sandbox, ticket(company_id))  # Standard: 2 days, 17:00
        day = datetime.fromisoformat(record["createDate"][:10]) + timedelta(days=2, hours=17)
        assert record["dueDateTime"] == format_datetime(day)

    def test_a_category_without_due_time_requires_it(self, sandbox, company_id):
        missing = refused_create(sandbox, ticket(company_id, ticketCategory=API_CATEGORY))
        given = created(
            sandbox,
            ticket(company_id, ticketCategory=API_CATEGORY, dueDateTime="2030-03-21T10:00:00Z"),
        )
        cleared = refused_patch(sandbox, given["id"], dueDateTime=None)
        assert missing == cleared == "Value does not exist for the required field dueDateTime."
        assert given["dueDateTime"] == "2030-03-21T10:00:00.000Z"
