"""Shared parts of the benchmarks: real processes on loopback and a small load generator.

Everything runs on this machine: an embedded redis-server, the sandbox as its own gunicorn
process, the service under gunicorn. The load generator runs in separate processes with
keep-alive connections, the same for every server it is pointed at, so figures compare.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests

from connector.storage.embedded_redis import EmbeddedRedis, free_port

ROOT = Path(__file__).resolve().parent.parent


def service_env(
    redis_url: str, prefix: str, data_dir: Path, allowed_hosts: str, **more: str
) -> tuple[dict[str, str], str]:
    """The service's environment for a benchmark (`more` adds or overrides settings) and the
    Authorization of an organization account made for it under `prefix`."""
    import redis
    from cryptography.fernet import Fernet

    from connector.storage.keys import Keys
    from connector.tenancy.accounts import AccountStore

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    account = AccountStore(client, Keys(prefix)).create()
    client.close()
    env = {
        "REDIS_URL": redis_url,
        "CONNECTOR_KEY_PREFIX": prefix,
        "AUTOTASK_ALLOWED_HOSTS": allowed_hosts,  # the operator allows its sandbox
        "CONNECTOR_SECRET_KEY": Fernet.generate_key().decode(),
        "CONNECTOR_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        **more,
    }
    return env, f"User {account.user_secret}, Organization {account.organization_secret}"


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def process(
    args: list[str],
    env: dict[str, str] | None = None,
    ready_url: str | None = None,
    cwd: Path = ROOT,
) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},  # noqa: S603
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if ready_url:
            wait_until_up(ready_url)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def embedded_redis() -> Iterator[str]:
    server = EmbeddedRedis(None, persistent=False)
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def sandbox(data_dir: Path, records: int = 20, workers: int = 2) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [
        sys.executable,
        "-m",
        "connector.sandbox",
        "--port",
        str(port),
        "--records",
        str(records),
        "--data-dir",
        str(data_dir),
        "--reseed",
        "--workers",
        str(workers),
    ]
    with process(args, ready_url=url + "/_sandbox/health"):
        yield url


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    workers: int = 2,
    threads: int = 4,
    worker_class: str = "gthread",
    code: Path = ROOT,
) -> Iterator[str]:
    """`app` served from the checkout at `code` (its directory comes first on the path)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        app,
    ]
    with process(args, env=env, ready_url=url + "/", cwd=code):
        yield url


def _worker(
    url: str,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    results: multiprocessing.Queue,
) -> None:
    import threading

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, errors))


def load(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float = 10.0,
    processes: int = 2,
    connections: int = 4,
) -> dict[str, float]:
    """GET `url` from `processes` x `connections` keep-alive clients for `seconds`."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_worker, args=(url, headers, seconds, connections, queue))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        found, bad = queue.get()
        latencies.extend(found)
        errors += bad
    for worker in workers:
        worker.join()
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "errors": errors,
        "rps": count / seconds,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[int(count * 0.99) - 1] * 1000 if latencies else float("nan"),
    }


def median_round(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median throughput (its latencies belong to it)."""
    ordered = sorted(rounds, key=lambda r: r["rps"])
    return ordered[len(ordered) // 2]
