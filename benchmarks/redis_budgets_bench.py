"""What the Redis budgets cost per write: an execution checkpoint through its organization's
budget script against the plain SET it replaced, and a sorted result's ids through theirs
against the plain RPUSH. One embedded redis-server on loopback, one client, sequential calls.

With --piled N, one instance first holds N results of one id each (what a tenant asking for
first pages in a loop leaves), and it prints a first page's cost beside them and the cost of
the first page after all of them expired.

    .venv/bin/python benchmarks/redis_budgets_bench.py [--rounds 2000] [--piled 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import redis

from connector.formulas.executions import ExecutionStore
from connector.hub import sorted_budget
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.keys import Keys


def _timed(rounds: int, call) -> tuple[float, float]:
    samples = []
    for n in range(rounds):
        started = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def _execution(n: int, size: int) -> dict:
    return {
        "id": n,
        "formulaInstanceId": 1,
        "formulaId": 1,
        "organizationId": 1,
        "status": "SUCCESS" if n % 2 else "RUNNING",
        "trigger": {"name": "manual0", "type": "manual"},
        "createdDate": "2026-01-01T00:00:00Z",
        "steps": [{"name": "a", "output": "x" * size}],
    }


def _piled(client: redis.Redis, keys: Keys, count: int, rounds: int) -> None:
    start, ttl = 1_000_000, 900
    for n in range(count):
        key = keys.sorted_result(2, f"p{n}")
        sorted_budget.put(client, keys, key, [n + 1], ttl, 2, 2, now_ms=start + n)
    beside = _timed(
        rounds,
        lambda n: sorted_budget.put(
            client, keys, keys.sorted_result(2, f"b{n}"), [7], ttl, 2, 2, now_ms=start + count
        ),
    )
    later = start + count + ttl * 1000 + 1
    started = time.perf_counter()
    sorted_budget.put(client, keys, keys.sorted_result(2, "after"), [7], ttl, 2, 2, now_ms=later)
    after = (time.perf_counter() - started) * 1e6
    print(
        f"sorted result beside {count:,} of the instance's: p50 {beside[0]:.0f} us p99 "
        f"{beside[1]:.0f} us; the first after they all expired {after:.0f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--piled", type=int, default=0)
    options = parser.parse_args()
    rounds = options.rounds
    with EmbeddedRedis(None, persistent=False) as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        keys = Keys("bench:")
        store = ExecutionStore(client, keys)
        for size in (2_000, 64_000):
            doc = _execution(0, size)
            plain = _timed(
                rounds,
                lambda n, d=doc: client.set(f"bench:plain:{n % 500}", json.dumps(d), ex=600),
            )
            budgeted = _timed(
                rounds, lambda n, s=size: store.save(_execution(n % 500, s), created_ms=n)
            )
            print(
                f"execution checkpoint of {size:>6} B: plain SET p50 {plain[0]:.0f} us "
                f"p99 {plain[1]:.0f} us; budgeted p50 {budgeted[0]:.0f} us p99 {budgeted[1]:.0f} us"
            )
        ids = list(range(30_000_000, 30_004_999))
        plain = _timed(
            rounds // 10,
            lambda n: (
                client.pipeline()
                .rpush(f"bench:list:{n}", *ids)
                .expire(f"bench:list:{n}", 600)
                .execute()
            ),
        )
        budgeted = _timed(
            rounds // 10,
            lambda n: sorted_budget.put(
                client, keys, keys.sorted_result(1, str(n)), ids, 600, 1, 1
            ),
        )
        print(
            f"sorted result of {len(ids)} ids: plain RPUSH p50 {plain[0]:.0f} us p99 "
            f"{plain[1]:.0f} us; budgeted p50 {budgeted[0]:.0f} us p99 {budgeted[1]:.0f} us"
        )
        if options.piled:
            _piled(client, keys, options.piled, rounds // 10)
        client.close()


if __name__ == "__main__":
    main()
