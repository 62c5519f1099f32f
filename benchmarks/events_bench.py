"""Events benchmark: sandbox changes to the callback end to end, polling's call counts, memory.

    python benchmarks/events_bench.py [--changes 1000] [--contacts 5000] [--held 100000]

Real processes on loopback: an embedded Redis, the sandbox under gunicorn (its webhook
delivery threads post signed callouts), the service under gunicorn with CONNECTOR_PUBLIC_URL
set to itself, two `autotask-connector worker` processes, and a callback receiver (a threaded
HTTP server in this process) that checks both signatures of every notification. Prints:

- `--changes` contact updates made through the sandbox's REST API (as another integration
  would; 3 threads, Autotask's thread limit; only updates the sandbox answered 200 count), each
  a webhook callout -> intake -> drain -> pipeline (read-back) -> event log -> delivery: p50/p99
  latency from the update's answer to its event at the callback, events lost, duplicate
  eventIds received, upstream calls per changed record (the read-backs);
- an idle poll's upstream calls per resource (target exactly 1), an idle DeletedTicketLogs
  poll (1) and a reconcile sweep over the contact ids (ceil(N/500));
- the polls finding every contact as changed (its watermark set back before all of them: N =
  `--contacts`; one poll per MAX_POLL_ROWS, as the follow-up polls run), calls = ceil(N/500),
  then the render's read-backs (0: the rows came along);
- the peak RSS of one worker that rendered `--held` polled changes into an event log whose
  callback is down (every event held, none delivered), and Redis memory per held event.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import requests
from standardwebhooks.webhooks import Webhook
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from connector.config import Settings  # noqa: E402
from connector.storage.embedded_redis import free_port  # noqa: E402

BASE = "/elements/api-v2"
PREFIX = "eventsbench:"
SIGNATURE_KEY = "events-bench-signature-key-0123456789"
HEADERS = {
    "ApiIntegrationCode": "SANDBOX0INTEGRATION0CODE000",
    "UserName": "api-user@sandbox.local",
    "Secret": "sandbox-secret",
}
ENTITIES = {
    "accounts": "Companies",
    "contacts": "Contacts",
    "opportunities": "Opportunities",
    "incidents": "Tickets",
}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class Receiver:
    """The callback: every event's first arrival time by path, signatures checked."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived: dict[str, dict[str, tuple[float, dict]]] = {}
        self.received = 0  # events received, repeats included
        self.bad_signatures = 0
        self.refuse = {"/down"}
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ, start_response):
        request = Request(environ)
        now = time.perf_counter()
        if request.path in self.refuse:
            return Response(b"", status=500)(environ, start_response)
        body = request.get_data()
        ok = verify(body, dict(request.headers))
        with self.lock:
            self.bad_signatures += not ok
            found = self.arrived.setdefault(request.path, {})
            for event in json.loads(body)["events"]:
                self.received += 1
                found.setdefault(event["eventId"], (now, event))
        return Response(b"", status=200)(environ, start_response)

    def events(self, path: str) -> dict[str, tuple[float, dict]]:
        with self.lock:
            return dict(self.arrived.get(path, {}))


def verify(body: bytes, headers: dict) -> bool:
    digest = hmac.new(SIGNATURE_KEY.encode(), body, hashlib.sha256).digest()
    expected = "sha256=" + base64.b64encode(digest).decode()
    if not hmac.compare_digest(headers.get("Elements-Webhook-Signature", ""), expected):
        return False
    try:
        Webhook(SIGNATURE_KEY.encode()).verify(body, {k.lower(): v for k, v in headers.items()})
    except Exception:
        return False
    return True


def rest(sandbox_url: str, method: str, path: str, body: dict | None = None) -> requests.Response:
    url = f"{sandbox_url}/atservicesrest/v1.0/{path}"
    return requests.request(method, url, json=body, headers=HEADERS, timeout=60)


def every_row(sandbox_url: str, entity: str, limit: int) -> list[dict]:
    rows: list[dict] = []
    last = -1
    while len(rows) < limit:
        body = {"filter": [{"op": "gt", "field": "id", "value": last}]}
        page = rest(sandbox_url, "POST", f"{entity}/query", body).json()["items"]
        if not page:
            break
        rows += page
        last = page[-1]["id"]
    return rows[:limit]


def sandbox_calls(sandbox_url: str) -> list[dict]:
    answer = requests.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()
    return answer.get("requests", answer) if isinstance(answer, dict) else answer


def clear_calls(sandbox_url: str) -> None:
    requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=30).raise_for_status()


def wait(condition, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(interval)
    return condition()


def peak_rss_mb(pid: int | str = "self") -> tuple[float, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest_ = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest_.split()[0]) / 1024
    return values.get("VmHWM", float("nan")), values.get("VmRSS", float("nan"))


class Service:
    def __init__(self, public: str, auth: str, sandbox_url: str, receiver: Receiver) -> None:
        self.public, self.auth, self.sandbox_url, self.receiver = (
            public,
            auth,
            sandbox_url,
            receiver,
        )

    def create(self, path: str, **configuration: str) -> int:
        body = {
            "element": {"key": "autotaskcrm"},
            "name": f"events bench {path}",
            "configuration": {
                "crm.autotask.username": HEADERS["UserName"],
                "crm.autotask.password": HEADERS["Secret"],
                "crm.autotask.server.url": self.sandbox_url,
                "crm.autotask.integration.code": HEADERS["ApiIntegrationCode"],
                "event.notification.enabled": "true",
                "event.notification.callback.url": self.receiver.url + path,
                "event.notification.signature.key": SIGNATURE_KEY,
                **configuration,
            },
        }
        answer = requests.post(
            self.public + BASE + "/instances", json=body, headers=self.headers(), timeout=60
        )
        answer.raise_for_status()
        return int(answer.json()["id"])

    def headers(self) -> dict[str, str]:
        return {"Authorization": self.auth}

    def status(self, instance_id: int) -> dict:
        url = f"{self.public}{BASE}/instances/{instance_id}/events/status"
        return requests.get(url, headers=self.headers(), timeout=60).json()

    def events_off(self, instance_id: int) -> None:
        url = f"{self.public}{BASE}/instances/{instance_id}"
        body = {"configuration": {"event.notification.enabled": "false"}}
        requests.patch(url, json=body, headers=self.headers(), timeout=60).raise_for_status()


def webhooks(service: Service, changes: int) -> bool:
    sandbox_url, receiver = service.sandbox_url, service.receiver
    instance_id = service.create("/webhooks", **{"event.objects": "contacts"})
    done = wait(
        lambda: (
            (service.status(instance_id).get("registration") or {}).get("status")
            in ("registered", "failed")
        ),
        timeout=120,
    )
    mode = service.status(instance_id)["resources"]["contacts"]
    print(f"contacts: {mode.get('mode')} ({mode.get('reason')}); registration done: {done}")
    contacts = every_row(sandbox_url, "Contacts", changes)
    clear_calls(sandbox_url)
    answered: dict[str, float] = {}
    refused = 0
    lock = threading.Lock()

    def update(contact: dict) -> None:
        nonlocal refused
        path = f"Companies/{contact['companyID']}/Contacts"
        answer = rest(sandbox_url, "PATCH", path, {"id": contact["id"], "title": "Bench"})
        with lock:
            if answer.status_code == 200:
                answered[str(contact["id"])] = time.perf_counter()
            else:
                refused += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:  # Autotask's thread limit per integration
        list(pool.map(update, contacts))

    def arrived_ids() -> dict[str, float]:
        found: dict[str, float] = {}
        for at, event in receiver.events("/webhooks").values():
            found.setdefault(event["objectId"], at)
        return found

    wait(lambda: set(answered) <= set(arrived_ids()), timeout=300, interval=0.2)
    elapsed = time.perf_counter() - started
    arrived = arrived_ids()
    latencies = sorted(max(0.0, arrived[i] - answered[i]) for i in answered if i in arrived)
    lost = len([i for i in answered if i not in arrived])
    events = receiver.events("/webhooks")
    with receiver.lock:
        duplicates = receiver.received - sum(len(v) for v in receiver.arrived.values())
    upstream = [c for c in sandbox_calls(sandbox_url) if c.get("method") != "PATCH"]
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
    print(
        f"{len(answered)} contact updates answered 200 ({refused} refused by the sandbox, not "
        f"counted) -> {len(events)} events at the callback in {elapsed:.1f} s: update answered "
        f"-> event received p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    print(
        f"  events lost: {lost}; duplicate eventIds received: {duplicates}; bad signatures: "
        f"{receiver.bad_signatures}; upstream calls per changed record: "
        f"{len(upstream) / max(1, len(answered)):.3f} ({len(upstream)} read-back queries)"
    )
    service.events_off(instance_id)
    return lost == 0 and receiver.bad_signatures == 0 and bool(answered)


def polling(service: Service, settings: Settings, contacts: int) -> bool:
    from connector.app import create_app
    from connector.events.deletions.schedules import run_deleted_tickets, run_reconcile
    from connector.events.env import EventsEnv
    from connector.events.polling.schedules import run_poll
    from connector.events.polling.watermark import Watermarks
    from connector.events.webhooks.env import EXTENSION

    sandbox_url = service.sandbox_url
    instance_id = service.create(
        "/polling",
        **{
            "event.vendor.type": "polling",
            "event.poller.refresh_interval": "60",  # the scheduled first polls, then an hour
            "event.poller.reconcile_interval": "0",
        },
    )
    resources = list(ENTITIES)
    wait(
        lambda: all(
            service.status(instance_id)["resources"].get(r, {}).get("lastPoll") for r in resources
        ),
        timeout=120,
        interval=0.2,
    )
    app = create_app(settings)
    env, hooks = EventsEnv.of_app(app), app.extensions[EXTENSION]
    ok = True
    for resource in resources:
        clear_calls(sandbox_url)
        run_poll(env, instance_id, resource)
        calls = len(sandbox_calls(sandbox_url))
        ok &= calls == 1
        print(f"idle poll of {resource}: {calls} upstream call(s) (target exactly 1)")
    run_deleted_tickets(env, hooks, instance_id)  # learns where the log starts
    clear_calls(sandbox_url)
    run_deleted_tickets(env, hooks, instance_id)
    idle = len(sandbox_calls(sandbox_url))
    ok &= idle == 1
    print(f"idle DeletedTicketLogs poll: {idle} upstream call(s) (target 1)")
    instance = env.instance(instance_id)
    instance.set_config("event.poller.reconcile_interval", "1440", env.box)
    env.services.instances.save(instance)
    clear_calls(sandbox_url)
    run_reconcile(env, hooks, instance_id)
    swept = len([c for c in sandbox_calls(sandbox_url) if "Contacts/query" in c.get("path", "")])
    total = count(sandbox_url, "Contacts")
    ok &= swept == math.ceil(total / 500)
    print(
        f"reconcile sweep over {total} contact ids: {swept} calls "
        f"(ceil(N/500) = {math.ceil(total / 500)})"
    )

    marks = Watermarks(env.redis, env.keys)
    marks.put(instance_id, "contacts", "2000-01-01T00:00:00.000Z", {})
    clear_calls(sandbox_url)
    started = time.perf_counter()
    found = polls = 0
    while not polls or (marks.get(instance_id, "contacts") or {}).get("scan"):
        found += run_poll(env, instance_id, "contacts")  # as the follow-up polls run it
        polls += 1
    took = time.perf_counter() - started
    calls = len([c for c in sandbox_calls(sandbox_url) if "Contacts/query" in c.get("path", "")])
    target = math.ceil(found / 500)
    ok &= calls == target and found == total
    print(
        f"{polls} poll(s) finding {found} changed contacts: {calls} upstream calls "
        f"(ceil(N/500) = {target}) in {took:.1f} s"
    )
    delivered = wait(
        lambda: len(service.receiver.events("/polling")) >= found, timeout=600, interval=0.5
    )
    reads = len([c for c in sandbox_calls(sandbox_url) if "Contacts/query" in c.get("path", "")])
    print(
        f"  their {len(service.receiver.events('/polling'))} events delivered: {bool(delivered)}; "
        f"read-back calls by the render: {reads - calls} (target 0: the rows came along)"
    )
    service.events_off(instance_id)
    return ok and reads == calls


def count(sandbox_url: str, entity: str) -> int:
    body = {"filter": [{"op": "gte", "field": "id", "value": 0}]}
    return int(rest(sandbox_url, "POST", f"{entity}/query/count", body).json()["queryCount"])


def memory(service: Service, settings: Settings, held: int, start_worker) -> bool:
    from connector.app import create_app
    from connector.events import pipeline
    from connector.events.changes import Change
    from connector.events.env import EventsEnv
    from connector.events.store import EventLog

    instance_id = service.create(
        "/down",
        **{
            "event.vendor.type": "polling",
            "event.objects": "contacts",
            "event.poller.refresh_interval": "60",
            "event.poller.reconcile_interval": "0",
        },
    )
    app = create_app(settings)
    env = EventsEnv.of_app(app)
    template = every_row(service.sandbox_url, "Contacts", 1)[0]
    used_before = env.redis.info("memory")["used_memory"]
    worker = start_worker()
    started = time.perf_counter()
    for start in range(0, held, 5000):
        changes = [
            Change(
                instance_id=instance_id,
                resource="contacts",
                entity="Contacts",
                object_id=10_000_000 + n,
                event_type="UPDATED",
                source="polling",
                changed_at="2026-12-03T10:00:00.000Z",
                version="2026-12-03T10:00:00.000Z",
                record={**template, "id": 10_000_000 + n},
            )
            for n in range(start, min(held, start + 5000))
        ]
        pipeline.submit(env, changes)
    log = EventLog(env.redis, env.keys, env.settings.events_retention_days)
    logged = wait(lambda: log.length(instance_id) >= held, timeout=1800, interval=1.0)
    took = time.perf_counter() - started
    peak, rss = peak_rss_mb(worker.pid)
    used = env.redis.info("memory")["used_memory"] - used_before
    print(
        f"one worker rendered {log.length(instance_id)} held events (callback down) in "
        f"{took:.0f} s: peak RSS {peak:.0f} MB, RSS now {rss:.0f} MB; "
        f"Redis {used / max(1, held):.0f} bytes per held event"
    )
    service.events_off(instance_id)
    return bool(logged)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--held", type=int, default=100_000)
    args = parser.parse_args()
    ok = True
    receiver = Receiver()
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
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        env, auth = harness.service_env(
            redis_url,
            PREFIX,
            Path(tmp) / "data",
            sandbox_url,
            CONNECTOR_PUBLIC_URL=public,
            EVENTS_ALLOW_PRIVATE_CALLBACKS="true",
        )
        settings = Settings.from_env(env)
        gunicorn = [
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
        worker_args = [sys.executable, "-m", "connector.cli", "worker"]
        service = Service(public, auth, sandbox_url, receiver)
        with harness.process(gunicorn, env=env, ready_url=public + "/"):
            with harness.process(worker_args, env=env), harness.process(worker_args, env=env):
                ok &= webhooks(service, args.changes)
                ok &= polling(service, settings, args.contacts)
            # the held events: one worker alone, so its memory is theirs
            with ExitStack() as stack:
                ok &= memory(
                    service,
                    settings,
                    args.held,
                    lambda: stack.enter_context(harness.process(worker_args, env=env)),
                )
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    raise SystemExit(main())
