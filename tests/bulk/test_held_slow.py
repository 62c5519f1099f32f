"""A bulk download start whose count query outlasts its place's claim (CLAIM_SECONDS) cannot
pass MAX_JOBS_HELD (#11): while the sandbox holds its count, the claim lapses, another start
takes the place, and the slow start, when its count answers, is a 409 instead of one job
more. Over real HTTP, a real Redis and the package's sandbox, which holds the first count
query after the test arms it until the test releases it; the claim's lapse is shortened to
a second, and the test waits for it by its score in Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from connector.bulk import held
from connector.tenancy import counts
from tests.bulk.own_instance import own_instance
from tests.fixtures.hub import HubApi

CAP = 1


class HeldCount:
    """Wraps the sandbox's WSGI app: the first count query once armed waits for `release`."""

    def __init__(self, app) -> None:
        self.inner = app.wsgi_app
        self.armed = True
        self.reached = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if "query/count" in environ.get("PATH_INFO", ""):
            with self.lock:
                hold, self.armed = self.armed, False
            if hold:
                self.reached.set()
                self.release.wait(30)
        return self.inner(environ, start_response)


@pytest.fixture
def hub(bulk, monkeypatch) -> Iterator[HubApi]:
    monkeypatch.setattr(held, "MAX_JOBS_HELD", CAP)
    with own_instance(bulk) as api:
        yield api


@pytest.fixture
def held_count(bulk, monkeypatch) -> Iterator[HeldCount]:
    holder = HeldCount(bulk.sandbox.app)
    monkeypatch.setattr(bulk.sandbox.app, "wsgi_app", holder)
    yield holder
    holder.release.set()


def _start(hub):
    return hub.call("POST", "bulk/query", params={"q": "select * from contacts"})


def test_a_start_whose_count_outlasts_its_claim_cannot_pass_the_cap(
    bulk, hub, held_count, monkeypatch
):
    monkeypatch.setattr(counts, "CLAIM_SECONDS", 1)
    answers: list[requests.Response] = []
    slow = threading.Thread(target=lambda: answers.append(_start(hub)))
    slow.start()
    assert held_count.reached.wait(20), "the slow start never sent its count"

    keys = bulk.runtime().store.keys
    claims = keys.count_claims("bulk-jobs", str(hub.instance["id"]))
    deadline = time.monotonic() + 20
    while bulk.redis.zcount(claims, time.time() * 1000, "+inf"):  # until its claim lapsed
        assert time.monotonic() < deadline, "the claim never lapsed"
        time.sleep(0.05)

    fast = _start(hub)  # its count is not held: it takes the lapsed place
    assert fast.status_code == 200, fast.text
    held_count.release.set()
    slow.join(30)
    assert answers and answers[0].status_code == 409, answers[0].text if answers else "none"
    assert f"This instance holds {CAP} bulk jobs" in answers[0].json()["message"]
    assert [int(i) for i in bulk.runtime().store.list_ids(hub.instance["id"])] == [
        fast.json()["id"]
    ]
