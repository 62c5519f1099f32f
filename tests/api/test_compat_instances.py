"""Cloud Elements' instance calls the connector takes as Cloud Elements did (issue #18):
readable tokens when the operator allows them, ignored foreign configuration keys, the first
tag from the name, token-scoped and element-scoped routes, and the cloudElements model."""

from __future__ import annotations

import dataclasses

import pytest

from tests.api.test_instances import Api
from tests.fixtures.hub import instance_body


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, readable_tokens=True)


@pytest.fixture
def api(live_server, tenant):
    return Api(live_server, tenant)


def test_a_cloud_elements_client_reads_its_instance_back(api, sandbox):
    # a platform key this element does not serve (event.vendor.type is served since #13)
    body = instance_body(sandbox, configuration={"event.notification.instance.finder": "none"})
    del body["tags"]
    body["configuration"]["crm.autotask.model"] = "cloudElements"
    created = api.create(body)
    assert created.status_code == 200, created.text
    assert "event.notification.instance.finder" in created.headers["Elements-Warning"]
    instance, token = created.json(), created.json()["token"]
    assert instance["tags"] == [instance["name"]]  # the name is the first tag
    listed = api.call("GET", "/instances").json()
    assert [i["token"] for i in listed] == [token]
    assert api.call("GET", f"/instances/{instance['id']}").json()["token"] == token
    assert (
        api.call("GET", f"/elements/autotaskcrm/instances/{instance['id']}").json()["id"]
        == (instance["id"])
    )
    rows = api.call("GET", "/instances/configuration", token=token).json()
    assert {row["key"] for row in rows} >= {"crm.autotask.model", "crm.autotask.username"}
    renamed = api.call("PATCH", "/instances", token=token, json={"name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"
    assert api.call("DELETE", f"/instances/{instance['id']}/enabled").json()["disabled"] is True
    assert api.call("GET", "/hubs/crm/accounts", token=token).status_code == 403
    assert api.call("PUT", f"/instances/{instance['id']}/enabled").json()["disabled"] is False
    accounts = api.call("GET", "/hubs/crm/accounts?pageSize=2", token=token)
    assert accounts.status_code == 200, accounts.text
    first = accounts.json()[0]
    stored = sandbox_record(api, sandbox, token, "Companies", first["id"])
    assert first["accountName"] == stored["companyName"]
    assert first["accountType"] == stored["companyType"]  # the picklist id, not a label


def sandbox_record(api, sandbox, token, entity, record_id):
    import requests

    response = requests.get(f"{sandbox.url}/_sandbox/records/{entity}/{record_id}", timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    return body.get("item", body)


def test_own_namespace_typos_stay_refused_and_elements_are_named(api, sandbox):
    body = instance_body(sandbox, configuration={"crm.autotask.colour": "red"})
    assert api.create(body).status_code == 400
    assert api.call("GET", "/elements/autotaskcrm").json()["key"] == "autotaskcrm"
    events = api.call("GET", "/elements/50/metadata").json()["events"]
    assert events == {"supported": True, "methods": ["webhook", "polling"], "default": "webhook"}
    assert api.call("GET", "/elements/salesforce").status_code == 404
