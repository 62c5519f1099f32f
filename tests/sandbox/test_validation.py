"""Generic write checks: a child picklist value stays under its parent's value, whichever of
the two a write changes (seed 002: subIssueType belongs to its issueType)."""

from __future__ import annotations

from tests.sandbox.test_tickets import created, patch, refused_patch, ticket

HARDWARE, SOFTWARE = 1, 2
LAPTOP, EMAIL_CLIENT, FAX_MACHINE_RETIRED = 1, 4, 13  # under Hardware, Software, Hardware


def hardware_laptop_ticket(box):
    body = ticket(box.ids("Companies")[1], issueType=HARDWARE, subIssueType=LAPTOP)
    return created(box, body)["id"]


def test_changing_the_parent_alone_must_keep_the_child_under_it(sandbox):
    ticket_id = hardware_laptop_ticket(sandbox)
    assert refused_patch(sandbox, ticket_id, issueType=SOFTWARE) == (
        "The subIssueType value 1 does not belong to issueType 2."
    )


def test_changing_parent_and_child_together_is_accepted(sandbox):
    ticket_id = hardware_laptop_ticket(sandbox)
    answer = patch(sandbox, ticket_id, issueType=SOFTWARE, subIssueType=EMAIL_CLIENT)
    record = sandbox.record("Tickets", ticket_id)
    assert answer.status_code == 200
    assert (record["issueType"], record["subIssueType"]) == (SOFTWARE, EMAIL_CLIENT)


def test_clearing_the_parent_of_a_child_is_refused(sandbox):
    assert refused_patch(sandbox, hardware_laptop_ticket(sandbox), issueType=None) == (
        "When a subIssueType value is provided, the associated issueType value must also be "
        "provided."
    )


def test_a_kept_inactive_child_is_checked_against_a_new_parent_but_not_for_being_inactive(
    sandbox,
):
    ticket_id = hardware_laptop_ticket(sandbox)
    with sandbox.store.write() as conn:  # set before the value was retired
        conn.execute(
            'UPDATE "Tickets" SET "subIssueType" = ? WHERE id = ?', (FAX_MACHINE_RETIRED, ticket_id)
        )
    kept = patch(sandbox, ticket_id, title="Renamed")
    assert kept.status_code == 200, kept.text
    assert refused_patch(sandbox, ticket_id, issueType=SOFTWARE) == (
        "The subIssueType value 13 does not belong to issueType 2."
    )
