"""Objects, metadata, native entities, deep links and upstream failures over real HTTP."""

from __future__ import annotations

import re

import pytest
import requests


def test_objects_lists_normalized_and_native_names(hub):
    names = hub.ok("GET", "objects")
    assert {
        "accounts",
        "contacts",
        "opportunities",
        "leads",
        "tasks",
        "notes",
        "users",
        "incidents",
    } <= set(names)
    assert "Companies" in names


def test_metadata_of_a_normalized_resource_has_labels_and_operators(hub):
    fields = {f["path"]: f for f in hub.ok("GET", "objects/accounts/metadata")["fields"]}
    assert "Customer" in [
        p["label"] if isinstance(p, dict) else p for p in fields["type"]["picklistValues"]
    ]
    assert fields["id"]["vendorReadOnly"] is True and fields["id"]["readOnly"] is True
    assert fields["name"]["vendorRequired"] is True
    assert fields["name"]["filterable"]


def test_metadata_custom_fields_only(hub):
    fields = hub.ok("GET", "objects/Companies/metadata", params={"customFieldsOnly": "true"})
    names = {f["path"] for f in fields["fields"]}
    assert names == {"CustomerRanking", "Support Tier", "IntegrationReference"}
    tier = next(f for f in fields["fields"] if f["path"] == "Support Tier")
    assert [p["label"] for p in tier["picklistValues"]] == ["Gold", "Silver", "Bronze"]


def test_native_entities_answer_vendor_records_with_the_same_paging(hub, sandbox):
    page = hub.get("Companies", pageSize=3, where="companyType = 1")
    assert page.status_code == 200
    records = page.json()
    assert len(records) == 3 and all(r["companyType"] == 1 for r in records)
    assert "companyName" in records[0] and "Elements-Next-Page-Token" in page.headers
    one = hub.ok("GET", f"Companies/{records[0]['id']}")
    assert one["companyName"] == records[0]["companyName"]


def test_deep_links_open_the_right_execute_command_page(hub, sandbox):
    contact = hub.ok("GET", "contacts", params={"pageSize": 1})[0]
    link = contact["links"]["autotask"]
    assert "Code=OpenContact" in link and f"ContactID={contact['id']}" in link
    page = requests.get(link, timeout=10)
    assert page.status_code == 200
    assert contact["lastName"] in page.text and re.search(r"contact", page.text, re.I)


def test_disabled_instance_gives_403_but_objects_still_answer(hub):
    assert hub.call("DELETE", "../../instances/enabled").status_code == 200
    assert hub.get("contacts").status_code == 403
    assert hub.get("objects").status_code == 200


def test_an_unknown_resource_is_a_404(hub):
    response = hub.get("spaceships")
    assert response.status_code == 404 and "accounts" in response.json()["message"]


def test_a_missing_record_is_a_404(hub):
    assert hub.get("contacts/123456789").status_code == 404


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        pytest.param(
            {"kind": "error", "count": 20}, (502, 503), id="Autotask failing answers 502 or 503"
        ),
        pytest.param(
            {"kind": "drop", "count": 20}, (502, 503), id="dropped connections answer 502 or 503"
        ),
    ],
)
def test_upstream_outages_are_clean_errors(hub, sandbox, fault, status):
    hub.get("contacts", pageSize=1)  # metadata cached
    sandbox.set_faults(**fault)
    response = hub.get("contacts", pageSize=1)
    assert response.status_code in status, response.text
    body = response.json()
    assert set(body) == {"message", "requestId", "providerMessage"}
    assert "Traceback" not in response.text


def test_an_id_beyond_autotask_range_is_a_404_without_asking_autotask(hub, sandbox):
    sandbox.clear_requests()
    response = hub.get("contacts/99999999999999999999999")
    assert response.status_code == 404
    assert sandbox.requests() == []
