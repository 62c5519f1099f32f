"""One organization's instances together hold at most a share of the web threads (#11).

Written by the review of #18/#11 and left failing for the trust work: ThreadShare counts per
instance and in total, not per organization, so a tenant that creates as many instances as
the share allows (nothing limits instances per organization) holds every upstream thread, and
every other tenant's hub call is a 429 at once. With the fix, the organization's instances
together hold at most `per_organization` threads (the wait here was "every instance holds
one", which a per-organization share cannot reach; it now waits for the share to be held)."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from connector.api.deps import THREADS
from connector.api.thread_share import InstanceBusyError, ThreadShare
from connector.config import Settings
from tests.fixtures.hub import BASE, HubApi, instance_body


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(web_threads=4, instance_thread_share=0.25)  # 1 per instance


def _wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def _instance(live_server, tenant, sandbox) -> HubApi:
    created = requests.post(
        live_server.url + BASE + "/instances",
        json=instance_body(sandbox),
        headers=tenant.headers(),
        timeout=30,
    )
    assert created.status_code == 200, created.text
    body = created.json()
    return HubApi(live_server.url, tenant.headers(body["token"]), body)


def test_one_organizations_instances_cannot_take_every_thread_from_another(
    app, live_server, make_tenant, sandbox
):
    hostile, victim = make_tenant("Hostile org"), make_tenant("Victim org")
    share = app.extensions[THREADS]
    mine = [_instance(live_server, hostile, sandbox) for _ in range(share.total)]
    theirs = _instance(live_server, victim, sandbox)
    for hub in [*mine, theirs]:
        assert hub.get("contacts", pageSize=1).status_code == 200  # metadata cached
    sandbox.set_faults(kind="latency", seconds=2.0, count=len(mine), path_contains="Contacts/query")
    held: list[requests.Response] = []
    threads = [
        threading.Thread(target=lambda h=h: held.append(h.get("contacts", pageSize=1)))
        for h in mine
    ]
    for thread in threads:
        thread.start()
    try:
        # the organization holds its share; its other instances' calls were refused at once
        org = hostile.organization_id
        refused = len(mine) - share.per_organization
        _wait_until(
            lambda: (
                share.running_for_organization(org) == share.per_organization
                and len(held) == refused
            )
        )
        assert [r.status_code for r in held] == [429] * refused, [r.text for r in held]
        assert all("organization's share" in r.json()["message"] for r in held)
        answer = theirs.get("contacts", pageSize=1)
        assert answer.status_code == 200, answer.text
    finally:
        for thread in threads:
            thread.join(30)
    assert sorted(r.status_code for r in held) == [200] * share.per_organization + [429] * refused
    assert share.running_for_organization(hostile.organization_id) == 0


def test_the_organizations_share_is_counted_and_given_back_across_its_instances():
    share = ThreadShare(4, 0.5)  # 2 per instance, 2 per organization, 3 in all
    share.enter(1, 10)
    share.enter(2, 10)
    with pytest.raises(InstanceBusyError, match="organization's share"):
        share.enter(3, 10)  # a third instance of the same organization
    share.enter(4, 20)  # another organization still has room
    share.leave(1, 10)
    share.enter(3, 10)  # the organization's thread given back is taken again
    assert share.running_for_organization(10) == 2
    assert share.running_for_organization(20) == 1
