"""Transparency benchmark: what raw=true, explain=true and the budget headers cost.

    python benchmarks/transparency_bench.py [--companies 200] [--rounds 5]

Lists every contact in pages of 500, plain, with raw=true and with explain=true, and prints per
mode the Autotask calls (the sum of the Autotask-Calls headers, and the sandbox's own request
log), the median wall time of a full listing, and the answer size. Then the instance's
GET /instances/{id}/usage total against the calls made. Target: raw and explain cost exactly the
calls of the plain listing, and every figure agrees with the sandbox's log.
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
from benchmarks.hub_bench import BASE, PREFIX, instance_body  # noqa: E402


def list_all(url: str, headers: dict, params: dict) -> tuple[int, int]:
    """Autotask-Calls summed over every page, and the bytes answered."""
    calls = size = 0
    token = None
    while True:
        query = dict(params, pageSize=500, **({"nextPage": token} if token else {}))
        response = requests.get(url, params=query, headers=headers, timeout=120)
        response.raise_for_status()
        calls += int(response.headers.get("Autotask-Calls", 0))
        size += len(response.content)
        token = response.headers.get("Elements-Next-Page-Token")
        if params.get("explain"):
            token = response.json()["page"]["nextPage"]
        if not token:
            return calls, size


def logged(sandbox_url: str) -> int:
    answer = requests.get(sandbox_url + "/_sandbox/requests", timeout=30).json()
    return len(answer["requests"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=200, help="sandbox seed size")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=args.companies) as sandbox_url,
    ):
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            "http://" + sandbox_url.split("://", 1)[1],
        )
        with harness.gunicorn("connector.app:create_app()", env) as service:
            body = instance_body(sandbox_url) | {"cachingEnabled": False}
            created = requests.post(
                service + BASE + "/instances",
                json=body,
                headers={"Authorization": auth},
                timeout=30,
            ).json()
            headers = {"Authorization": f"{auth}, Element {created['token']}"}
            url = service + BASE + "/hubs/crm/contacts"
            list_all(url, headers, {})  # metadata and ThresholdInformation are read here
            requests.delete(sandbox_url + "/_sandbox/requests", timeout=30)
            usage_url = f"{service}{BASE}/instances/{created['id']}/usage"
            usage_before = requests.get(
                usage_url, headers={"Authorization": auth}, timeout=30
            ).json()["calls"]
            print(f"{'mode':<14}{'calls':>7}{'logged':>8}{'median s':>10}{'bytes':>11}")
            total = 0
            for mode, params in (
                ("plain", {}),
                ("raw=true", {"raw": "true"}),
                ("explain=true", {"explain": "true"}),
            ):
                times, calls, size = [], 0, 0
                before = logged(sandbox_url)
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    calls, size = list_all(url, headers, params)
                    times.append(time.perf_counter() - started)
                    total += calls
                per_round = (logged(sandbox_url) - before) / args.rounds
                print(
                    f"{mode:<14}{calls:>7}{per_round:>8.0f}{statistics.median(times):>10.3f}"
                    f"{size:>11}"
                )
            usage = requests.get(usage_url, headers={"Authorization": auth}, timeout=30).json()[
                "calls"
            ]
            print(
                f"/usage: {usage - usage_before} calls counted; Autotask-Calls summed: {total}; "
                f"sandbox log: {logged(sandbox_url)}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
