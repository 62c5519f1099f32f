"""The event configuration keys: checked before anything is stored, a signature key made and
shown once, defaults of the poller configuration read from each map's changeTracking."""

from __future__ import annotations

import json

import pytest

from connector.config import Settings
from connector.events import config
from connector.mapping import load_maps
from tests.fixtures.hub import BASE, instance_body

CALLBACK = "http://127.0.0.1:9/events"  # loopback: allowed only when the operator says so


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(events_allow_private_callbacks=True)


def create(client, tenant, sandbox, **configuration):
    body = instance_body(sandbox, configuration=configuration)
    return client.post(f"{BASE}/instances", json=body, headers=tenant.headers())


def stored_instances(client, tenant) -> list:
    return client.get(f"{BASE}/instances", headers=tenant.headers()).get_json()


ON = {"event.notification.enabled": "true", "event.notification.callback.url": CALLBACK}


@pytest.mark.parametrize(
    ("configuration", "key"),
    [
        pytest.param(
            {"event.notification.enabled": "true"},
            "event.notification.callback.url",
            id="events on without a callback URL",
        ),
        pytest.param(
            {**ON, "event.notification.callback.url": "ftp://example.org/x"},
            "event.notification.callback.url",
            id="a callback URL that is not http(s)",
        ),
        pytest.param(
            {**ON, "event.vendor.type": "push"}, "event.vendor.type", id="an unknown vendor type"
        ),
        pytest.param(
            {**ON, "event.objects": "accounts,widgets"},
            "event.objects",
            id="a resource that does not exist",
        ),
        pytest.param(
            {**ON, "event.objects": "users"},
            "event.objects",
            id="a resource Autotask dates no change of",
        ),
        pytest.param(
            {**ON, "event.poller.refresh_interval": "0"},
            "event.poller.refresh_interval",
            id="a zero refresh interval",
        ),
        pytest.param(
            {**ON, "event.poller.refresh_interval": "1e9"},
            "event.poller.refresh_interval",
            id="a refresh interval that is no plain number",
        ),
        pytest.param(
            {**ON, "event.poller.refresh_interval": "99999"},
            "event.poller.refresh_interval",
            id="a refresh interval over a week",
        ),
        pytest.param(
            {**ON, "event.poller.configuration": "{not json"},
            "event.poller.configuration",
            id="a poller configuration that is not JSON",
        ),
        pytest.param(
            {**ON, "event.poller.configuration": json.dumps({"accounts": {"url": "/accounts"}})},
            "event.poller.configuration",
            id="a poller url without a date placeholder",
        ),
        pytest.param(
            {
                **ON,
                "event.poller.configuration": json.dumps(
                    {"accounts": {"datesConfiguration": {"updatedDateField": "nope"}}}
                ),
            },
            "event.poller.configuration",
            id="a poller date field the resource does not have",
        ),
        pytest.param(
            {**ON, "event.poller.configuration": json.dumps({"tasks": {"idField": "id"}})},
            "event.poller.configuration",
            id="a poller entry of a resource not watched",
        ),
        pytest.param(
            {**ON, "event.notification.signature.key": "short"},
            "event.notification.signature.key",
            id="a signature key too short to be secret",
        ),
    ],
)
def test_a_bad_event_key_is_a_400_naming_it_and_nothing_is_stored(
    client, tenant, sandbox, configuration, key
):
    answer = create(client, tenant, sandbox, **configuration)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert f"configuration.{key}" in answer.get_json()["message"]
    assert stored_instances(client, tenant) == []


def test_a_private_callback_is_refused_unless_the_operator_allows_it(
    redis_url, key_prefix, tmp_path, make_sandbox
):
    from cryptography.fernet import Fernet

    from connector.app import create_app
    from connector.storage.redis_conn import get_keys, get_redis
    from connector.tenancy.accounts import AccountStore

    strict = Settings(
        redis_url=redis_url,
        key_prefix=key_prefix,
        data_dir=str(tmp_path / "data"),
        secret_key=Fernet.generate_key().decode(),
    )
    app = create_app(strict)
    try:
        account = AccountStore(get_redis(app), get_keys(app)).create(
            organization_name="Strict", email="strict@x.test"
        )
        headers = {
            "Authorization": f"User {account.user_secret}, Organization "
            f"{account.organization_secret}"
        }
        sandbox = make_sandbox()
        client = app.test_client()
        for url in ("http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://[::1]/hook"):
            body = instance_body(
                sandbox, configuration={**ON, "event.notification.callback.url": url}
            )
            answer = client.post(f"{BASE}/instances", json=body, headers=headers)
            assert answer.status_code == 400, url
            assert "event.notification.callback.url" in answer.get_json()["message"]
        assert client.get(f"{BASE}/instances", headers=headers).get_json() == []
    finally:
        app.extensions["connector.deps"].local.close()


def test_a_signature_key_is_made_shown_once_and_stored_encrypted(app, client, tenant, sandbox):
    answer = create(client, tenant, sandbox, **ON)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    created = answer.get_json()
    key = created["configuration"]["event.notification.signature.key"]
    assert len(key) >= 32 and key != "********"
    assert created["eventsEnabled"] is True
    again = client.get(f"{BASE}/instances/{created['id']}", headers=tenant.headers()).get_json()
    assert again["configuration"]["event.notification.signature.key"] == "********"
    deps = app.extensions["connector.deps"]
    stored = deps.instances.get(created["id"])
    assert key not in json.dumps(stored.secrets)  # ciphertext only
    assert stored.config_value("event.notification.signature.key", deps.box) == key
    # a later change keeps it and shows it no more
    patched = client.patch(
        f"{BASE}/instances/{created['id']}",
        json={"configuration": {"event.objects": "accounts"}},
        headers=tenant.headers(),
    ).get_json()
    assert patched["configuration"]["event.notification.signature.key"] == "********"
    assert (
        deps.instances.get(created["id"]).config_value("event.notification.signature.key", deps.box)
        == key
    )


def test_a_given_signature_key_is_kept_and_not_echoed(client, tenant, sandbox):
    given = "a-signature-key-of-the-users-own"
    answer = create(client, tenant, sandbox, **ON, **{"event.notification.signature.key": given})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["configuration"]["event.notification.signature.key"] == "********"


def test_events_off_with_event_keys_needs_no_callback(client, tenant, sandbox):
    answer = create(client, tenant, sandbox, **{"event.objects": "accounts,incidents"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["eventsEnabled"] is False


def test_the_parsed_settings_take_their_defaults_from_the_maps(settings):
    maps = load_maps(settings.transformations_dir)
    parsed = config.read(
        {
            config.OBJECTS: "accounts, opportunities",
            config.REFRESH_INTERVAL: "0.25",  # 15 s: floored to EVENTS_MIN_POLL_SECONDS
            config.RECONCILE_INTERVAL: "0",
            config.POLLER_CONFIGURATION: json.dumps({"accounts": {"idField": "id"}}),
        },
        enabled=True,
        maps=maps,
        settings=settings.with_overrides(events_min_poll_seconds=60.0),
    )
    assert parsed.objects == ("accounts", "opportunities")
    assert parsed.interval_seconds == 60.0
    assert parsed.reconcile_seconds == 0.0
    assert parsed.vendor_type == "webhook" and parsed.raw is True
    opportunities = parsed.poller["opportunities"]
    # Opportunities date a change in lastActivity (reference: events.md), normalized as
    # lastActivityDate
    assert opportunities.entity == "Opportunities"
    assert opportunities.changed_vendor_field == "lastActivity"
    assert opportunities.updated_field == "lastActivityDate"
    assert opportunities.created_vendor_field == "createDate"
    assert "${gmtDate:" in opportunities.url
    assert parsed.poller["accounts"].changed_vendor_field == "lastActivityDate"


def test_every_watchable_map_names_fields_its_entity_has(sandbox, settings):
    """Each map's changeTracking names fields the sandbox's entity really has."""
    import requests

    maps = load_maps(settings.transformations_dir)
    watched = {name: m for name, m in maps.items() if m.change_tracking}
    assert {"accounts", "contacts", "opportunities", "incidents"} <= set(watched)
    assert "users" not in watched  # Resources: Autotask dates no change
    for name, resource_map in watched.items():
        answer = requests.get(
            f"{sandbox.rest_url}/{resource_map.entity}/entityInformation/fields",
            headers=sandbox.credentials.headers(),
            timeout=10,
        )
        assert answer.status_code == 200, (name, answer.text)
        names = {f["name"] for f in answer.json()["fields"]}
        for field in resource_map.change_tracking.values():
            assert field in names, (name, field)


def test_listeners_hear_of_on_off_and_deletion(app, client, tenant, sandbox):
    from connector.events.env import EventsEnv

    heard = []
    EventsEnv.of_app(app).on_change(
        lambda env, instance_id, settings: heard.append(
            (instance_id, None if settings is None else settings.enabled)
        )
    )
    created = create(client, tenant, sandbox, **ON).get_json()
    iid = created["id"]
    client.delete(f"{BASE}/instances/{iid}/enabled", headers=tenant.headers())
    client.put(f"{BASE}/instances/{iid}/enabled", headers=tenant.headers())
    client.patch(
        f"{BASE}/instances/{iid}",
        json={"configuration": {"event.notification.enabled": "false"}},
        headers=tenant.headers(),
    )
    client.delete(f"{BASE}/instances/{iid}", headers=tenant.headers())
    assert heard == [(iid, True), (iid, False), (iid, True), (iid, False), (iid, None)]
