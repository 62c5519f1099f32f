"""Benchmark: seed 100,000 contacts, then time id-cursor pages of 500 (targets: seeding
under 60 s, a page under 50 ms on a 2-core machine).

    python benchmarks/sandbox_paging.py [--contacts 100000] [--pages 20]

Prints the seeding time, then per-page times (median and p95) for the query alone (SQL and
item building) and for the whole HTTP round trip through the sandbox app on loopback, at the
start, middle and end of the id range.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connector.sandbox.app import create_sandbox_app, prepare_store  # noqa: E402
from connector.sandbox.query import QuerySpec, fetch_page  # noqa: E402
from connector.sandbox.settings import (  # noqa: E402
    DEFAULT_INTEGRATION_CODE,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    SandboxConfig,
)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):6.1f} ms, p95 {p95:6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="sandbox-bench-")
    config = SandboxConfig(
        database=f"{folder}/sandbox.sqlite3",
        records=1000,
        seed_counts={"Contacts": args.contacts},
        deliver_webhooks=False,
        settings={"threshold": 10**9},
    )
    started = time.perf_counter()
    store = prepare_store(config)
    seeding = time.perf_counter() - started
    entity = store.catalog.entity("Contacts")
    print(
        f"seeded {store.count(entity):,} contacts (and 1,000 companies with their records) "
        f"into {config.database} in {seeding:.1f} s (target < 60 s)"
    )

    with store.read() as conn:
        ids = [row[0] for row in conn.execute('SELECT id FROM "Contacts" ORDER BY id')]
    cursors = {"start": ids[0] - 1, "middle": ids[len(ids) // 2], "end": ids[-600]}
    spec = QuerySpec([{"op": "gt", "field": "id", "value": 0}], None, 500)
    for where, cursor in cursors.items():
        samples = []
        for _ in range(args.pages):
            began = time.perf_counter()
            with store.read() as conn:
                items, _, _ = fetch_page(conn, entity, spec, after=cursor)
            samples.append((time.perf_counter() - began) * 1000)
            assert len(items) == 500
        print(f"query  page of 500 at the {where:6s}: {_summary(samples)}")

    app = create_sandbox_app(config, store=store)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/atservicesrest/v1.0/Contacts/query"
    headers = {
        "ApiIntegrationCode": DEFAULT_INTEGRATION_CODE,
        "UserName": DEFAULT_USERNAME,
        "Secret": DEFAULT_SECRET,
    }
    session = requests.Session()
    for where, cursor in cursors.items():
        body = {"filter": [{"op": "gt", "field": "id", "value": cursor}], "MaxRecords": 500}
        samples = []
        for _ in range(args.pages):
            began = time.perf_counter()
            answer = session.post(url, json=body, headers=headers, timeout=30)
            samples.append((time.perf_counter() - began) * 1000)
            assert len(answer.json()["items"]) == 500
        print(
            f"HTTP   page of 500 at the {where:6s}: {_summary(samples)} "
            f"({len(answer.content) / 1024:.0f} KiB)"
        )
    server.shutdown()
    store.close()
    shutil.rmtree(folder, ignore_errors=True)
    print("target: a page under 50 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
