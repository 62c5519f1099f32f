"""An instance holds at most MAX_JOBS_HELD bulk jobs within their retention (#11): each keeps
its result in Redis for BULK_RETENTION_HOURS. One more start is a 409 naming the limit before
anything is sent to Autotask; a job that expired with its retention, or was deleted, makes
room. (An instance of its own: the package's other tests start jobs on the shared one.)"""

from __future__ import annotations

import pytest

from connector.bulk import held
from connector.storage.redis_conn import get_keys
from tests.bulk.own_instance import own_instance

CAP = 2


@pytest.fixture
def hub(bulk, monkeypatch):
    monkeypatch.setattr(held, "MAX_JOBS_HELD", CAP)
    with own_instance(bulk) as api:
        yield api


def _start(hub):
    return hub.call("POST", "bulk/query", params={"q": "select * from contacts"})


def test_starts_past_the_cap_are_a_409_until_a_job_goes(bulk, hub):
    first, second = _start(hub), _start(hub)
    assert (first.status_code, second.status_code) == (200, 200), first.text
    bulk.sandbox.clear_requests()
    refused = _start(hub)
    assert refused.status_code == 409
    assert f"This instance holds {CAP} bulk jobs" in refused.json()["message"]
    # refused before the start's count query (a worker of the package may run the first two)
    assert bulk.sandbox.requests(path_contains="query/count") == []

    # a job whose keys expired with its retention leaves an id in the index: not counted
    bulk.redis.delete(get_keys(bulk.app).bulk_job(first.json()["id"]))
    third = _start(hub)
    assert third.status_code == 200, third.text
    assert len(bulk.sandbox.requests(path_contains="query/count")) == 1  # a start counts
    assert _start(hub).status_code == 409

    job = second.json()["id"]
    assert hub.call("DELETE", f"bulk/{job}").status_code == 200  # cancelled: still held
    assert hub.call("DELETE", f"bulk/{job}").status_code == 200  # deleted
    assert _start(hub).status_code == 200
