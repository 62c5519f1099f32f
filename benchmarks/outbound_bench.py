"""Per-request cost of OutboundClient against a plain requests.Session, on loopback.

    python benchmarks/outbound_bench.py                    # 3,000 GETs each, 200-byte answer
    python benchmarks/outbound_bench.py --body-bytes 65536 --requests 1000

The server is a keep-alive HTTP/1.1 server in its own process (so its work does not share
this process's GIL) answering one fixed JSON body. Both clients run one after the other in
rounds, after a warm-up, sequentially (one thread). Printed: p50/p99 latency in µs of each, the
overhead of OutboundClient at p50/p99, and how many TCP connections each client opened
(keep-alive: expect 1 each).
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.outbound import OutboundClient, OutboundPolicy  # noqa: E402


def serve(port_out, connections, body_bytes: int) -> None:
    body = (b'{"items":[' + b"1," * max(0, (body_bytes - 12) // 2) + b"1]}")[:body_bytes]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def setup(self):
            with connections.get_lock():
                connections.value += 1
            super().setup()

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port_out.value = server.server_address[1]
    server.serve_forever(0.1)


def timed(call, count: int) -> list[float]:
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1e6)
    return spent


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--body-bytes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    port, connections = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    server = multiprocessing.Process(
        target=serve, args=(port, connections, args.body_bytes), daemon=True
    )
    server.start()
    try:
        deadline = time.monotonic() + 10
        while port.value == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        socket.create_connection(("127.0.0.1", port.value), timeout=5).close()
        while connections.value == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # the probe's connection is counted before the clients start
        url = f"http://127.0.0.1:{port.value}/items"
        with connections.get_lock():
            connections.value = 0

        session = requests.Session()
        session.mount("http://", HTTPAdapter(pool_connections=8, pool_maxsize=32, max_retries=0))
        session.trust_env = False
        client = OutboundClient(OutboundPolicy.from_settings("http://*", "true"))

        def plain():
            answer = session.get(url, timeout=30, allow_redirects=False)
            assert answer.status_code == 200 and len(answer.content) == args.body_bytes

        def guarded():
            answer = client.request("GET", url, deadline_seconds=30)
            assert answer.status == 200 and len(answer.body) == args.body_bytes

        timed(plain, 200)
        plain_connections = connections.value
        timed(guarded, 200)
        guarded_connections = connections.value - plain_connections
        per_round = max(1, args.requests // args.rounds)
        results: dict[str, list[float]] = {"requests.Session": [], "OutboundClient": []}
        for _ in range(args.rounds):
            results["requests.Session"] += timed(plain, per_round)
            results["OutboundClient"] += timed(guarded, per_round)
    finally:
        server.terminate()
        server.join(5)

    print(f"{per_round * args.rounds} GETs each, {args.body_bytes}-byte answer, loopback, 1 thread")
    medians = {}
    for name, values in results.items():
        p50, p99 = summary(values)
        medians[name] = (p50, p99)
        print(f"  {name:18s} p50 {p50:8.0f} µs   p99 {p99:8.0f} µs")
    (a50, a99), (b50, b99) = medians["requests.Session"], medians["OutboundClient"]
    print(f"  OutboundClient overhead: p50 {b50 - a50:+.0f} µs, p99 {b99 - a99:+.0f} µs")
    print(
        f"  TCP connections opened: requests.Session {plain_connections}, "
        f"OutboundClient {guarded_connections}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
