"""Numbered pages (`page=N`, Cloud Elements' offset paging) against `nextPage` walking: the
Autotask calls and the latency of each, through the service under gunicorn, the sandbox as
Autotask (issue #18).

    python benchmarks/numbered_pages.py [--companies 300] [--page-size 50] [--pages 20]
                                         [--rounds 5]

Per round, on a fresh instance (so no page cursor is remembered yet):
1. `nextPage` walk: pages 1..P by following `Elements-Next-Page-Token`;
2. `page=N` cold jump: page P asked by number first (it walks the id cursors of pages 1..P-1);
3. `page=N` warm: pages 1..P asked by number after the cold jump (each page's cursor is
   remembered in Redis, so each costs one call);
4. `page=N` in order on another fresh instance: pages 1..P by number, as a client counting up.
Printed per mode: Autotask calls (from the `Autotask-Calls` header every hub answer carries)
in total and per page, and the median and p95 of the request latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from benchmarks.hub_bench import instance_body  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "bench-pages:"


class Walker:
    def __init__(self, service: str, auth: str, sandbox_url: str, page_size: int) -> None:
        self.service, self.auth, self.sandbox_url = service, auth, sandbox_url
        self.page_size = page_size
        self.session = requests.Session()

    def fresh_instance(self) -> dict[str, str]:
        body = {**instance_body(self.sandbox_url), "cachingEnabled": False}
        created = self.session.post(
            f"{self.service}{BASE}/instances", json=body, headers={"Authorization": self.auth}
        )
        created.raise_for_status()
        return {"Authorization": f"{self.auth}, Element {created.json()['token']}"}

    def get(self, headers: dict[str, str], **params: str) -> tuple[requests.Response, float]:
        started = time.perf_counter()
        answer = self.session.get(
            f"{self.service}{BASE}/hubs/crm/contacts",
            params={"pageSize": str(self.page_size), **params},
            headers=headers,
            timeout=60,
        )
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        return answer, elapsed


def calls(answer: requests.Response) -> int:
    return int(answer.headers.get("Autotask-Calls", "0"))


def walk_tokens(walker: Walker, headers: dict, pages: int, out: dict) -> list[list[int]]:
    seen, token = [], None
    for _ in range(pages):
        answer, elapsed = walker.get(headers, **({"nextPage": token} if token else {}))
        out["calls"].append(calls(answer))
        out["times"].append(elapsed)
        seen.append([r["id"] for r in answer.json()])
        token = answer.headers.get("Elements-Next-Page-Token")
        if not token:
            break
    return seen


def by_number(walker: Walker, headers: dict, numbers: list[int], out: dict) -> list[list[int]]:
    seen = []
    for number in numbers:
        answer, elapsed = walker.get(headers, page=str(number))
        out["calls"].append(calls(answer))
        out["times"].append(elapsed)
        seen.append([r["id"] for r in answer.json()])
    return seen


def summary(name: str, found: dict, rounds: int) -> str:
    ordered = sorted(found["times"])
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000
    per_round = sum(found["calls"]) / rounds
    requests_per_round = len(found["calls"]) / rounds
    return (
        f"{name:<34} {per_round:7.1f} calls/round over {requests_per_round:4.0f} requests "
        f"({per_round / requests_per_round:4.2f} per request), "
        f"median {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95:6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--companies", type=int, default=300, help="sandbox companies (x4 contacts)"
    )
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    modes = {m: {"calls": [], "times": []} for m in ("walk", "cold", "warm", "ordered")}
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=args.companies) as sandbox_url,
    ):
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            sandbox_url,
        )
        with harness.gunicorn("connector.app:create_app()", env) as service:
            walker = Walker(service, auth, sandbox_url, args.page_size)
            last = args.pages
            for _ in range(args.rounds):
                headers = walker.fresh_instance()
                walked = walk_tokens(walker, headers, last, modes["walk"])
                headers = walker.fresh_instance()
                [cold] = by_number(walker, headers, [last], modes["cold"])
                warm = by_number(walker, headers, list(range(1, last + 1)), modes["warm"])
                ordered = by_number(
                    walker, walker.fresh_instance(), list(range(1, last + 1)), modes["ordered"]
                )
                if not (walked == warm == ordered and cold == walked[-1]):
                    print("MISMATCH: numbered pages differ from the nextPage walk")
                    return 1
    print(
        f"contacts pages of {args.page_size}, pages 1..{args.pages}, {args.rounds} rounds "
        f"(sandbox of {args.companies} companies, gunicorn 2 workers x 4 threads)"
    )
    print(summary("nextPage walk (pages 1..P)", modes["walk"], args.rounds))
    print(summary("page=P cold (one request)", modes["cold"], args.rounds))
    print(summary("page=1..P after the cold jump", modes["warm"], args.rounds))
    print(summary("page=1..P in order, fresh", modes["ordered"], args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
