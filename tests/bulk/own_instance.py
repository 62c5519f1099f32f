"""An instance of a test's own on the bulk package's server, deleted with its jobs after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from tests.fixtures.hub import BASE, HubApi


@contextmanager
def own_instance(bulk) -> Iterator[HubApi]:
    auth = {"Authorization": bulk.auth}
    made = requests.post(
        bulk.server.url + BASE + "/instances", json=bulk.instance_body(), headers=auth, timeout=30
    )
    assert made.status_code == 200, made.text
    instance = made.json()
    yield HubApi(
        bulk.server.url, {"Authorization": f"{bulk.auth}, Element {instance['token']}"}, instance
    )
    gone = requests.delete(
        f"{bulk.server.url}{BASE}/instances/{instance['id']}", headers=auth, timeout=30
    )
    assert gone.status_code == 200  # its jobs go with it (nothing left for later workers)
