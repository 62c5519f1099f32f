"""Autotask never reuses an id: each entity keeps the highest id it ever gave out, in the data
folder, so a deleted record's id is not given again, not even after a restart."""

from __future__ import annotations


def _new_contact(box, company_id: int) -> int:
    answer = box.call(
        "POST", f"Companies/{company_id}/Contacts", json={"firstName": "Ada", "lastName": "Byron"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["itemId"]


def _delete_contact(box, company_id: int, contact_id: int) -> None:
    answer = box.call("DELETE", f"Companies/{company_id}/Contacts/{contact_id}")
    assert answer.json() == {"itemId": contact_id}
    assert box.record("Contacts", contact_id) is None


def test_the_id_of_a_deleted_record_is_not_given_again(sandbox):
    company_id = sandbox.ids("Companies")[1]
    deleted = _new_contact(sandbox, company_id)  # the highest id: MAX(id)+1 would reuse it
    _delete_contact(sandbox, company_id, deleted)
    assert _new_contact(sandbox, company_id) > deleted


def test_ids_stay_unused_across_a_restart_on_the_same_data(make_sandbox, tmp_path):
    database = str(tmp_path / "sandbox.db")
    first = make_sandbox(database=database)
    company_id = first.ids("Companies")[1]
    deleted = _new_contact(first, company_id)
    _delete_contact(first, company_id, deleted)
    first.stop()
    again = make_sandbox(database=database)
    assert again.record("Companies", company_id) is not None  # the same data, not a reseed
    assert _new_contact(again, company_id) > deleted


def test_the_id_of_a_deleted_seeded_record_is_not_given_again(sandbox):
    highest = sandbox.record("Contacts", max(sandbox.ids("Contacts")))  # seeded, never created
    _delete_contact(sandbox, highest["companyID"], highest["id"])
    assert _new_contact(sandbox, highest["companyID"]) > highest["id"]
