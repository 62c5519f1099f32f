"""An organization's definitions and transformations are at most ORG_DOCUMENTS names (#11):
its 8 MiB are counted by reading its documents back, which holds Redis for every tenant a time
growing with the number of names (35 ms for the 109,000 tiny definitions 8 MiB hold), so a
save past the count is refused before anything is read. Over real HTTP and a real Redis."""

from __future__ import annotations

import pytest
import requests

from connector.api.virtual_room import ORG_DOCUMENTS
from tests.fixtures.hub import BASE, instance_body

TINY = {"fields": [{"path": "a", "type": "string"}]}
TRANSFORMATION = {"vendorName": "contacts", "fields": [{"path": "a", "vendorPath": "lastName"}]}


@pytest.fixture
def api(live_server, tenant):
    def call(method: str, path: str, body=None) -> requests.Response:
        return requests.request(
            method, live_server.url + BASE + path, json=body, headers=tenant.headers(), timeout=60
        )

    return call


def test_names_past_the_count_are_refused_and_a_delete_makes_room(api, sandbox):
    instance = api("POST", "/instances", instance_body(sandbox)).json()
    mine = f"/instances/{instance['id']}/objects"
    assert api("POST", f"{mine}/own0/definitions", TINY).status_code == 200  # counted too
    many = {f"name{n}": TINY for n in range(ORG_DOCUMENTS - 1)}
    assert api("POST", "/organizations/objects/definitions", many).status_code == 200

    refused = [
        api("POST", "/organizations/objects/definitions", {"one-more": TINY}),
        api("POST", "/organizations/objects/one-more/definitions", TINY),
        api("PUT", "/organizations/objects/one-more/definitions", TINY),
        api("POST", f"{mine}/one-more/definitions", TINY),
        api("POST", "/organizations/elements/autotaskcrm/transformations/own0", TRANSFORMATION),
    ]
    for answer in refused:
        assert answer.status_code == 400, answer.text
        assert f"more than {ORG_DOCUMENTS} (they are {ORG_DOCUMENTS}" in answer.json()["message"]
        assert "delete some first" in answer.json()["message"]

    # a name already held is replaced at the count
    assert api("PUT", "/organizations/objects/name0/definitions", TINY).status_code == 200
    assert api("DELETE", "/organizations/objects/name1/definitions").status_code == 200
    assert api("POST", "/organizations/objects/one-more/definitions", TINY).status_code == 200
    assert api("POST", "/organizations/objects/two-more/definitions", TINY).status_code == 400
