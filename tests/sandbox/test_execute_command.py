"""ExecuteCommand deep links (seed 000, reference section 11): a page per command."""

from __future__ import annotations

import pytest
import requests


def page(box, **params):
    return requests.get(
        f"{box.url}/Autotask/AutotaskExtend/ExecuteCommand.aspx", params=params, timeout=10
    )


def test_open_ticket_detail_by_number_and_by_id_show_the_ticket(sandbox):
    ticket = sandbox.record("Tickets", sandbox.ids("Tickets")[0])
    by_number = page(sandbox, Code="OpenTicketDetail", TicketNumber=ticket["ticketNumber"])
    by_id = page(sandbox, code="openticketdetail", ticketid=ticket["id"])
    assert by_number.status_code == 200 and ticket["title"] in by_number.text
    assert f'data-id="{ticket["id"]}"' in by_id.text


@pytest.mark.parametrize(
    ("code", "param", "entity"),
    [
        pytest.param("OpenAccount", "AccountID", "Companies", id="OpenAccount"),
        pytest.param("EditAccount", "AccountID", "Companies", id="EditAccount"),
        pytest.param("OpenContact", "ContactID", "Contacts", id="OpenContact"),
        pytest.param("EditContact", "ContactID", "Contacts", id="EditContact"),
        pytest.param("OpenOpportunity", "OpportunityID", "Opportunities", id="OpenOpportunity"),
        pytest.param("OpenToDo", "ToDoID", "CompanyToDos", id="OpenToDo"),
        pytest.param("NewTicket", "AccountID", "Companies", id="NewTicket for a company"),
        pytest.param("NewContact", "AccountID", "Companies", id="NewContact for a company"),
        pytest.param("NewAccountNote", "AccountID", "Companies", id="NewAccountNote"),
        pytest.param("OpenTicketTime", "TicketID", "Tickets", id="OpenTicketTime"),
    ],
)
def test_commands_open_their_record(sandbox, code, param, entity):
    record_id = sandbox.ids(entity)[1]
    answer = page(sandbox, Code=code, **{param: record_id})
    assert answer.status_code == 200
    assert f'data-id="{record_id}"' in answer.text and f'data-command="{code}"' in answer.text


def test_a_company_name_opens_the_company(sandbox):
    company = sandbox.record("Companies", sandbox.ids("Companies")[1])
    answer = page(sandbox, Code="OpenAccount", AccountName=company["companyName"].upper())
    assert f'data-id="{company["id"]}"' in answer.text


def test_phone_numbers_match_on_their_leading_digits_and_several_matches_list(sandbox):
    answer = page(sandbox, Code="OpenAccount", Phone="+1 (555)")
    assert answer.status_code == 200 and answer.text.count("<li") == sandbox.count("Companies")


def test_contacts_match_on_every_given_parameter(sandbox):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    answer = page(
        sandbox, Code="OpenContact", FirstName=contact["firstName"], LastName=contact["lastName"]
    )
    assert f'data-id="{contact["id"]}"' in answer.text


@pytest.mark.parametrize(
    ("params", "status"),
    [
        pytest.param({"Code": "LaunchMissiles"}, 400, id="an unknown command"),
        pytest.param({"Code": "OpenAccount"}, 400, id="a command without its parameter"),
        pytest.param({"Code": "OpenAccount", "AccountID": "abc"}, 400, id="a malformed id"),
        pytest.param({"Code": "OpenAccount", "AccountID": "1"}, 404, id="no such record"),
        pytest.param(
            {"Code": "OpenAccount", "AccountID": "99999999999999999999999"},
            404,
            id="an id beyond Int64 matches no record",
        ),
        pytest.param(
            {"Code": "OpenAccount", "AccountID": "\uff10"},
            400,
            id="a full-width digit is not a number",
        ),
        pytest.param(
            {"Code": "OpenTimeOffRequest", "ResourceID": "29682881"},
            400,
            id="a command missing one of its required parameters",
        ),
    ],
)
def test_invalid_commands_render_an_error_page(sandbox, params, status):
    answer = page(sandbox, **params)
    assert answer.status_code == status and 'class="error"' in answer.text


def test_records_the_sandbox_does_not_keep_render_their_parameters(sandbox):
    answer = page(sandbox, Code="OpenProject", ProjectID="4711")
    assert answer.status_code == 200 and "4711" in answer.text


def test_new_account_takes_no_parameter(sandbox):
    assert page(sandbox, Code="NewAccount").status_code == 200
