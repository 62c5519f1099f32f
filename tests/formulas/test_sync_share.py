"""A formula's `?sync=true` execution holds a web thread while it waits on a worker (up to
30 s), so it takes the organization's share of threads as Autotask work does: past the share a
second synchronous call is refused at once (429, Retry-After) instead of taking another thread,
and the thread is given back when the answer is sent."""

from __future__ import annotations

import threading

import pytest
import requests

from connector.api.deps import THREADS
from connector.config import Settings
from tests.fixtures.jobs import wait_for
from tests.formulas.conftest import BASE, calling


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(web_threads=4, instance_thread_share=0.25)  # 1 per org


def test_a_waiting_sync_execution_takes_the_organizations_share(
    app, client, tenant, make_instance, receiver, live_server, settings, job_workers
):
    job_workers.start(settings, queues="formulas")
    _, instance = make_instance(calling(receiver.url + "/slow"), receiver.url + "/slow")
    _, second = make_instance(calling(receiver.url + "/slow"), receiver.url + "/slow")
    url, other = (
        f"{live_server.url}{BASE}/formulas/instances/{made['id']}/executions?sync=true"
        for made in (instance, second)
    )
    share = app.extensions[THREADS]
    receiver.hold("/slow")
    held: list[requests.Response] = []

    def call() -> None:
        held.append(requests.post(url, json={"n": 1}, headers=tenant.headers(), timeout=60))

    waiting = threading.Thread(target=call)
    waiting.start()
    try:
        receiver.wait_for("/slow")  # the first call waits on its execution now
        for target, which in ((url, "instance's share"), (other, "organization's share")):
            refused = requests.post(target, json={"n": 2}, headers=tenant.headers(), timeout=30)
            assert refused.status_code == 429, refused.text
            assert refused.headers["Retry-After"] == "1"
            assert which in refused.json()["message"]
        assert len(receiver.to("/slow")) == 1  # the refused calls started no execution
    finally:
        receiver.release("/slow")
        waiting.join(60)
    assert held and held[0].status_code == 200, held and held[0].text
    assert held[0].json()["status"] == "SUCCESS"
    wait_for(lambda: share.running(-instance["id"]) == 0, what="the thread given back")
    again = requests.post(url, json={"n": 3}, headers=tenant.headers(), timeout=60)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "SUCCESS"
