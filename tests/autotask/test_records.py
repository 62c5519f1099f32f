from __future__ import annotations

import json
import logging

import pytest

from connector.autotask import Zone
from connector.errors import (
    ProviderMethodNotAllowedError,
    ProviderNotFoundError,
    ProviderValidationError,
    ValidationError,
)
from tests.autotask.conftest import upstream
from tests.autotask.test_calls import closed_port


def company_id(box) -> int:
    return next(i for i in box.ids("Companies") if i != 0)


def new_contact(box, **extra) -> dict:
    return {
        "companyID": company_id(box),
        "firstName": "Ada",
        "lastName": "Lovelace",
        "isActive": 1,
        **extra,
    }


def test_get_a_record_and_a_missing_id(sandbox, autotask):
    assert autotask.get("Companies", 0)["id"] == 0
    assert autotask.get("Companies", 987654321) is None


def test_create_a_child_posts_under_its_parent_and_reads_back(sandbox, autotask):
    sandbox.clear_requests()
    parent = company_id(sandbox)
    created = autotask.create("Contacts", new_contact(sandbox, emailAddress="ada@example.com"))
    assert created["id"] > 0
    assert created["companyID"] == parent
    assert created["emailAddress"] == "ada@example.com"
    assert "lastModifiedDate" in created  # filled by Autotask, so only the read-back knows it
    log = sandbox.requests()
    assert [
        (r["method"], r["path"].split("V1.0/", 1)[-1].split("v1.0/", 1)[-1])
        for r in log
        if "Threshold" not in r["path"]
    ] == [
        ("POST", f"Companies/{parent}/Contacts"),
        ("GET", f"Contacts/{created['id']}"),
    ]


def test_create_with_parent_id_adds_the_foreign_key(sandbox, autotask):
    parent = company_id(sandbox)
    created = autotask.create(
        "Contacts", {"firstName": "Grace", "lastName": "Hopper", "isActive": 1}, parent_id=parent
    )
    assert created["companyID"] == parent
    posts = upstream(sandbox, "/Contacts", method="POST")
    assert posts[-1]["body"]["companyID"] == parent


def test_a_child_without_a_parent_is_refused_before_any_call(sandbox, autotask):
    sandbox.clear_requests()
    with pytest.raises(ValidationError):
        autotask.create("Contacts", {"firstName": "No", "lastName": "Parent", "isActive": 1})
    assert sandbox.requests() == []


def test_update_patches_the_collection_with_the_id_in_the_body(sandbox, autotask):
    contact = autotask.create("Contacts", new_contact(sandbox))
    sandbox.clear_requests()
    updated = autotask.update("Contacts", {"id": contact["id"], "title": "Countess"})
    assert updated["title"] == "Countess"
    assert updated["lastName"] == "Lovelace"
    patches = upstream(sandbox, "Contacts", method="PATCH")
    assert len(patches) == 1
    assert patches[0]["path"].lower().endswith(f"/companies/{contact['companyID']}/contacts")
    assert patches[0]["body"]["id"] == contact["id"]


@pytest.mark.parametrize(
    "which",
    [
        pytest.param("customer", id="a customer company"),
        pytest.param("tenant", id="company 0, the tenant's own: id 0 is an id"),
    ],
)
def test_update_of_a_root_entity(sandbox, autotask, which):
    record_id = company_id(sandbox) if which == "customer" else 0
    updated = autotask.update("Companies", {"id": record_id, "phone": "555-0199"})
    assert updated["id"] == record_id
    assert updated["phone"] == "555-0199"
    patches = upstream(sandbox, "Companies", method="PATCH")
    assert patches[-1]["path"].lower().endswith("/v1.0/companies")


def test_an_update_without_id_is_refused_before_any_call(sandbox, autotask):
    sandbox.clear_requests()
    with pytest.raises(ValidationError):
        autotask.update("Companies", {"phone": "555-0199"})
    assert sandbox.requests() == []


def test_delete_a_child_uses_the_parent_child_url(sandbox, autotask):
    contact = autotask.create("Contacts", new_contact(sandbox))
    sandbox.clear_requests()
    autotask.delete("Contacts", contact["id"])  # the parent is looked up from the record
    assert sandbox.record("Contacts", contact["id"]) is None
    deletes = upstream(sandbox, "Contacts", method="DELETE")
    assert (
        deletes[0]["path"]
        .lower()
        .endswith(f"/companies/{contact['companyID']}/contacts/{contact['id']}")
    )


def test_delete_with_parent_id_needs_no_lookup(sandbox, autotask):
    contact = autotask.create("Contacts", new_contact(sandbox))
    sandbox.clear_requests()
    autotask.delete("Contacts", contact["id"], parent_id=contact["companyID"])
    assert [r["method"] for r in sandbox.requests() if "Threshold" not in r["path"]] == ["DELETE"]


def test_delete_of_a_missing_child_is_not_found(sandbox, autotask):
    with pytest.raises(ProviderNotFoundError):
        autotask.delete("Contacts", 987654321)


@pytest.mark.parametrize(
    ("operation", "entity"),
    [
        pytest.param("delete", "Companies", id="companies cannot be deleted"),
        pytest.param("delete", "Opportunities", id="opportunities cannot be deleted"),
        pytest.param("create", "Resources", id="resources cannot be created"),
    ],
)
def test_refused_operations_make_no_call(sandbox, autotask, operation, entity):
    sandbox.clear_requests()
    with pytest.raises(ProviderMethodNotAllowedError):
        if operation == "delete":
            autotask.delete(entity, 1)
        else:
            autotask.create(entity, {"firstName": "X"})
    assert sandbox.requests() == []
    assert autotask.stats.calls == 0


def test_validation_errors_keep_autotask_text_and_are_not_retried(sandbox, autotask):
    sandbox.clear_requests()
    with pytest.raises(ProviderValidationError) as caught:
        autotask.create("Contacts", {"companyID": company_id(sandbox), "isActive": 1})
    error = caught.value
    assert error.status == 400
    assert error.provider_status == 500
    assert "firstName" in error.provider_message or "lastName" in error.provider_message
    assert len(upstream(sandbox, "Contacts", method="POST")) == 1


def test_a_bad_reference_keeps_autotask_text(sandbox, autotask):
    with pytest.raises(ProviderValidationError) as caught:
        autotask.create("Contacts", new_contact(sandbox) | {"companyID": 987654321})
    assert "does not exist or is invalid" in caught.value.provider_message


# -- a 404 after a retry is success only when an earlier attempt may have run ------------
def test_a_missing_id_refused_once_with_429_is_still_not_found(sandbox, autotask):
    # the 429 did nothing, so the 404 on the retry is the truth about the id
    sandbox.set_faults(kind="rate_limit", count=1, method="DELETE")
    with pytest.raises(ProviderNotFoundError):
        autotask.delete("Contacts", 987654321, parent_id=company_id(sandbox))
    assert len(upstream(sandbox, "/Contacts/987654321", method="DELETE")) == 2


def test_a_missing_id_after_a_zone_refresh_is_still_not_found(
    sandbox, make_client, redis_client, keys, allow_autotask_host
):
    # the first attempt went to a host nobody listens on: it cannot have deleted anything
    client = make_client(sandbox)
    port = closed_port()
    allow_autotask_host(f"http://127.0.0.1:{port}")  # an allowed host that went away
    dead = Zone("Gone", f"http://127.0.0.1:{port}/ATServicesRest/", "", client.zone.ci)
    client.caller.zone = dead
    redis_client.set(
        keys.zone(sandbox.zone_url, client.credentials.username),
        json.dumps({**dead.to_answer(), "fetchedAt": 0}),
    )
    with pytest.raises(ProviderNotFoundError):
        client.delete("Contacts", 987654321, parent_id=company_id(sandbox))
    assert client.stats.zone_refreshes == 1


def test_a_delete_whose_answer_was_lost_is_done(sandbox, make_client):
    # Autotask deletes after 0.3 s; the client gave up at 0.1 s and retries after >= 0.5 s
    client = make_client(sandbox, autotask_timeout=0.1, backoff=0.8)
    contact = client.create("Contacts", new_contact(sandbox))
    sandbox.set_faults(kind="latency", seconds=0.3, count=1, method="DELETE")
    client.delete("Contacts", contact["id"], parent_id=contact["companyID"])
    assert sandbox.record("Contacts", contact["id"]) is None
    deletes = upstream(sandbox, "/Contacts/", method="DELETE", at_least=2)
    assert [r["status"] for r in deletes][:1] == [200]  # the first attempt did it
    assert len(deletes) == 2  # the retry found nothing left to delete


# -- a write Autotask confirmed never surfaces as a failure ------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "error", "status": 404}, id="the API user cannot see the record"),
        pytest.param({"kind": "error", "status": 503}, id="the read-back keeps failing"),
    ],
)
def test_a_confirmed_create_whose_read_back_fails_returns_its_id(sandbox, autotask, fault, caplog):
    caplog.set_level(logging.WARNING, logger="connector.autotask")
    sandbox.set_faults({**fault, "method": "GET", "path_contains": "/Contacts/"})
    created = autotask.create("Contacts", new_contact(sandbox, lastName="Unseen"))
    assert created["id"] > 0
    assert set(created) == {"id"}
    assert sandbox.record("Contacts", created["id"])["lastName"] == "Unseen"
    assert len(upstream(sandbox, "/Contacts", method="POST")) == 1
    assert f"Contacts {created['id']}" in caplog.text
    assert sandbox.credentials.secret not in caplog.text


def test_a_confirmed_update_whose_read_back_fails_returns_its_id(sandbox, autotask):
    contact = autotask.create("Contacts", new_contact(sandbox))
    sandbox.set_faults(kind="error", status=404, method="GET", path_contains="/Contacts/")
    updated = autotask.update(
        "Contacts", {"id": contact["id"], "title": "Countess"}, parent_id=contact["companyID"]
    )
    assert updated == {"id": contact["id"]}
    assert sandbox.record("Contacts", contact["id"])["title"] == "Countess"
