"""Formulas benchmark: the shipped ticket-to-alert template on 1,000 ticket events, on warm
job workers (each builds the app once, before its first job).

    python benchmarks/formulas_bench.py [--events 1000] [--workers 1] [--resolves 100]

An embedded Redis, the sandbox (its own server process, seeded with the tickets), the app in
this process (the API and `on_event`, as the events pipeline calls it), `--workers` processes
of `autotask-connector worker --queues formulas`, and a loopback alert receiver. Prints
executions/s from the first event to the last alert request, p50/p99 from an event to its alert
request, p50/p99 of each step type's latency, and the Autotask calls per execution: on the
event path (the record comes with the event) and on the reverse path (the alerting product
resolves alerts; each ticket is updated through the hub).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from connector.app import create_app  # noqa: E402
from connector.config import Settings  # noqa: E402
from connector.formulas.events import on_event  # noqa: E402
from connector.storage.keys import Keys  # noqa: E402
from connector.storage.redis_conn import connect  # noqa: E402
from connector.tenancy.accounts import AccountStore  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "formulabench:"
FINAL = ("SUCCESS", "FAILED", "STOPPED")
NO_CREATE = {
    "Complete",
    "Denied",
    "Waiting Customer",
    "Waiting Materials",
    "Scheduled",
    "Escalate",
    "Waiting Vendor",
    "Waiting Approval",
    "Waiting Dispatch",
    "Approved",
}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class AlertReceiver:
    """Records when each alert request arrived, by alert key and event type."""

    def __init__(self) -> None:
        self.arrived: dict[tuple[str, str], float] = {}
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ, start_response):
        body = json.loads(Request(environ).get_data() or b"{}")
        with self.lock:
            self.arrived[(body.get("alertKey"), body.get("eventType"))] = time.perf_counter()
        return Response('{"ok": true}', mimetype="application/json")(environ, start_response)

    def count(self, kind: str) -> int:
        with self.lock:
            return sum(1 for (_, k) in self.arrived if k == kind)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def wait_for(condition, what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {timeout} s for {what}")
        time.sleep(0.02)


def sandbox_calls(sandbox_url: str) -> int:
    entries = requests.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()
    rows = entries.get("requests", entries) if isinstance(entries, dict) else entries
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--resolves", type=int, default=100)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        harness.embedded_redis() as redis_url,
        harness.sandbox(Path(tmp) / "sandbox", records=20) as sandbox_url,
    ):
        seeded = requests.post(
            f"{sandbox_url}/_sandbox/reseed",
            json={"records": 20, "seed_counts": {"Tickets": 3 * args.events}},
            timeout=600,
        )
        seeded.raise_for_status()
        settings = Settings(
            redis_url=redis_url,
            key_prefix=PREFIX,
            secret_key=Fernet.generate_key().decode(),
            data_dir=str(Path(tmp) / "data"),
            formulas_allow_private_urls=True,  # the receiver is on loopback
            autotask_allowed_hosts=sandbox_url,  # the sandbox stands in for Autotask
            log_level="WARNING",
        )
        app = create_app(settings)
        env = app.extensions["connector.formulas"]["env"]
        account = AccountStore(connect(redis_url), Keys(PREFIX)).create()
        secrets = (account.user_secret, account.organization_secret)
        auth = {"Authorization": "User {}, Organization {}".format(*secrets)}
        client = app.test_client()
        element = client.post(
            f"{BASE}/instances",
            json={
                "element": {"key": "autotaskcrm"},
                "name": "formula bench",
                "configuration": {
                    "crm.autotask.username": "api-user@sandbox.local",
                    "crm.autotask.password": "sandbox-secret",
                    "crm.autotask.server.url": sandbox_url,
                    "crm.autotask.integration.code": "SANDBOX0INTEGRATION0CODE000",
                },
            },
            headers=auth,
        ).get_json()
        receiver = AlertReceiver()
        formula = client.post(
            f"{BASE}/formulas/ticket-to-alert/instances",
            json={
                "name": "bench",
                "configuration": {"autotask": element["id"], "alertWebhookUrl": receiver.url},
            },
            headers=auth,
        ).get_json()
        hub = {"Authorization": f"{auth['Authorization']}, Element {element['token']}"}
        tickets, page = [], None
        while True:  # every ticket with its hub record: what an event carries
            query = {"pageSize": 500}
            if page:
                query["nextPage"] = page
            answer = client.get(f"{BASE}/hubs/crm/incidents", query_string=query, headers=hub)
            tickets += answer.get_json()
            page = answer.headers.get("Elements-Next-Page-Token")
            if not page:
                break
        # tickets whose status creates an alert (seed 004: the others create none)
        tickets = [t for t in tickets if t["status"] not in NO_CREATE][: args.events + 1]
        print(f"{len(tickets)} tickets whose status creates an alert", flush=True)
        workers = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "connector.cli", "worker", "--queues", "formulas"],
                cwd=harness.ROOT,
                env={**os.environ, **settings.environment()},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        try:
            return run(args, env, formula, element, tickets, receiver, client, auth, sandbox_url)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(15)


def run(args, env, formula, element, tickets, receiver, client, auth, sandbox_url) -> int:
    # warm: one execution first, so each measured one finds a worker that built its app
    on_event(env, element["id"], event(tickets[0], "warm"))
    wait_for(lambda: receiver.count("ALERT") >= 1, "the warm-up alert", timeout=120)
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    sent: dict[str, float] = {}
    started = time.perf_counter()
    for n, ticket in enumerate(tickets[1:], start=1):
        sent[f"autotask-ticket-{ticket['id']}"] = time.perf_counter()
        on_event(env, element["id"], event(ticket, f"bench-{n}"))
    enqueued = time.perf_counter() - started
    wait_for(lambda: receiver.count("ALERT") >= len(tickets), f"{len(tickets)} alerts")
    last = max(receiver.arrived[(k, "ALERT")] for k in sent)
    latencies = [(receiver.arrived[(k, "ALERT")] - t) * 1000 for k, t in sent.items()]
    wait_for(
        lambda: all(e["status"] in FINAL for e in env.executions.list_for(formula["id"], 5000)),
        "every execution to end",
    )
    executions = env.executions.list_for(formula["id"], limit=len(tickets) + 10)
    event_calls = sandbox_calls(sandbox_url)
    measured = len(sent)
    print(f"{measured} ticket events, {args.workers} worker(s), on_event took {enqueued:.2f} s")
    print(f"executions/s (first event to last alert): {measured / (last - started):.0f}")
    print(
        f"event to alert request: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms"
    )
    by_type: dict[str, list[float]] = {}
    for execution in executions:
        for step in execution["steps"]:
            by_type.setdefault(step["type"], []).append(step["durationMs"])
    for kind, values in sorted(by_type.items()):
        print(
            f"  step {kind:<15} p50 {statistics.median(values):7.2f} ms, "
            f"p99 {percentile(values, 0.99):7.2f} ms ({len(values)} runs)"
        )
    failed = [e for e in executions if e["status"] != "SUCCESS"]
    print(
        f"event path: {event_calls / measured:.2f} Autotask calls per execution; "
        f"{len(failed)} not SUCCESS"
    )

    # the reverse path: the alerting product resolves alerts; each ticket becomes Complete
    chosen = list(sent)[: args.resolves]
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30)
    started = time.perf_counter()
    ids = []
    for key in chosen:
        answer = client.post(
            f"{BASE}/formulas/instances/{formula['id']}/executions?trigger=alertChanged",
            json={"alertKey": key, "status": "RESOLVED"},
            headers=auth,
        )
        ids.append(answer.get_json()["id"])
    wait_for(
        lambda: all((env.executions.get(i) or {}).get("status") in FINAL for i in ids),
        "the resolves to end",
    )
    took = time.perf_counter() - started
    resolved = [env.executions.get(i) for i in ids]
    calls = sandbox_calls(sandbox_url)
    ok = sum(1 for e in resolved if e["status"] == "SUCCESS")
    print(
        f"reverse path: {len(ids)} resolves in {took:.2f} s ({len(ids) / took:.0f}/s), "
        f"{ok} SUCCESS, {calls / len(ids):.2f} Autotask calls per execution "
        f"(elementCalls {sum(e.get('elementCalls', 0) for e in resolved) / len(ids):.2f})"
    )
    return 0 if not failed and ok == len(ids) else 1


def event(ticket: dict, event_id: str) -> dict:
    return {
        "eventId": event_id,
        "objectType": "incidents",
        "objectId": ticket["id"],
        "eventType": "UPDATED",
        "eventDate": datetime.now(UTC).isoformat(),
        "record": ticket,
    }


if __name__ == "__main__":
    sys.exit(main())
