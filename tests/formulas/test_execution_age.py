"""An execution that runs longer than the retention (FORMULA_RETENTION_DAYS) is not dropped
while it still runs (#11): it leaves its organization's figures, and its listing, when its
last write is older than the retention (its document, written with that TTL, is gone then),
not when its creation is. On the test's Redis, under the test's prefix; days pass on a fake
clock the store reads (named FakeClock), Redis's own TTLs do not move."""

from __future__ import annotations

import time

import pytest

from connector.formulas import executions
from connector.formulas.executions import ExecutionStore
from connector.storage.keys import Keys

DAY_MS = 86_400_000
INSTANCE, ORG = 5, 9


class FakeClock:
    """Stands in for the `time` module in connector.formulas.executions: days cannot pass."""

    now_ms = int(time.time() * 1000)

    @classmethod
    def time(cls) -> float:
        return cls.now_ms / 1000


@pytest.fixture
def clock(monkeypatch) -> type[FakeClock]:
    FakeClock.now_ms = int(time.time() * 1000)
    monkeypatch.setattr(executions, "time", FakeClock)
    return FakeClock


def _execution(execution_id: int, status: str = "RUNNING", steps: int = 0) -> dict:
    return {
        "id": execution_id,
        "formulaInstanceId": INSTANCE,
        "formulaId": 3,
        "organizationId": ORG,
        "status": status,
        "trigger": {"name": "manual0", "type": "manual"},
        "createdDate": "2026-01-01T00:00:00Z",
        "steps": [{"name": f"s{n}", "output": n} for n in range(steps)],
    }


def _listed(store: ExecutionStore) -> list[int]:
    page, _ = store.page_for(INSTANCE)
    return sorted(summary["id"] for summary in page)


def test_a_running_execution_older_than_the_retention_is_kept_while_it_writes(
    redis_client, key_prefix, clock
):
    keys = Keys(key_prefix)
    store = ExecutionStore(redis_client, keys, retention_days=7)
    start = clock.now_ms
    store.create(_execution(1))  # a long run starts
    clock.now_ms = start + 8 * DAY_MS
    assert store.save(_execution(1, steps=1))  # its checkpoint, 8 days on: still running
    store.create(_execution(2))  # another one starts: the figures drop what expired

    assert store.get(1) is not None, "a running execution was dropped by its creation age"
    assert _listed(store) == [1, 2]
    sizes = redis_client.hgetall(keys.formula_org_executions(ORG, "sizes"))
    assert set(sizes) == {"_total", "1", "2"}

    assert store.save(_execution(1, "SUCCESS", steps=2))  # it ends
    clock.now_ms = start + 16 * DAY_MS  # 8 days after both were last written
    store.create(_execution(3))
    assert store.get(1) is None and store.get(2) is None  # not written for the retention
    assert _listed(store) == [3]
    sizes = redis_client.hgetall(keys.formula_org_executions(ORG, "sizes"))
    assert set(sizes) == {"_total", "3"}
    assert int(sizes["_total"]) == len(redis_client.get(keys.formula_execution(3))) + len(
        redis_client.get(keys.formula_execution_summary(3))
    )


def test_a_listed_id_older_than_the_retention_leaves_only_once_its_document_is_gone(
    redis_client, key_prefix, clock
):
    """An id listed outside the figures (stored before the budget existed): a creation drops
    it when its document is gone, and keeps it while it is stored."""
    keys = Keys(key_prefix)
    store = ExecutionStore(redis_client, keys, retention_days=7)
    listing = keys.formula_executions(INSTANCE)
    old = clock.now_ms - 9 * DAY_MS
    redis_client.zadd(listing, {"71": old, "72": old})
    redis_client.set(keys.formula_execution(72), "{}", ex=60)  # 72 is still stored
    store.create(_execution(73))
    assert set(redis_client.zrange(listing, 0, -1)) == {"72", "73"}
