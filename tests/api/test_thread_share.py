"""One instance holds at most its share of the web threads; others and /health keep answering."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from connector.api.deps import THREADS
from connector.api.thread_share import ThreadShare
from connector.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(web_threads=4, instance_thread_share=0.25)  # 1 per instance


@pytest.mark.parametrize(
    ("threads", "share", "per_instance", "total"),
    [
        pytest.param(4, 0.5, 2, 3, id="the defaults: 2 per instance, one thread always free"),
        pytest.param(1, 0.5, 1, 1, id="a single thread still serves one request"),
        pytest.param(16, 0.25, 4, 15, id="a larger worker"),
    ],
)
def test_the_share_in_threads(threads, share, per_instance, total):
    counted = ThreadShare(threads, share)
    assert (counted.per_instance, counted.total) == (per_instance, total)


def _wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_a_busy_instance_is_refused_at_once_and_others_keep_answering(
    app, live_server, connect_hub, sandbox
):
    slow, other = connect_hub(sandbox), connect_hub(sandbox)
    share = app.extensions[THREADS]
    slow.get("contacts", pageSize=1)  # metadata cached: the next call is one query
    sandbox.set_faults(kind="latency", seconds=2.0, count=1, path_contains="Contacts/query")
    held: list[requests.Response] = []
    first = threading.Thread(target=lambda: held.append(slow.get("contacts", pageSize=1)))
    first.start()
    try:
        _wait_until(lambda: share.running(slow.instance["id"]) == 1)
        before = len(sandbox.requests())
        refused = slow.get("contacts", pageSize=1)
        assert refused.status_code == 429, refused.text
        assert refused.headers["Retry-After"] == "1"
        assert "share" in refused.json()["message"]
        assert len(sandbox.requests()) == before  # refused without asking Autotask
        assert other.get("contacts", pageSize=1).status_code == 200
        assert requests.get(live_server.url + "/elements/api-v2/health", timeout=5).ok
    finally:
        first.join(30)
    assert held and held[0].status_code == 200
    assert share.running(slow.instance["id"]) == 0  # released when the answer was done
    assert slow.get("contacts", pageSize=1).status_code == 200
