"""/instances over real HTTP, against the sandbox as the Autotask upstream."""

from __future__ import annotations

import copy
import logging

import pytest
import requests

from tests.fixtures.hub import instance_body

BASE = "/elements/api-v2"


def seed_body(sandbox, **config) -> dict:
    """The Cloud Elements docs' body (seed 003), with the sandbox's user, secret and URL."""
    return instance_body(sandbox, configuration=config, tags=["Docs"], name="API Instance")


class Api:
    def __init__(self, live_server, tenant):
        self.url = live_server.url + BASE
        self.tenant = tenant

    def call(self, method, path, token=None, tenant=None, **kwargs):
        headers = (tenant or self.tenant).headers(token)
        headers.update(kwargs.pop("headers", {}))
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def create(self, body, **kwargs):
        return self.call("POST", "/instances", json=body, **kwargs)


@pytest.fixture
def api(live_server, tenant):
    return Api(live_server, tenant)


@pytest.fixture
def created(api, sandbox):
    response = api.create(seed_body(sandbox))
    assert response.status_code == 200, response.text
    return response.json()


def test_seed_body_gets_a_token_that_answers_ping(api, sandbox, tenant, created):
    assert created["token"] and created["id"]
    assert created["element"]["key"] == "autotaskcrm" and created["elementId"] == 50
    assert created["tags"] == ["Docs"] and created["name"] == "API Instance"
    assert created["valid"] is True and created["disabled"] is False
    assert created["user"]["id"] == tenant.user_id
    for key in (
        "createdDate",
        "eventsEnabled",
        "cachingEnabled",
        "cacheTimeToLive",
        "maxCacheSize",
        "traceLoggingEnabled",
        "configuration",
    ):
        assert key in created
    assert created["configuration"]["crm.autotask.password"] == "********"
    assert created["configuration"]["crm.autotask.integration.code"] == "********"
    ping = api.call("GET", "/hubs/crm/ping", token=created["token"])
    assert ping.status_code == 200, ping.text
    assert ping.json()["instanceId"] == created["id"]


def test_element_url_form_creates_without_element_in_body(api, sandbox):
    body = seed_body(sandbox)
    del body["element"]
    response = api.call("POST", "/elements/autotaskcrm/instances", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["element"]["key"] == "autotaskcrm"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        pytest.param(
            lambda b: b.update(element={"key": "salesforce"}),
            "salesforce",
            id="an unknown element key is named",
        ),
        pytest.param(
            lambda b: b["configuration"].pop("crm.autotask.password"),
            "crm.autotask.password",
            id="a missing configuration key is named",
        ),
        pytest.param(
            lambda b: b["configuration"].update({"crm.autotask.server.url": "ww2 dot"}),
            "crm.autotask.server.url",
            id="a malformed server URL is named",
        ),
        pytest.param(
            lambda b: b["configuration"].update({"crm.autotask.colour": "red"}),
            "crm.autotask.colour",
            id="an unknown configuration key is named",
        ),
        pytest.param(lambda b: b.pop("name"), "name", id="a missing name is named"),
        pytest.param(lambda b: b.update(tags="Docs"), "tags", id="tags that are not a list"),
    ],
)
def test_bad_bodies_give_400_naming_the_problem(api, sandbox, change, fragment):
    body = seed_body(sandbox)
    change(body)
    response = api.create(body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]
    assert api.call("GET", "/instances").json() == []


def test_malformed_json_gives_json_400(api):
    response = api.call(
        "POST", "/instances", data="{oops", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "requestId", "providerMessage"}


@pytest.mark.parametrize(
    ("config", "provider_fragment"),
    [
        pytest.param(
            {"crm.autotask.password": "wrong-secret"}, None, id="a wrong secret (Autotask 401)"
        ),
        pytest.param(
            {"crm.autotask.integration.code": "WRONG0CODE"},
            "IntegrationCode",
            id="a wrong integration code (Autotask 500 with its text)",
        ),
        pytest.param(
            {"crm.autotask.username": "nobody@sandbox.local"},
            "Zone information",
            id="an unknown username (zone discovery fails)",
        ),
    ],
)
def test_bad_credentials_give_400_with_autotask_text_and_create_nothing(
    api, sandbox, redis_client, key_prefix, config, provider_fragment
):
    response = api.create(seed_body(sandbox, **config))
    assert response.status_code == 400, response.text
    body = response.json()
    if provider_fragment:
        assert provider_fragment in (body["providerMessage"] or "")
    assert api.call("GET", "/instances").json() == []
    assert not list(redis_client.scan_iter(match=f"{key_prefix}instance:*"))


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(None, 401, id="no Authorization header"),
        pytest.param("User nope, Organization nope", 401, id="unknown secrets"),
        pytest.param("Bearer abc", 401, id="another scheme"),
    ],
)
def test_platform_calls_need_valid_secrets(live_server, header, status):
    headers = {"Authorization": header} if header else {}
    response = requests.get(live_server.url + BASE + "/instances", headers=headers, timeout=5)
    assert response.status_code == status
    assert response.json()["message"]


def test_organizations_see_only_their_own_instances(api, make_tenant, created):
    other = make_tenant("Other org")
    assert api.call("GET", f"/instances/{created['id']}", tenant=other).status_code == 404
    assert api.call("GET", "/instances", tenant=other).json() == []
    assert api.call("DELETE", f"/instances/{created['id']}", tenant=other).status_code == 404
    # the token is useless with another organization's secrets
    ping = api.call("GET", "/hubs/crm/ping", token=created["token"], tenant=other)
    assert ping.status_code == 401


def test_mismatched_user_and_organization_secrets_are_refused(api, make_tenant, tenant):
    other = make_tenant("Other org")
    headers = {
        "Authorization": f"User {tenant.user_secret}, Organization {other.organization_secret}"
    }
    response = requests.get(api.url + "/instances", headers=headers, timeout=5)
    assert response.status_code == 401


def test_deleting_refuses_the_token_at_once(api, created):
    assert api.call("DELETE", f"/instances/{created['id']}").status_code == 200
    assert api.call("GET", "/hubs/crm/ping", token=created["token"]).status_code == 401
    assert api.call("GET", f"/instances/{created['id']}").status_code == 404


def test_disabling_gives_403_on_hub_calls_until_enabled(api, created):
    token = created["token"]
    disabled = api.call("DELETE", "/instances/enabled", token=token)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    refused = api.call("GET", "/hubs/crm/ping", token=token)
    assert refused.status_code == 403 and "disabled" in refused.json()["message"]
    assert api.call("PUT", "/instances/enabled", token=token).json()["disabled"] is False
    assert api.call("GET", "/hubs/crm/ping", token=token).status_code == 200


def test_rotating_the_token_refuses_the_old_one(api, created):
    rotated = api.call("POST", f"/instances/{created['id']}/token")
    assert rotated.status_code == 200
    new_token = rotated.json()["token"]
    assert new_token != created["token"]
    assert api.call("GET", "/hubs/crm/ping", token=created["token"]).status_code == 401
    assert api.call("GET", "/hubs/crm/ping", token=new_token).status_code == 200
    assert "token" not in api.call("GET", f"/instances/{created['id']}").json()


def test_list_filters_by_tags(api, sandbox):
    first = seed_body(sandbox)
    second = copy.deepcopy(first)
    second["tags"], second["name"] = ["Prod"], "Second"
    api.create(first)
    api.create(second)
    names = [i["name"] for i in api.call("GET", "/instances", params={"tags[]": "Prod"}).json()]
    assert names == ["Second"]
    assert len(api.call("GET", "/instances").json()) == 2


def test_patch_is_partial_and_tags_replace_the_list(api, created):
    response = api.call(
        "PATCH",
        f"/instances/{created['id']}",
        json={"tags": ["a", "<b>b</b>"], "cachingEnabled": True},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tags"] == ["a", "b"] and body["name"] == "API Instance"
    assert body["cachingEnabled"] is True


def test_put_reprobes_credentials_and_keeps_the_instance_on_failure(api, sandbox, created):
    body = seed_body(sandbox, **{"crm.autotask.password": "wrong-secret"})
    body["name"] = "Renamed"
    refused = api.call("PUT", f"/instances/{created['id']}", json=body)
    assert refused.status_code == 400
    assert api.call("GET", f"/instances/{created['id']}").json()["name"] == "API Instance"
    good = seed_body(sandbox)
    good["name"] = "Renamed"
    good["configuration"]["crm.autotask.password"] = "********"  # "keep what is stored"
    accepted = api.call("PUT", f"/instances/{created['id']}", json=good)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["name"] == "Renamed"
    assert api.call("GET", "/hubs/crm/ping", token=created["token"]).status_code == 200


def test_configuration_rows_read_and_patch(api, created):
    rows = api.call("GET", f"/instances/{created['id']}/configuration").json()
    by_key = {row["key"]: row for row in rows}
    assert by_key["crm.autotask.password"]["propertyValue"] == "********"
    ttl = by_key["crm.autotask.cache.ttl"]
    patched = api.call(
        "PATCH",
        f"/instances/{created['id']}/configuration/{ttl['id']}",
        json={"propertyValue": "120"},
    )
    assert patched.status_code == 200 and patched.json()["propertyValue"] == "120"
    assert api.call("GET", f"/instances/{created['id']}").json()["cacheTimeToLive"] == 120
    password = by_key["crm.autotask.password"]
    refused = api.call(
        "PATCH",
        f"/instances/{created['id']}/configuration/{password['id']}",
        json={"propertyValue": "wrong-secret"},
    )
    assert refused.status_code == 400
    assert api.call("GET", "/hubs/crm/ping", token=created["token"]).status_code == 200
    bad = api.call(
        "PATCH",
        f"/instances/{created['id']}/configuration/{ttl['id']}",
        json={"propertyValue": "soon"},
    )
    assert bad.status_code == 400 and "crm.autotask.cache.ttl" in bad.json()["message"]


def test_no_secret_in_responses_logs_or_redis(
    api, sandbox, tenant, redis_client, key_prefix, caplog
):
    secret = sandbox.credentials.secret
    code = sandbox.credentials.integration_code
    with caplog.at_level(logging.DEBUG):
        created = api.create(seed_body(sandbox))
        token = created.json()["token"]
        listed = api.call("GET", "/instances")
        single = api.call("GET", f"/instances/{created.json()['id']}")
        rows = api.call("GET", f"/instances/{created.json()['id']}/configuration")
        api.call("GET", "/hubs/crm/ping", token=token)
    for response in (listed, single, rows):
        assert secret not in response.text and code not in response.text
        assert token not in response.text
    forbidden = [secret, code, token, tenant.user_secret, tenant.organization_secret]
    for value in forbidden:
        assert value not in caplog.text
    keys = list(redis_client.scan_iter(match=f"{key_prefix}*"))
    assert keys
    for key in keys:
        kind = redis_client.type(key)
        if kind == "string":
            stored = [redis_client.get(key)]
        elif kind == "set":
            stored = list(redis_client.smembers(key))
        elif kind == "hash":
            stored = [f"{k}={v}" for k, v in redis_client.hgetall(key).items()]
        elif kind == "zset":
            stored = list(redis_client.zrange(key, 0, -1))
        elif kind == "list":
            stored = redis_client.lrange(key, 0, -1)
        else:
            stored = []
        for value in forbidden:
            assert all(value not in (item or "") for item in stored), key
            assert value not in key, key


def test_single_tenant_secrets_compare_any_header_text(settings, live_server):
    from connector.app import create_app
    from tests.fixtures.app import LiveServer

    org, user = "org-s-0123456789ab", "user-s-0123456789ab"
    tenant_app = create_app(settings.with_overrides(org_secret=org, user_secret=user))
    server = LiveServer(tenant_app).start()
    try:
        ok = requests.get(
            server.url + BASE + "/instances",
            timeout=5,
            headers={"Authorization": f"User {user}, Organization {org}"},
        )
        odd = requests.get(
            server.url + BASE + "/instances",
            timeout=5,
            headers={"Authorization": f"User usér-s-0123456789ab, Organization {org}".encode()},
        )
        assert ok.status_code == 200 and ok.json() == []
        assert odd.status_code == 401
    finally:
        server.stop()
        tenant_app.extensions["connector.deps"].local.close()
