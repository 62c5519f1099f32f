"""Documents an earlier version stored past today's bounds (#11) neither break the service
nor evade the bounds: they read and serve, and changes are refused (a 400 saying what to
remove) until they are back under, while deletes and shrinking changes go through. Seeded
straight into Redis, as an earlier version left them; everything else over real HTTP."""

from __future__ import annotations

import json

import pytest
import requests

from connector.api.virtual_room import ORG_DOCUMENT_BYTES
from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy.schemas import MAX_IGNORED
from tests.fixtures.hub import BASE, instance_body

LEGACY_KEYS = 3 * MAX_IGNORED  # ignored keys an earlier version took by PATCH after PATCH


class Api:
    def __init__(self, live_server, tenant) -> None:
        self.url, self.tenant = live_server.url + BASE, tenant

    def __call__(self, method: str, path: str, body=None, token: str | None = None):
        return requests.request(
            method, self.url + path, json=body, headers=self.tenant.headers(token), timeout=60
        )


@pytest.fixture
def api(live_server, tenant) -> Api:
    return Api(live_server, tenant)


def _legacy_instance(app, api, sandbox) -> dict:
    created = api("POST", "/instances", instance_body(sandbox))
    assert created.status_code == 200, created.text
    doc = created.json()
    client, keys = get_redis(app), get_keys(app)
    record = json.loads(client.get(keys.instance(doc["id"])))
    record["configuration"].update({f"legacy.key{n}": "x" * 100 for n in range(LEGACY_KEYS)})
    client.set(keys.instance(doc["id"]), json.dumps(record))
    return doc


def test_an_instance_stored_past_the_configuration_bounds_serves_but_only_shrinks(
    app, api, sandbox
):
    doc = _legacy_instance(app, api, sandbox)
    path = f"/instances/{doc['id']}"
    assert api("GET", path).status_code == 200
    assert api("GET", "/hubs/crm/ping", token=doc["token"]).status_code == 200

    renamed = api("PATCH", path, {"name": "renamed"})
    assert renamed.status_code == 400
    message = renamed.json()["message"]
    assert f"{LEGACY_KEYS} keys this element does not use (at most {MAX_IGNORED})" in message
    assert "as null" in message
    more = api("PATCH", path, {"configuration": {"another.key": "y"}})
    assert more.status_code == 400

    assert api("DELETE", f"{path}/enabled").status_code == 200  # disabling is no change of size
    assert api("PUT", f"{path}/enabled").status_code == 200

    fewer = {f"legacy.key{n}": None for n in range(MAX_IGNORED)}
    assert api("PATCH", path, {"configuration": fewer}).status_code == 200  # smaller: taken
    replaced = api("PUT", path, instance_body(sandbox))  # everything anew: under the bounds
    assert replaced.status_code == 200, replaced.text
    assert api("PATCH", path, {"name": "renamed"}).status_code == 200


def test_patches_cannot_pile_ignored_keys_past_the_bound(api, sandbox):
    doc = api("POST", "/instances", instance_body(sandbox)).json()
    path = f"/instances/{doc['id']}"
    first = {f"other.a{n}": "v" for n in range(MAX_IGNORED)}
    assert api("PATCH", path, {"configuration": first}).status_code == 200
    second = api("PATCH", path, {"configuration": {"other.b": "v"}})
    assert second.status_code == 400
    assert f"at most {MAX_IGNORED}" in second.json()["message"]


def test_definitions_stored_past_the_organization_budget_read_but_block_saves(app, api, tenant):
    fields = [{"path": f"field{n}", "type": "string"} for n in range(1000)]
    doc = json.dumps({"fields": fields, "level": "organization"}, separators=(",", ":"))
    copies = ORG_DOCUMENT_BYTES // len(doc) + 2
    client, keys = get_redis(app), get_keys(app)
    client.hset(
        keys.definitions("org", tenant.organization_id),
        mapping={f"legacy{n}": doc for n in range(copies)},
    )

    listed = api("GET", "/organizations/objects/definitions")
    assert listed.status_code == 200 and len(listed.json()) == copies
    small = {"fields": [{"path": "name", "type": "string"}]}
    refused = api("POST", "/organizations/objects/fresh/definitions", small)
    assert refused.status_code == 400
    assert "more than 8 MiB" in refused.json()["message"]
    assert "delete some first" in refused.json()["message"]

    for n in range(3):
        assert api("DELETE", f"/organizations/objects/legacy{n}/definitions").status_code == 200
    assert api("POST", "/organizations/objects/fresh/definitions", small).status_code == 200


def test_new_credentials_on_an_instance_past_the_bounds_are_refused_before_autotask_is_asked(
    app, api, sandbox
):
    doc = _legacy_instance(app, api, sandbox)
    path = f"/instances/{doc['id']}"
    password = next(
        row
        for row in api("GET", f"{path}/configuration").json()
        if row["key"] == "crm.autotask.password"
    )
    sandbox.clear_requests()
    for sub, body in (
        ("", {"configuration": {"crm.autotask.password": "another-password"}}),
        (f"/configuration/{password['id']}", {"propertyValue": "another-password"}),
    ):
        refused = api("PATCH", path + sub, body)
        assert refused.status_code == 400, refused.text
        assert "keys this element does not use" in refused.json()["message"]
    assert sandbox.requests() == []  # neither the zone look-up nor a probe was sent
