from __future__ import annotations

import threading

from connector.autotask.stats import CallStats


def test_counts_from_many_threads_add_up():
    stats = CallStats()

    def work() -> None:
        for _ in range(1000):
            stats.count("query")
            stats.add(retries=1, paced=0.001)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stats["query"] == 4000
    assert stats.calls == 4000
    assert stats.retries == 4000
    assert stats.snapshot()["pacedSeconds"] == 4.0


def test_reset():
    stats = CallStats()
    stats.count("get")
    stats.add(zone_refreshes=1)
    stats.reset()
    assert stats.snapshot() == {
        "calls": 0,
        "byKind": {},
        "retries": 0,
        "zoneRefreshes": 0,
        "pacedSeconds": 0.0,
        "slotWaitSeconds": 0.0,
    }
