"""The client factory keeps an instance's credentials in clear between requests, and never
uses a copy the instance document in hand no longer matches: a credential changed on this
worker or another, or a deleted instance, reaches Autotask with what is stored now."""

from __future__ import annotations

import pytest
import requests

from connector.tenancy.clients import ClientFactory
from connector.tenancy.secrets_box import SecretBox
from tests.fixtures.hub import BASE, HubApi

SECOND = {"username": "second@sandbox.local", "secret": "second-secret"}


class CountingBox(SecretBox):
    """A real box that counts its decryptions."""

    decrypted = 0

    def decrypt(self, ciphertext: str) -> str:
        self.decrypted += 1
        return super().decrypt(ciphertext)


@pytest.fixture
def two_users(make_sandbox, sandbox):
    default = {"username": sandbox.credentials.username, "secret": sandbox.credentials.secret}
    return make_sandbox(api_users=[default, SECOND])


def _platform(hub: HubApi) -> dict[str, str]:
    return {"Authorization": hub.headers["Authorization"].rsplit(", Element", 1)[0]}


def _patch_configuration(base_url: str, hub: HubApi, configuration: dict[str, str]) -> None:
    patched = requests.patch(
        f"{base_url}{BASE}/instances/{hub.instance['id']}",
        json={"configuration": configuration},
        headers=_platform(hub),
        timeout=30,
    )
    assert patched.status_code == 200, patched.text


def _users_seen(box, contact: int) -> set[str]:
    return {entry["username"] for entry in box.requests(path_contains=f"Contacts/{contact}")}


def test_the_factory_decrypts_once_per_stored_ciphertext(app, settings, connect_hub, sandbox):
    hub = connect_hub(sandbox)
    deps = app.extensions["connector.deps"]
    box = CountingBox(deps.box_key)
    factory = ClientFactory(settings=settings, client=deps.local.redis, keys=deps.keys, box=box)
    instance = deps.instances.get(hub.instance["id"])
    first, again = factory(instance), factory(instance)
    assert box.decrypted == 2  # the secret and the integration code, once
    assert again.credentials == first.credentials
    assert again is not first  # a client per call: its statistics are that call's
    instance.set_config("crm.autotask.password", "changed-secret", box)  # a new ciphertext
    assert factory(instance).credentials.secret == "changed-secret"
    assert box.decrypted == 4
    assert instance.id in factory
    factory.forget(instance.id)
    assert instance.id not in factory


def test_a_credential_changed_on_another_worker_is_used_on_the_next_read(
    connect_hub, two_users, second_worker
):
    first = connect_hub(two_users)
    contact = two_users.ids("Contacts")[0]
    assert first.get(f"contacts/{contact}").status_code == 200  # its credentials kept
    # the other worker changes them: this one hears of it only through the instance document
    _patch_configuration(
        second_worker.url,
        first,
        {"crm.autotask.username": SECOND["username"], "crm.autotask.password": SECOND["secret"]},
    )
    two_users.clear_requests()
    assert first.get(f"contacts/{contact}").status_code == 200
    assert _users_seen(two_users, contact) == {SECOND["username"]}


def test_a_rotated_secret_is_used_at_once_and_the_old_one_is_never_sent(
    live_server, connect_hub, two_users
):
    hub = connect_hub(two_users)
    contact = two_users.ids("Contacts")[0]
    assert hub.get(f"contacts/{contact}").status_code == 200
    default = two_users.credentials.username
    two_users.configure(api_users=[{"username": default, "secret": "rotated-secret"}, SECOND])
    _patch_configuration(live_server.url, hub, {"crm.autotask.password": "rotated-secret"})
    two_users.clear_requests()
    answer = hub.get(f"contacts/{contact}")
    assert answer.status_code == 200, answer.text  # the old secret would be Autotask's 401
    assert [e["status"] for e in two_users.requests(path_contains="Contacts/")] == [200]


def test_a_deleted_instance_reaches_autotask_no_more(app, live_server, connect_hub, sandbox):
    hub = connect_hub(sandbox)
    contact = sandbox.ids("Contacts")[0]
    assert hub.get(f"contacts/{contact}").status_code == 200
    factory = app.extensions["connector.deps"].clients
    assert hub.instance["id"] in factory
    deleted = requests.delete(
        f"{live_server.url}{BASE}/instances/{hub.instance['id']}",
        headers=_platform(hub),
        timeout=30,
    )
    assert deleted.status_code == 200
    assert hub.instance["id"] not in factory  # its secrets in clear are gone from memory
    sandbox.clear_requests()
    assert hub.get(f"contacts/{contact}").status_code == 401
    assert sandbox.requests() == []
