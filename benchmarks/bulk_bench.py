"""Bulk benchmark: download 100,000 sandbox contacts and upload 5,000, through real processes.

    python benchmarks/bulk_bench.py [--contacts 100000] [--upload 5000]

An embedded Redis, the sandbox (its own gunicorn), the service under gunicorn and one RQ
worker process, all on loopback. Prints download rows/s, the Autotask calls it made (target:
ceil(N/500) queries, plus the count and the metadata reads of a cold cache), the worker's peak
RSS (target < 150 MB), Redis bytes per row stored, the time to the first byte of the result
and its transfer rate; then upload rows/s through the hub's write path and calls per row.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
import requests
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from connector.storage.keys import Keys  # noqa: E402
from connector.tenancy.accounts import AccountStore  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "bulkbench:"
TERMINAL = ("COMPLETED", "ERROR", "ABORTED", "CANCELLED")
WORKER = "from connector.jobs.worker import run_worker; run_worker()"


def instance_body(sandbox_url: str) -> dict:
    return {
        "element": {"key": "autotaskcrm"},
        "name": "bulk bench",
        "configuration": {
            "crm.autotask.username": "api-user@sandbox.local",
            "crm.autotask.password": "sandbox-secret",
            "crm.autotask.server.url": sandbox_url,
            "crm.autotask.integration.code": "SANDBOX0INTEGRATION0CODE000",
        },
    }


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait(hub: str, headers: dict, job_id: int, timeout: float = 1800) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{hub}/bulk/{job_id}/status", headers=headers, timeout=30).json()
        if status["status"] in TERMINAL:
            return status
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} did not end: {status}")
        time.sleep(0.05)


def sandbox_calls(sandbox_url: str) -> list[str]:
    entries = requests.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()
    rows = entries.get("requests", entries) if isinstance(entries, dict) else entries
    return [r["path"].rsplit("/V1.0/", 1)[-1] for r in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--upload", type=int, default=5_000)
    args = parser.parse_args()
    ok = True
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        started = time.perf_counter()
        seeded = requests.post(
            f"{sandbox_url}/_sandbox/reseed",
            json={"records": 20, "seed_counts": {"Contacts": args.contacts}},
            timeout=600,
        )
        seeded.raise_for_status()
        print(
            f"sandbox seeded with {args.contacts} contacts in {time.perf_counter() - started:.1f} s"
        )
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        account = AccountStore(client, Keys(PREFIX)).create()
        env = {
            "REDIS_URL": redis_url,
            "CONNECTOR_KEY_PREFIX": PREFIX,
            "AUTOTASK_ALLOWED_HOSTS": sandbox_url,  # the operator allows its sandbox
            "CONNECTOR_SECRET_KEY": Fernet.generate_key().decode(),
            "CONNECTOR_DATA_DIR": str(Path(tmp) / "data"),
            "LOG_LEVEL": "WARNING",
        }
        auth = f"User {account.user_secret}, Organization {account.organization_secret}"
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER],
            cwd=harness.ROOT,
            env={**__import__("os").environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with harness.gunicorn("connector.app:create_app()", env) as service:
                created = requests.post(
                    service + BASE + "/instances",
                    json=instance_body(sandbox_url),
                    headers={"Authorization": auth},
                    timeout=30,
                ).json()
                headers = {"Authorization": f"{auth}, Element {created['token']}"}
                hub = f"{service}{BASE}/hubs/crm"
                ok &= download(hub, headers, sandbox_url, client, args.contacts)
                ok &= upload(hub, headers, sandbox_url, args.upload)
            rss = peak_rss_mb(worker.pid)
            print(f"worker peak RSS: {rss:.0f} MB (target < 150 MB)")
            ok &= rss < 150
        finally:
            worker.terminate()
            worker.wait(15)
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


def download(hub: str, headers: dict, sandbox_url: str, client, contacts: int) -> bool:
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    started = time.perf_counter()
    job = requests.post(
        f"{hub}/bulk/query", params={"q": "select * from contacts"}, headers=headers, timeout=60
    ).json()
    status = wait(hub, headers, job["id"])
    elapsed = time.perf_counter() - started
    calls = sandbox_calls(sandbox_url)
    queries = calls.count("Contacts/query")
    metadata = sum(1 for c in calls if "entityInformation" in c)
    threshold = calls.count("ThresholdInformation")  # the limits' periodic budget reads
    expected = math.ceil(contacts / 500)
    print(
        f"download of {status['recordsCount']} contacts: {elapsed:.1f} s, "
        f"{status['recordsCount'] / elapsed:,.0f} rows/s ({status['status']})"
    )
    print(
        f"  Autotask calls: {len(calls)} = {queries} queries (ceil(N/500) = {expected}) "
        f"+ {calls.count('Contacts/query/count')} count + {metadata} cold-cache metadata reads"
        f" + {threshold} ThresholdInformation"
    )
    chunks = client.memory_usage(f"{PREFIX}bulk:job:{job['id']}:chunks") or 0
    print(f"  Redis: {chunks / max(1, status['recordsCount']):.0f} bytes per row stored (gzip)")
    for accept in ("application/x-ndjson", "text/csv"):
        asked = time.perf_counter()
        response = requests.get(
            f"{hub}/bulk/{job['id']}/contacts",
            headers={**headers, "Accept": accept},
            stream=True,
            timeout=120,
        )
        pieces = response.iter_content(64 * 1024)
        first = next(pieces)
        ttfb = time.perf_counter() - asked
        size = len(first) + sum(len(p) for p in pieces)
        total = time.perf_counter() - asked
        print(
            f"  result {accept}: first byte after {ttfb * 1000:.0f} ms, {size / 1e6:.1f} MB "
            f"in {total:.1f} s"
        )
    return (
        status["status"] == "COMPLETED"
        and status["recordsCount"] == contacts
        and queries == expected
        and len(calls) == queries + 1 + metadata + threshold
    )


def upload(hub: str, headers: dict, sandbox_url: str, rows: int) -> bool:
    first = requests.get(f"{hub}/contacts", params={"pageSize": 1}, headers=headers, timeout=30)
    company = first.json()[0]["accountId"]
    lines = "\n".join(
        json.dumps(
            {
                "firstName": "Bench",
                "lastName": f"B{i}",
                "accountId": company,
                "emails": [{"address": f"bench{i}@bulk.test", "type": "primary"}],
            }
        )
        for i in range(rows)
    )
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    started = time.perf_counter()
    job = requests.post(
        f"{hub}/bulk/contacts",
        files={"file": ("rows.ndjson", lines.encode())},
        data={"metaData": json.dumps({"identifierFieldName": "emails.address"})},
        headers=headers,
        timeout=120,
    ).json()
    status = wait(hub, headers, job["id"])
    elapsed = time.perf_counter() - started
    calls = sandbox_calls(sandbox_url)
    lookups = calls.count("Contacts/query")
    print(
        f"upload of {rows} contacts (upsert by emails.address): {elapsed:.1f} s, "
        f"{rows / elapsed:,.0f} rows/s ({status['status']}, {status.get('createdCount')} created)"
    )
    print(
        f"  Autotask calls: {len(calls)} = {lookups} lookups (ceil(N/500) = "
        f"{math.ceil(rows / 500)}) + writes; {len(calls) / rows:.3f} calls per row"
    )
    return status["status"] == "COMPLETED" and lookups == math.ceil(rows / 500)


if __name__ == "__main__":
    sys.exit(main())
