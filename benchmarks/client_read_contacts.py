"""Read every contact of a seeded sandbox through AutotaskClient.query, and print the figures.

    python benchmarks/client_read_contacts.py                     # 100,000 contacts
    python benchmarks/client_read_contacts.py --contacts 10000    # memory stays flat with N

The sandbox is seeded into a temporary SQLite file and served by its own process
(`python -m connector.sandbox`, gunicorn), like a remote Autotask; Redis is an embedded
redis-server. This process only runs the client, so its memory is the client's. Printed:
upstream calls by kind (target: ceil(N/500) query calls plus cached metadata), the query calls
the sandbox itself logged, rows per second, and this process's peak RSS before and after the
read (target: under 150 MB and flat whatever N is). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.autotask import AutotaskClient, Credentials, discover_zone  # noqa: E402
from connector.config import Settings  # noqa: E402
from connector.sandbox.settings import (  # noqa: E402
    DEFAULT_INTEGRATION_CODE,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
)
from connector.storage.embedded_redis import EmbeddedRedis  # noqa: E402
from connector.storage.keys import Keys  # noqa: E402

SEED = """
import sys
from connector.sandbox.app import prepare_store
from connector.sandbox.settings import SandboxConfig
prepare_store(SandboxConfig(database=sys.argv[1], records=int(sys.argv[2]),
                            seed_counts={"Contacts": int(sys.argv[3])}, reseed=True)).close()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss() -> int:
    """This process's resident-memory high-water mark, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def start_sandbox(data_dir: Path, contacts: int, companies: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and code
        [
            sys.executable,
            "-c",
            SEED,
            str(data_dir / "sandbox.sqlite3"),
            str(companies),
            str(contacts),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    print(f"seeded {contacts:,} contacts in {time.perf_counter() - started:.1f} s", flush=True)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "connector.sandbox",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_sandbox/health", timeout=1).ok:
                return server, url
        except requests.ConnectionError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the sandbox did not start within 60 s")


def start_quiet(server: EmbeddedRedis) -> str:
    """Start redis-server with its stdout on /dev/null, so its log does not mix with ours."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return server.start()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def read_all(client: AutotaskClient) -> tuple[int, float]:
    """Every contact, checking order and uniqueness, with a picklist label looked up per row."""
    rows = 0
    last_id = -1
    started = time.perf_counter()
    for row in client.query("Contacts", None):
        if row["id"] <= last_id:
            raise AssertionError(f"row {row['id']} after {last_id}: not in id order or repeated")
        last_id = row["id"]
        client.metadata.picklist("Contacts", "namePrefix").label_for(row.get("namePrefix"))
        rows += 1
    return rows, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=100)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="client-bench-") as tmp:
        server, url = start_sandbox(Path(tmp), args.contacts, args.companies)
        embedded = EmbeddedRedis(None, persistent=False)
        try:
            settings = Settings(
                redis_url=start_quiet(embedded),
                key_prefix="bench:",
                autotask_zone_url=f"{url}/atservicesrest/v1.0/zoneInformation",
                autotask_allowed_hosts=url,  # the operator allows its sandbox
            )
            store = redis.Redis.from_url(settings.redis_url, decode_responses=True)
            keys = Keys(settings.key_prefix)
            creds = Credentials(DEFAULT_USERNAME, DEFAULT_SECRET, DEFAULT_INTEGRATION_CODE)
            zone = discover_zone(
                creds.username,
                redis=store,
                keys=keys,
                zone_url=settings.autotask_zone_url,
                settings=settings,
            )
            client = AutotaskClient(creds, zone, redis=store, keys=keys, settings=settings)
            requests.delete(f"{url}/_sandbox/requests", timeout=10)
            rss_before = peak_rss()
            rows, seconds = read_all(client)
            rss_after = peak_rss()
            logged = requests.get(
                f"{url}/_sandbox/requests", params={"path_contains": "/Contacts/query"}, timeout=30
            )
            logged_queries = len(logged.json()["requests"])
            expected = requests.get(f"{url}/_sandbox/counts", timeout=10).json()
        finally:
            embedded.stop()
            server.terminate()
            server.wait(10)

    stats = client.stats.snapshot()
    print(
        json.dumps(
            {
                "contacts": rows,
                "contactsInSandbox": expected.get("Contacts", expected),
                "seconds": round(seconds, 2),
                "rowsPerSecond": round(rows / seconds),
                "upstreamCalls": stats["byKind"],
                "queryCallsTarget": max(1, math.ceil(rows / 500)),
                "queryCallsLoggedBySandbox": logged_queries,
                "retries": stats["retries"],
                "rssBeforeMB": round(rss_before / 2**20, 1),
                "peakRssMB": round(rss_after / 2**20, 1),
                "rssGrowthMB": round((rss_after - rss_before) / 2**20, 1),
            },
            indent=2,
        )
    )
    ok = stats["byKind"].get("query") == max(1, math.ceil(rows / 500)) and rss_after < 150 * 2**20
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
