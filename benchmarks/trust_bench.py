"""Trust benchmark (issue #11): /health and another tenant's reads while one tenant's
upstream drips its answers a byte at a time, then while Autotask answers a 429 storm.

    python benchmarks/trust_bench.py [--slow 12] [--seconds 8] [--timeout 10] [--max-wait 10]

The service runs under gunicorn (2 workers, gthread, 4 threads) on an embedded Redis, with the
sandbox as its own process. "The tenant's Autotask" is a loopback server in this process that
answers the zone lookup and the credential probe at once and drips every other answer (one
byte every 50 ms, for far longer than AUTOTASK_TIMEOUT). Phases:

1. baseline: /health and another instance's GET /hubs/crm/accounts, sampled one at a time;
2. slow drip: `--slow` concurrent requests of the dripping instance, same sampling meanwhile;
3. 429 storm: the sandbox answers 429 (Retry-After 1) to one instance's Contacts calls
   (`--slow` concurrent requests), same sampling meanwhile (the other reads accounts).

Prints /health and the other instance's p50/p99/max per phase (target for /health < 100 ms)
and each slow request's total time against AUTOTASK_TIMEOUT and AUTOTASK_MAX_WAIT.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "trustbench:"
DRIP_PAUSE = 0.05


class _Drip(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server's names
        url = self.server.url  # type: ignore[attr-defined]
        if "zoneInformation" in self.path:
            return self._json({"zoneName": "Drip", "url": f"{url}/ATServicesRest/", "ci": 7})
        if self.path.endswith("/ThresholdInformation"):
            return self._json(
                {"externalRequestThreshold": 10000, "currentTimeframeRequestCount": 1}
            )
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(DRIP_PAUSE)  # the drip: the fault this server plays
        except OSError:
            pass
        self.close_connection = True

    do_POST = do_GET

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _drip_server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _instance(service: str, auth: str, server_url: str, name: str) -> dict[str, str]:
    body = {
        "element": {"key": "autotaskcrm"},
        "name": name,
        "configuration": {
            "crm.autotask.username": "api-user@sandbox.local",
            "crm.autotask.password": "sandbox-secret",
            "crm.autotask.server.url": server_url,
            "crm.autotask.integration.code": "SANDBOX0INTEGRATION0CODE000",
        },
    }
    made = requests.post(
        service + BASE + "/instances", json=body, headers={"Authorization": auth}, timeout=30
    )
    made.raise_for_status()
    return {"Authorization": f"{auth}, Element {made.json()['token']}"}


def _sample(url: str, headers: dict[str, str], until: threading.Event) -> list[float]:
    """Latencies (ms) of one request at a time until `until` is set (at least one)."""
    session = requests.Session()
    found: list[float] = []
    while True:
        started = time.perf_counter()
        session.get(url, headers=headers, timeout=60)
        found.append((time.perf_counter() - started) * 1000)
        if until.is_set():
            return found
        time.sleep(0.02)


def _phase(service, other, slow_headers, slow_path, count, seconds) -> dict:
    done = threading.Event()
    slow_times: list[tuple[float, int]] = []
    lock = threading.Lock()

    def slow_call() -> None:
        started = time.perf_counter()
        answer = requests.get(service + BASE + slow_path, headers=slow_headers, timeout=300)
        with lock:
            slow_times.append((time.perf_counter() - started, answer.status_code))

    slow_threads = [threading.Thread(target=slow_call) for _ in range(count)]
    samples: dict[str, list[float]] = {}

    def sampler(name: str, url: str, headers: dict[str, str]) -> threading.Thread:
        def run() -> None:
            samples[name] = _sample(url, headers, done)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    for thread in slow_threads:
        thread.start()
    samplers = [
        sampler("/health", service + BASE + "/health", {}),
        sampler("other instance", service + BASE + "/hubs/crm/accounts?pageSize=1", other),
    ]
    if count:
        for thread in slow_threads:
            thread.join()
    else:
        time.sleep(seconds)  # the baseline: a fixed sampling window, no condition to wait for
    done.set()
    for thread in samplers:
        thread.join()
    return {"samples": samples, "slow": slow_times}


def _figures(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"n={len(values):>4}  p50 {statistics.median(values):7.1f} ms  p99 {p99:7.1f} ms  "
        f"max {ordered[-1]:7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow", type=int, default=12, help="concurrent slow requests")
    parser.add_argument("--seconds", type=float, default=8.0, help="baseline sampling window")
    parser.add_argument("--timeout", type=float, default=10.0, help="AUTOTASK_TIMEOUT")
    parser.add_argument("--max-wait", type=float, default=10.0, help="AUTOTASK_MAX_WAIT")
    args = parser.parse_args()
    drip = _drip_server()
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            f"{sandbox_url}, {drip.url}",
            AUTOTASK_TIMEOUT=str(args.timeout),
            AUTOTASK_MAX_WAIT=str(args.max_wait),
        )
        with harness.gunicorn("connector.app:create_app()", env) as service:
            dripping = _instance(service, auth, drip.url, "drip")  # type: ignore[attr-defined]
            stormy = _instance(service, auth, sandbox_url, "storm")
            other = _instance(service, auth, sandbox_url, "other")
            for headers in (stormy, other):  # metadata cached: the storm hits the reads
                requests.get(
                    service + BASE + "/hubs/crm/contacts?pageSize=1", headers=headers, timeout=30
                ).raise_for_status()
                requests.get(
                    service + BASE + "/hubs/crm/accounts?pageSize=1", headers=headers, timeout=30
                ).raise_for_status()
            results = {
                "baseline": _phase(service, other, {}, "", 0, args.seconds),
                "slow drip": _phase(
                    service, other, dripping, "/hubs/crm/accounts?pageSize=1", args.slow, 0
                ),
            }
            requests.post(
                f"{sandbox_url}/_sandbox/faults",
                json={"kind": "rate_limit", "retry_after": 1, "path_contains": "Contacts/query"},
                timeout=10,
            ).raise_for_status()
            results["429 storm"] = _phase(
                service, other, stormy, "/hubs/crm/contacts?pageSize=1", args.slow, 0
            )
            requests.delete(f"{sandbox_url}/_sandbox/faults", timeout=10)
    drip.shutdown()
    print(
        f"gunicorn 2 workers x 4 threads; AUTOTASK_TIMEOUT {args.timeout:g} s, "
        f"AUTOTASK_MAX_WAIT {args.max_wait:g} s; {args.slow} concurrent slow requests"
    )
    for phase, result in results.items():
        print(f"\n{phase}")
        for name, values in result["samples"].items():
            print(f"  {name:<16} {_figures(values)}")
        if result["slow"]:
            times = sorted(t for t, _ in result["slow"])
            statuses = dict(sorted(Counter(s for _, s in result["slow"]).items()))
            print(
                f"  slow requests    n={len(times):>4}  min {times[0]:6.2f} s  "
                f"median {statistics.median(times):6.2f} s  max {times[-1]:6.2f} s  "
                f"statuses {statuses}"
            )
    health_ok = all(
        max(r["samples"]["/health"]) < 100 for r in results.values() if r["samples"].get("/health")
    )
    print(f"\n/health max under 100 ms in every phase: {'yes' if health_ok else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
