"""The test fixture itself: the handle's URLs, log, faults and direct reads."""

from __future__ import annotations


def test_the_request_log_records_calls_without_the_secret(sandbox):
    sandbox.call("POST", "Companies/query", json={"filter": [{"op": "exist", "field": "id"}]})
    entry = sandbox.requests(path_contains="companies/query", method="POST")[-1]
    assert entry["body"] == {"filter": [{"op": "exist", "field": "id"}]}
    assert entry["status"] == 200 and entry["username"] == sandbox.credentials.username
    assert sandbox.credentials.secret not in str(entry)


def test_clear_requests_empties_the_log(sandbox):
    sandbox.call("GET", "Companies/0")
    sandbox.clear_requests()
    assert sandbox.requests() == []


def test_seed_counts_seed_exact_counts(make_sandbox):
    assert make_sandbox(seed_counts={"Contacts": 123}).count("Contacts") == 123


def test_the_same_inputs_seed_the_same_data(make_sandbox):
    first, second = make_sandbox(), make_sandbox()
    contact_id = first.ids("Contacts")[5]
    assert first.record("Contacts", contact_id) == second.record("Contacts", contact_id)
