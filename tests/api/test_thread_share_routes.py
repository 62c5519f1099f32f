"""The per-instance share of web threads holds on every route that may wait on Autotask, not
only the hub's: a bulk job's start and an instance-level virtual-resource save are refused
at once (429, Retry-After) while the instance holds its share, and served once it is free."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from connector.api.deps import THREADS
from connector.config import Settings

MY_CONTACTS = {"fields": [{"path": "fullName", "type": "string"}]}
MY_CONTACTS_MAP = {
    "vendorName": "contacts",
    "fields": [{"path": "fullName", "vendorPath": "lastName", "configuration": []}],
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(web_threads=4, instance_thread_share=0.25)  # 1 per instance


def _wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_bulk_and_virtual_routes_take_the_instances_share(app, connect_hub, sandbox):
    hub = connect_hub(sandbox)
    instance_id = hub.instance["id"]
    share = app.extensions[THREADS]
    assert hub.get("contacts", pageSize=1).status_code == 200  # metadata cached
    org_definition = hub.url + "/organizations/objects/myContacts/definitions"
    assert requests.post(org_definition, json=MY_CONTACTS, headers=hub.headers, timeout=30).ok

    def bulk_start() -> requests.Response:
        return hub.call("POST", "bulk/query", params={"q": "select * from contacts"})

    def vdr_save() -> requests.Response:
        path = f"/instances/{instance_id}/transformations/myContacts"
        return requests.post(hub.url + path, json=MY_CONTACTS_MAP, headers=hub.headers, timeout=30)

    sandbox.set_faults(kind="latency", seconds=2.0, count=1, path_contains="Contacts/query")
    held: list[requests.Response] = []
    slow = threading.Thread(target=lambda: held.append(hub.get("contacts", pageSize=1)))
    slow.start()
    try:
        _wait_until(lambda: share.running(instance_id) == 1)
        before = len(sandbox.requests())
        for refused in (bulk_start(), vdr_save()):
            assert refused.status_code == 429, refused.text
            assert refused.headers["Retry-After"] == "1"
            assert "share" in refused.json()["message"]
        assert len(sandbox.requests()) == before  # nothing was asked of Autotask
    finally:
        slow.join(30)
    assert held and held[0].status_code == 200
    assert share.running(instance_id) == 0
    started = bulk_start()
    assert started.status_code == 200, started.text
    assert vdr_save().status_code == 200
    assert share.running(instance_id) == 0  # each left its thread when answered
