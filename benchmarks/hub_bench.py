"""Hub benchmark: a cached GET /hubs/crm/contacts/{id} against bare Flask, and the upstream
calls of listing N contacts against ceil(N/500) (exact when Autotask sends
pageDetails.nextPageUrl, as it does for full 500-row pages).

    python benchmarks/hub_bench.py [--seconds 5] [--rounds 3] [--contacts 1234 5000 20000]
    python benchmarks/hub_bench.py --mode uncached [--requests 2000] [--code DIR] [--against DIR]

`--mode uncached` prints, side by side in one run, the p50/p99 of an uncached GET through the
hub and of the same GET sent straight to the sandbox, sent in pairs, the median of the pairs'
differences, a cached hit of the same record through the same server (client and server
alone: no Redis, no Autotask call) and the load average over the run, then one request's time
by phase with its Redis round trips counted (see benchmarks/uncached_read.py). `--code DIR`
serves the hub from another checkout (e.g. `git worktree add /tmp/old <commit>`) to compare
code on the same sandbox and harness; the in-process breakdown, this checkout's only, is left
out then. `--against DIR` serves a second hub from DIR in the same run, its requests
interleaved with the others': an A/B that the machine's drift cannot tilt.

The uncached mode raises the sandbox's threshold first (no run is paced).

Both servers run under gunicorn with 2 workers (gthread, 4 threads); one load generator drives
both. Target: the cached read reaches at least 70% of the bare endpoint's throughput, and the
listing costs exactly ceil(N/500) query calls.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import tempfile
from pathlib import Path

import requests
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness, uncached_read  # noqa: E402
from connector.app import create_app  # noqa: E402
from connector.config import Settings  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "bench:"


def instance_body(sandbox_url: str) -> dict:
    return {
        "element": {"key": "autotaskcrm"},
        "name": "bench",
        "cachingEnabled": True,
        "cacheTimeToLive": 600,
        "configuration": {
            "crm.autotask.username": "api-user@sandbox.local",
            "crm.autotask.password": "sandbox-secret",
            "crm.autotask.server.url": sandbox_url,
            "crm.autotask.integration.code": "SANDBOX0INTEGRATION0CODE000",
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--log-level", default="INFO", help="the service's LOG_LEVEL")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--contacts", type=int, nargs="*", default=[1234, 5000, 20000])
    parser.add_argument("--mode", choices=["cached", "uncached"], default="cached")
    parser.add_argument("--requests", type=int, default=2000, help="uncached: pairs")
    parser.add_argument(
        "--code", type=Path, default=harness.ROOT, help="uncached: the checkout serving the hub"
    )
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="uncached: a second hub served from this checkout, interleaved in the same run",
    )
    args = parser.parse_args()
    if args.mode == "uncached":
        return uncached(args)

    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            sandbox_url,
            LOG_LEVEL=args.log_level,
        )
        with harness.gunicorn("connector.app:create_app()", env, threads=args.threads) as service:
            created = requests.post(
                service + BASE + "/instances",
                json=instance_body(sandbox_url),
                headers={"Authorization": auth},
                timeout=30,
            ).json()
            headers = {"Authorization": f"{auth}, Element {created['token']}"}
            first = requests.get(
                service + BASE + "/hubs/crm/contacts",
                params={"pageSize": 1},
                headers=headers,
                timeout=30,
            ).json()[0]
            record_url = f"{service}{BASE}/hubs/crm/contacts/{first['id']}"
            warm = requests.get(record_url, headers=headers, timeout=30)
            body = warm.content
            hit = requests.get(record_url, headers=headers, timeout=30)
            assert hit.headers.get("Elements-Cache") == "hit", hit.headers
            body_file = Path(tmp) / "body.json"
            body_file.write_bytes(body)
            with harness.gunicorn(
                "benchmarks.bare_app:create_app()",
                {"BARE_BODY_FILE": str(body_file)},
                threads=args.threads,
            ) as bare_url:
                # interleaved rounds, so drift in the machine's load hits both alike
                rounds = {"hub": [], "bare": []}
                for _ in range(args.rounds):
                    rounds["hub"].append(harness.load(record_url, headers, seconds=args.seconds))
                    rounds["bare"].append(
                        harness.load(bare_url + "/record", {}, seconds=args.seconds)
                    )
        hub, bare = (harness.median_round(rounds[name]) for name in ("hub", "bare"))

        print(
            f"Cached GET /hubs/crm/contacts/{{id}} ({len(body)} bytes), gunicorn 2 workers; "
            f"median of {args.rounds} interleaved rounds of {args.seconds:.0f} s, "
            f"2 processes x 4 keep-alive connections"
        )
        print(f"{'server':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
        for name, figures in (("connector (cache hit)", hub), ("bare Flask", bare)):
            print(
                f"{name:<24}{figures['rps']:>10.0f}{figures['p50_ms']:>10.2f}"
                f"{figures['p99_ms']:>10.2f}{figures['errors']:>8}"
            )
        share = hub["rps"] / bare["rps"] * 100
        print(f"connector / bare throughput: {share:.0f}% (target >= 70%)")

        print()
        print(f"{'contacts N':>12}{'query calls':>13}{'ceil(N/500)':>13}{'hub pages':>11}")
        with harness.gunicorn("connector.app:create_app()", env) as service:
            for count in args.contacts:
                requests.post(
                    f"{sandbox_url}/_sandbox/reseed",
                    json={"records": 5, "seed_counts": {"Contacts": count}},
                    timeout=600,
                )
                created = requests.post(
                    service + BASE + "/instances",
                    json={**instance_body(sandbox_url), "cachingEnabled": False},
                    headers={"Authorization": auth},
                    timeout=30,
                ).json()
                headers = {"Authorization": f"{auth}, Element {created['token']}"}
                requests.get(
                    service + BASE + "/hubs/crm/contacts/objects", headers=headers, timeout=30
                )
                requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
                pages, token, seen = 0, None, 0
                while True:
                    params = {"pageSize": 500, **({"nextPage": token} if token else {})}
                    response = requests.get(
                        service + BASE + "/hubs/crm/contacts",
                        params=params,
                        headers=headers,
                        timeout=120,
                    )
                    response.raise_for_status()
                    pages += 1
                    seen += len(response.json())
                    token = response.headers.get("Elements-Next-Page-Token")
                    if not token:
                        break
                log = requests.get(
                    f"{sandbox_url}/_sandbox/requests",
                    params={"path_contains": "Contacts/query"},
                    timeout=30,
                ).json()
                calls = [r for r in log["requests"] if "count" not in r["path"].lower()]
                assert seen == count, (seen, count)
                print(f"{count:>12}{len(calls):>13}{math.ceil(count / 500):>13}{pages:>11}")
    return 0


def uncached(args: argparse.Namespace) -> int:
    secret_key = Fernet.generate_key().decode()
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        # a threshold no run reaches: past half of 10,000 an hour the sandbox adds Autotask's
        # latency and the connector paces, deliberate waits this benchmark is not about
        requests.post(
            f"{sandbox_url}/_sandbox/config", json={"threshold": 100_000_000}, timeout=30
        ).raise_for_status()
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            sandbox_url,
            CONNECTOR_SECRET_KEY=secret_key,
            LOG_LEVEL=args.log_level,
        )
        with harness.gunicorn(
            "connector.app:create_app()", env, workers=1, threads=args.threads, code=args.code
        ) as service:
            created = requests.post(
                service + BASE + "/instances",
                json={**instance_body(sandbox_url), "cachingEnabled": False},
                headers={"Authorization": auth},
                timeout=30,
            ).json()
            headers = {"Authorization": f"{auth}, Element {created['token']}"}
            first = requests.get(
                service + BASE + "/hubs/crm/contacts",
                params={"pageSize": 1},
                headers=headers,
                timeout=30,
            ).json()[0]
            path = f"{BASE}/hubs/crm/contacts/{first['id']}"
            direct = f"{sandbox_url}/ATServicesRest/V1.0/Contacts/{first['id']}"
            with contextlib.ExitStack() as stack:
                against = None
                if args.against is not None:  # the same Redis, prefix and key: the same instance
                    against = stack.enter_context(
                        harness.gunicorn(
                            "connector.app:create_app()",
                            env,
                            workers=1,
                            threads=args.threads,
                            code=args.against,
                        )
                    )
                figures = uncached_read.side_by_side(
                    service + path, headers, direct, args.requests, against and against + path
                )
            if args.against is not None:
                figures["against_code"] = str(args.against.resolve())
            cached = requests.post(
                service + BASE + "/instances",
                json={**instance_body(sandbox_url), "name": "bench cached"},
                headers={"Authorization": auth},
                timeout=30,
            ).json()
            figures["hop"] = uncached_read.hop(
                service + path, {"Authorization": f"{auth}, Element {cached['token']}"}
            )
        if args.code.resolve() != harness.ROOT:
            print(f"hub served from {args.code.resolve()}")
            uncached_read.report(figures, None, args.requests)
            return 0
        app = create_app(  # the same service in this process, its request log quiet
            Settings(
                redis_url=redis_url,
                key_prefix=PREFIX,
                data_dir=str(Path(tmp) / "data"),
                secret_key=secret_key,
                log_level="WARNING",
                autotask_allowed_hosts=sandbox_url,
            )
        )
        phases = uncached_read.breakdown(app, path, headers, min(args.requests, 1000))
        uncached_read.report(figures, phases, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
