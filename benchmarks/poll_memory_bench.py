"""Poll memory benchmark: the peak RSS of a worker process polling a bulk update.

    python benchmarks/poll_memory_bench.py [--rows 50000] [--code DIR]

An embedded Redis and the sandbox (its own process, `--rows` opportunities) on loopback; an
instance polling opportunities, its watermark set back before every row, so one scan finds
them all changed, as after a bulk update. A fresh process (a worker's: the app built, then
the poll job's `run_poll`, once per queued poll until the scan is done, as the follow-up jobs
would run it) polls them and prints its RSS before the first poll, its peak RSS (VmHWM), the
polls, rows, changes handed on and the upstream query calls (target ceil(N/500)).

`--code DIR` runs the polling process on another checkout of the connector (e.g. the commit
before bounded polls, from `git archive <commit> | tar -x -C DIR`), for a before/after.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "pollmembench:"
HEADERS = {
    "ApiIntegrationCode": "SANDBOX0INTEGRATION0CODE000",
    "UserName": "api-user@sandbox.local",
    "Secret": "sandbox-secret",
}

# the polling process: stdout is one JSON line
CHILD = r"""
import json, os, sys, time
from pathlib import Path

def rss():
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(rest.split()[0]) / 1024
    return found

from connector.app import create_app
from connector.config import Settings
from connector.events.env import EventsEnv
from connector.events.polling.schedules import run_poll
from connector.events.polling.watermark import Watermarks

instance_id = int(sys.argv[1])
env = EventsEnv.of_app(create_app(Settings.from_env(os.environ)))
marks = Watermarks(env.redis, env.keys)
before = rss()
started = time.perf_counter()
polls = changes = 0
while True:
    changes += run_poll(env, instance_id, "opportunities")
    polls += 1
    if not (marks.get(instance_id, "opportunities") or {}).get("scan") or polls > 10_000:
        break
after = rss()
print(json.dumps({
    "polls": polls, "changes": changes, "seconds": time.perf_counter() - started,
    "rss_before_mb": before["VmRSS"], "peak_mb": after["VmHWM"],
    "intake": env.redis.xlen(env.keys.events_intake(instance_id)),
}))
"""


def create_instance(public_env: dict[str, str], auth: str, sandbox_url: str) -> int:
    from connector.app import create_app
    from connector.config import Settings

    app = create_app(Settings.from_env(public_env))
    body = {
        "element": {"key": "autotaskcrm"},
        "name": "poll memory bench",
        "configuration": {
            "crm.autotask.username": HEADERS["UserName"],
            "crm.autotask.password": HEADERS["Secret"],
            "crm.autotask.server.url": sandbox_url,
            "crm.autotask.integration.code": HEADERS["ApiIntegrationCode"],
            "event.notification.enabled": "true",
            "event.notification.callback.url": "http://127.0.0.1:9/never-called",
            "event.vendor.type": "polling",
            "event.objects": "opportunities",
            "event.poller.refresh_interval": "60",
            "event.poller.reconcile_interval": "0",
        },
    }
    answer = app.test_client().post(BASE + "/instances", json=body, headers={"Authorization": auth})
    if answer.status_code != 200:
        raise RuntimeError(answer.get_data(as_text=True))
    return int(answer.get_json()["id"])


def set_back(env: dict[str, str], instance_id: int) -> None:
    import redis

    from connector.events.polling.watermark import Watermarks
    from connector.storage.keys import Keys

    client = redis.Redis.from_url(env["REDIS_URL"])
    Watermarks(client, Keys(PREFIX)).put(
        instance_id, "opportunities", "2000-01-01T00:00:00.000Z", {}
    )
    client.close()


def query_calls(sandbox_url: str) -> int:
    answer = requests.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()
    found = answer.get("requests", answer) if isinstance(answer, dict) else answer
    return len([c for c in found if "Opportunities/query" in c.get("path", "")])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--code", default=str(harness.ROOT), help="the connector checkout polled")
    args = parser.parse_args()
    code = Path(args.code).resolve()
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        requests.post(
            f"{sandbox_url}/_sandbox/reseed",
            json={"records": 20, "seed_counts": {"Opportunities": args.rows}},
            timeout=1800,
        ).raise_for_status()
        rows = int(
            requests.post(
                f"{sandbox_url}/atservicesrest/v1.0/Opportunities/query/count",
                json={"filter": [{"op": "gte", "field": "id", "value": 0}]},
                headers=HEADERS,
                timeout=60,
            ).json()["queryCount"]
        )
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            sandbox_url,
            EVENTS_ALLOW_PRIVATE_CALLBACKS="true",
        )
        instance_id = create_instance(env, auth, sandbox_url)
        set_back(env, instance_id)
        requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30).raise_for_status()
        child = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", CHILD, str(instance_id)],
            cwd=code,
            env={**os.environ, **env, "PYTHONPATH": str(code)},
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if child.returncode != 0:
            print(child.stderr[-3000:])
            return 1
        found = json.loads(child.stdout.strip().splitlines()[-1])
        calls = query_calls(sandbox_url)
    target = math.ceil(rows / 500)
    print(f"code: {code}")
    print(
        f"{rows} opportunities changed: {found['polls']} poll(s), {found['changes']} changes "
        f"handed on ({found['intake']} in the intake), {calls} query calls "
        f"(ceil(N/500) = {target}) in {found['seconds']:.1f} s"
    )
    print(
        f"polling process: RSS {found['rss_before_mb']:.0f} MB before the first poll, "
        f"peak RSS {found['peak_mb']:.0f} MB "
        f"(+{found['peak_mb'] - found['rss_before_mb']:.0f} MB)"
    )
    ok = calls == target and found["changes"] == rows
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
