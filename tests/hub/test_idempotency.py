"""`Idempotency-Key` on hub creates, and creates whose answer was lost (issue #11)."""

from __future__ import annotations

import time

import pytest

from connector.config import Settings

KEY_NAME = "Idempotency-Key"
KEY = {KEY_NAME: "order-4711-contact"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # a create gives up on its answer after 0.5 s; the sandbox's latency fault outlasts that
    return settings.with_overrides(autotask_timeout=0.5, autotask_max_wait=2.0)


def _contact(sandbox, last_name: str) -> dict:
    return {"firstName": "Idem", "lastName": last_name, "accountId": sandbox.ids("Companies")[1]}


def _posts(sandbox) -> int:
    return len([r for r in sandbox.requests(method="POST") if r["path"].endswith("/Contacts")])


def _wait_for_count(sandbox, last_name: str, n: int) -> None:
    deadline = time.monotonic() + 10
    while sandbox.count("Contacts", lastName=last_name) < n:
        assert time.monotonic() < deadline, "the sandbox never stored the delayed create"
        time.sleep(0.05)


def test_the_same_key_and_body_answer_the_first_result_without_a_second_create(hub, sandbox):
    body = _contact(sandbox, "Once")
    first = hub.call("POST", "contacts", json=body, headers=KEY)
    second = hub.call("POST", "contacts", json=body, headers=KEY)
    assert first.status_code == second.status_code == 200, second.text
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert sandbox.count("Contacts", lastName="Once") == 1
    assert _posts(sandbox) == 1


def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(hub, sandbox):
    assert hub.call("POST", "contacts", json=_contact(sandbox, "First"), headers=KEY).ok
    other = hub.call("POST", "contacts", json=_contact(sandbox, "Other"), headers=KEY)
    assert other.status_code == 422, other.text
    assert "Idempotency-Key" in other.json()["message"]
    assert sandbox.count("Contacts", lastName="Other") == 0
    assert _posts(sandbox) == 1


def test_keys_are_per_instance(connect_hub, sandbox):
    one, two = connect_hub(sandbox), connect_hub(sandbox)
    assert one.call("POST", "contacts", json=_contact(sandbox, "PerA"), headers=KEY).ok
    assert two.call("POST", "contacts", json=_contact(sandbox, "PerB"), headers=KEY).ok
    assert sandbox.count("Contacts", lastName="PerB") == 1


def test_a_bad_key_is_a_400(hub, sandbox):
    bad = hub.call("POST", "contacts", json=_contact(sandbox, "Bad"), headers={KEY_NAME: "x" * 300})
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["message"]
    assert sandbox.count("Contacts", lastName="Bad") == 0


def test_a_lost_answer_is_a_504_and_the_retry_finds_the_record(hub, sandbox):
    body = _contact(sandbox, "Lost")
    sandbox.set_faults(kind="latency", seconds=1.5, count=1, method="POST")
    lost = hub.call("POST", "contacts", json=body, headers=KEY)
    assert lost.status_code == 504, lost.text
    assert "may exist" in lost.json()["message"]
    _wait_for_count(sandbox, "Lost", 1)  # Autotask stored it after all
    found = hub.call("POST", "contacts", json=body, headers=KEY)
    assert found.status_code == 200, found.text
    assert found.json()["lastName"] == "Lost"
    assert sandbox.count("Contacts", lastName="Lost") == 1  # looked up, not created again
    assert _posts(sandbox) == 1
    again = hub.call("POST", "contacts", json=body, headers=KEY)
    assert again.json()["id"] == found.json()["id"]


def test_a_lost_answer_without_a_key_is_a_504_too(hub, sandbox):
    sandbox.set_faults(kind="latency", seconds=1.5, count=1, method="POST")
    lost = hub.call("POST", "contacts", json=_contact(sandbox, "NoKey"))
    assert lost.status_code == 504, lost.text
    assert "may exist" in lost.json()["message"] and "Idempotency-Key" in lost.json()["message"]


def test_a_refused_create_releases_the_key(hub, sandbox):
    body = _contact(sandbox, "Refused")
    sandbox.set_faults(kind="error", status=400, count=1, method="POST")  # surely not stored
    refused = hub.call("POST", "contacts", json=body, headers=KEY)
    assert refused.status_code == 400, refused.text
    made = hub.call("POST", "contacts", json=body, headers=KEY)
    assert made.status_code == 200, made.text
    assert sandbox.count("Contacts", lastName="Refused") == 1
    assert _posts(sandbox) == 2
