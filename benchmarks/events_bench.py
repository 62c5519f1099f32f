"""Events benchmark: Autotask webhooks to changes, deletion feeds' call counts, drain memory.

    python benchmarks/events_bench.py [--changes 1000] [--contacts 5000] [--held 100000]

Real processes on loopback: an embedded Redis, the sandbox under gunicorn (its webhook
delivery threads post signed callouts), the service under gunicorn with CONNECTOR_PUBLIC_URL
set to itself. Prints:

- `--changes` contact updates made through the sandbox's REST API (as another integration
  would), each a callout to the service's intake: p50/p99 latency from the update's answer to
  its Change leaving the drain (the hand-off to the events pipeline), changes lost, duplicate
  (record, version) pairs (the eventId derives from them), upstream calls per changed record
  (the intake and drain read nothing: the pipeline's read-back is one query per 500 ids);
- an idle DeletedTicketLogs poll's calls (target 1), a reconcile sweep over `--contacts` ids
  (target ceil(N/500)) and the one after it that finds two deleted contacts;
- the peak RSS of a process that drains `--held` stored callouts and holds all their changes.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from connector.config import Settings  # noqa: E402
from connector.storage.embedded_redis import free_port  # noqa: E402
from connector.storage.keys import Keys  # noqa: E402
from connector.tenancy.accounts import AccountStore  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "eventsbench:"


def instance_body(sandbox_url: str) -> dict:
    return {
        "element": {"key": "autotaskcrm"},
        "name": "events bench",
        "configuration": {
            "crm.autotask.username": "api-user@sandbox.local",
            "crm.autotask.password": "sandbox-secret",
            "crm.autotask.server.url": sandbox_url,
            "crm.autotask.integration.code": "SANDBOX0INTEGRATION0CODE000",
            "event.objects": "contacts",
        },
    }


def sandbox_calls(sandbox_url: str) -> list[dict]:
    answer = requests.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()
    return answer.get("requests", answer) if isinstance(answer, dict) else answer


def query(sandbox_url: str, entity: str, body: dict) -> list[dict]:
    headers = {
        "ApiIntegrationCode": "SANDBOX0INTEGRATION0CODE000",
        "UserName": "api-user@sandbox.local",
        "Secret": "sandbox-secret",
    }
    url = f"{sandbox_url}/atservicesrest/v1.0/{entity}/query"
    return requests.post(url, json=body, headers=headers, timeout=60).json()["items"]


def every_row(sandbox_url: str, entity: str, limit: int) -> list[dict]:
    """Up to `limit` rows in id order, 500 a page (Autotask's page size)."""
    rows: list[dict] = []
    last = -1
    while len(rows) < limit:
        page = query(sandbox_url, entity, {"filter": [{"op": "gt", "field": "id", "value": last}]})
        if not page:
            break
        rows += page
        last = page[-1]["id"]
    return rows[:limit]


def rest(sandbox_url: str, method: str, path: str, body: dict | None = None) -> requests.Response:
    headers = {
        "ApiIntegrationCode": "SANDBOX0INTEGRATION0CODE000",
        "UserName": "api-user@sandbox.local",
        "Secret": "sandbox-secret",
    }
    url = f"{sandbox_url}/atservicesrest/v1.0/{path}"
    return requests.request(method, url, json=body, headers=headers, timeout=60)


def peak_rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_env(settings: Settings):
    """The service's own parts, in this process, on the same Redis, prefix and key."""
    from connector.app import create_app
    from connector.events.webhooks.env import EXTENSION

    app = create_app(settings)
    return app.extensions[EXTENSION]


def webhooks(settings: Settings, sandbox_url: str, instance_id: int, changes: int) -> bool:
    from connector.events.webhooks.drain import CalloutDrain
    from connector.events.webhooks.registration import Registrar

    env = build_env(settings)
    instance = env.instances.get(instance_id)
    modes = Registrar(env).register(instance, ["contacts"])
    print(f"contacts: {modes['contacts']['mode']} ({modes['contacts']['reason']})")
    contacts = every_row(sandbox_url, "Contacts", changes)
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    answered: dict[int, float] = {}

    def update(contact: dict) -> None:
        path = f"Companies/{contact['companyID']}/Contacts"
        rest(sandbox_url, "PATCH", path, {"id": contact["id"], "title": f"Bench {time.time()}"})
        answered[contact["id"]] = time.perf_counter()

    seen: dict[tuple[int, str], float] = {}
    duplicates = 0

    def sink(found) -> None:
        nonlocal duplicates
        now = time.perf_counter()
        for change in found:
            key = (change.object_id, change.version)
            duplicates += key in seen
            seen.setdefault(key, now)

    drain = CalloutDrain(env)
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(update, c) for c in contacts]
        while len(seen) < len(contacts) and time.perf_counter() - started < 300:
            if not drain.drain(sink):
                time.sleep(0.005)
        for future in futures:
            future.result()
    elapsed = time.perf_counter() - started
    by_record = {object_id: at for (object_id, _), at in seen.items()}
    latencies = sorted(max(0.0, by_record[i] - answered[i]) for i in by_record if i in answered)
    lost = len(contacts) - len(by_record)
    upstream = [c for c in sandbox_calls(sandbox_url) if c.get("method") != "PATCH"]
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
    print(
        f"{len(contacts)} contact updates through webhooks in {elapsed:.1f} s: update answered"
        f" -> Change handed on p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    print(
        f"  changes lost: {lost}; duplicate (record, version): {duplicates}; upstream calls "
        f"per changed record by the intake and drain: {len(upstream) / len(contacts):.3f}"
    )
    return lost == 0 and duplicates == 0 and not upstream


def deletions(settings: Settings, sandbox_url: str, instance_id: int) -> bool:
    from connector.events.deletions.deleted_tickets import DeletedTicketFeed
    from connector.events.deletions.reconcile import ReconcileSweep

    env = build_env(settings)
    instance = env.instances.get(instance_id)
    instance.set_config("event.objects", "contacts,incidents", env.box)
    env.instances.save(instance)
    instance = env.instances.get(instance_id)
    for entity in ("CompanyWebhooks", "ContactWebhooks", "TicketWebhooks"):  # polled now
        for row in query(
            sandbox_url, entity, {"filter": [{"op": "gte", "field": "id", "value": 0}]}
        ):
            rest(sandbox_url, "DELETE", f"{entity}/{row['id']}")
    env.redis.delete(env.keys.webhook_instance(instance_id))
    feed, found = DeletedTicketFeed(env), []
    feed.poll(instance, found.extend)
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    feed.poll(instance, found.extend)
    idle = len(sandbox_calls(sandbox_url))
    print(f"idle DeletedTicketLogs poll: {idle} Autotask call(s) (target 1)")

    sweep = ReconcileSweep(env)
    count = count_contacts(sandbox_url)
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    sweep.sweep(instance, found.extend)
    first = [c for c in sandbox_calls(sandbox_url) if "Contacts/query" in c.get("path", "")]
    target = math.ceil(count / 500)
    print(f"reconcile sweep over {count} contact ids: {len(first)} calls (ceil(N/500) = {target})")
    everything = {"filter": [{"op": "gte", "field": "id", "value": 0}], "MaxRecords": 2}
    for contact in query(sandbox_url, "Contacts", everything):
        rest(sandbox_url, "DELETE", f"Companies/{contact['companyID']}/Contacts/{contact['id']}")
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    reported = sweep.sweep(instance, found.extend)
    second = [c for c in sandbox_calls(sandbox_url) if "Contacts/query" in c.get("path", "")]
    print(
        f"  the next sweep: {reported['contacts']} deleted contacts found in {len(second)} calls "
        f"(ceil({count - 2}/500) = {math.ceil((count - 2) / 500)})"
    )
    return idle == 1 and len(first) == target and reported["contacts"] == 2


def count_contacts(sandbox_url: str) -> int:
    answer = rest(
        sandbox_url,
        "POST",
        "Contacts/query/count",
        {"filter": [{"op": "gte", "field": "id", "value": 0}]},
    )
    return int(answer.json()["queryCount"])


def _drain_all(settings: Settings, held: int, results: multiprocessing.Queue) -> None:
    from connector.events.webhooks.drain import CalloutDrain

    env = build_env(settings)
    kept: list = []
    drain = CalloutDrain(env)
    before = peak_rss_mb()
    while drain.drain(kept.extend):
        pass
    results.put({"before": before, "peak": peak_rss_mb(), "changes": len(kept)})


def memory(settings: Settings, instance_id: int, held: int) -> bool:
    from connector.events.webhooks.intake import CalloutIntake
    from connector.events.webhooks.signature import sign
    from connector.events.webhooks.store import HookStore

    env = build_env(settings)
    hook_id, secret = HookStore(env).ensure_hook(instance_id)
    env.redis.hset(
        env.keys.webhook_instance(instance_id),
        "entity:Contacts",
        json.dumps(
            {
                "webhook": "ContactWebhooks",
                "webhookId": 1,
                "guid": "bench-guid",
                "resources": ["contacts"],
            }
        ),
    )
    intake = CalloutIntake(env)
    started = time.perf_counter()
    for n in range(held):
        body = json.dumps(
            {
                "Action": "Update",
                "Guid": "bench-guid",
                "EntityType": "Contact",
                "Id": n,
                "Fields": {"Title": "x"},
                "EventTime": "2026-01-01T00:00:00Z",
                "SequenceNumber": 10_000_000 + n,
                "PersonID": 1,
            }
        ).encode()
        intake.accept(hook_id, body, sign(secret, body))
    accepted = time.perf_counter() - started
    stream = env.redis.memory_usage(env.keys.webhook_callouts()) or 0
    print(
        f"{held} callouts accepted in-process in {accepted:.1f} s "
        f"({held / accepted:,.0f}/s); the stream holds {stream / held:.0f} bytes per callout"
    )
    results: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(
        target=_drain_all, args=(settings, held, results)
    )
    child.start()
    found = results.get(timeout=900)
    child.join(60)
    print(
        f"a process draining them and holding all {found['changes']} changes: peak RSS "
        f"{found['peak']:.0f} MB ({found['before']:.0f} MB before the first batch)"
    )
    return found["changes"] == held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--held", type=int, default=100_000)
    args = parser.parse_args()
    ok = True
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        seeded = requests.post(
            f"{sandbox_url}/_sandbox/reseed",
            json={"records": 20, "seed_counts": {"Contacts": args.contacts}},
            timeout=600,
        )
        seeded.raise_for_status()
        requests.post(
            f"{sandbox_url}/_sandbox/config", json={"webhook_poll_interval": 0.01}, timeout=30
        ).raise_for_status()
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        account = AccountStore(client, Keys(PREFIX)).create()
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        secret_key = Fernet.generate_key().decode()
        env = {
            "REDIS_URL": redis_url,
            "CONNECTOR_KEY_PREFIX": PREFIX,
            "CONNECTOR_SECRET_KEY": secret_key,
            "CONNECTOR_DATA_DIR": str(Path(tmp) / "data"),
            "CONNECTOR_PUBLIC_URL": public,
            "AUTOTASK_ALLOWED_HOSTS": sandbox_url,
            "LOG_LEVEL": "WARNING",
        }
        settings = Settings.from_env(env)
        auth = f"User {account.user_secret}, Organization {account.organization_secret}"
        args_ = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "connector.app:create_app()",
        ]
        with harness.process(args_, env=env, ready_url=public + "/"):
            created = requests.post(
                public + BASE + "/instances",
                json=instance_body(sandbox_url),
                headers={"Authorization": auth},
                timeout=30,
            ).json()
            ok &= webhooks(settings, sandbox_url, created["id"], args.changes)
            ok &= deletions(settings, sandbox_url, created["id"])
            ok &= memory(settings, created["id"], args.held)
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    raise SystemExit(main())
