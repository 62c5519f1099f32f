"""Two app objects on one Redis stand for two gunicorn workers: what one changes, the other
sees at once, although each keeps local copies of the hot reads."""

from __future__ import annotations

import requests

from tests.fixtures.app import LiveServer
from tests.fixtures.hub import HubApi


def _on(server: LiveServer, hub: HubApi) -> HubApi:
    return HubApi(server.url, hub.headers, hub.instance)


def test_a_deleted_instance_is_refused_at_once_by_every_worker(connect_hub, sandbox, second_worker):
    first = connect_hub(sandbox, cachingEnabled=True)
    second = _on(second_worker, first)
    contact = sandbox.ids("Contacts")[0]
    for _ in range(2):  # both workers now hold copies of the caller and the record
        assert first.get(f"contacts/{contact}").status_code == 200
        assert second.get(f"contacts/{contact}").status_code == 200
    platform = first.headers["Authorization"].rsplit(", Element", 1)[0]
    deleted = requests.delete(
        f"{second.url}/instances/{first.instance['id']}",
        headers={"Authorization": platform},
        timeout=10,
    )
    assert deleted.status_code == 200
    assert first.get(f"contacts/{contact}").status_code == 401
    assert second.get(f"contacts/{contact}").status_code == 401


def test_a_write_on_one_worker_is_read_on_the_other(connect_hub, sandbox, second_worker):
    first = connect_hub(sandbox, cachingEnabled=True)
    second = _on(second_worker, first)
    contact = sandbox.ids("Contacts")[0]
    assert first.get(f"contacts/{contact}").headers["Elements-Cache"] == "miss"
    assert first.get(f"contacts/{contact}").headers["Elements-Cache"] == "hit"
    second.ok("PATCH", f"contacts/{contact}", json={"title": "Seen Everywhere"})
    assert first.ok("GET", f"contacts/{contact}")["title"] == "Seen Everywhere"


def test_disabling_on_one_worker_is_seen_by_the_other(connect_hub, sandbox, second_worker):
    first = connect_hub(sandbox)
    second = _on(second_worker, first)
    assert first.get("contacts").status_code == 200
    assert second.call("DELETE", "../../instances/enabled").status_code == 200
    assert first.get("contacts").status_code == 403


def test_a_virtual_resource_defined_on_one_worker_answers_on_the_other(
    connect_hub, sandbox, second_worker
):
    from tests.api.test_virtual import ELEMENT, MY_CONTACTS, MY_CONTACTS_MAP

    first = connect_hub(sandbox)
    second = _on(second_worker, first)
    assert first.get("myContacts").status_code == 404  # the first worker remembers "none"
    platform = {"Authorization": first.headers["Authorization"]}
    for path, body in (
        ("/organizations/objects/myContacts/definitions", MY_CONTACTS),
        (f"{ELEMENT}/myContacts", MY_CONTACTS_MAP),
    ):
        response = requests.post(second.url + path, json=body, headers=platform, timeout=10)
        assert response.status_code == 200, response.text
    answer = first.get("myContacts", pageSize=2)
    assert answer.status_code == 200
    assert set(answer.json()[0]) >= {"fullName", "company"}
