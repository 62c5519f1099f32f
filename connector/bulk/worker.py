"""The bulk worker process: an RQ worker on the bulk queue, with RQ's scheduler (retries with
intervals) and the sweep that resumes a dead worker's job.

It is RQ's SimpleWorker: jobs run in the worker process itself, which built the app once, so
a job starts at once (a forked work horse would build it again for every job). A job that
takes its worker down is resumed from its checkpoint by the sweep, like any lost job.
The sweep runs at most once per tick across all workers: each tick a worker tries a Redis lock
that expires with the tick, and only its holder sweeps.
"""

from __future__ import annotations

import logging
import threading

from rq import Queue, SimpleWorker

from connector.bulk import queueing, recovery
from connector.bulk.runtime import worker_runtime

log = logging.getLogger("connector.bulk")


def sweep_forever(stop: threading.Event, interval: float) -> None:
    runtime = worker_runtime()
    lock = runtime.store.keys.bulk_sweep_lock()
    while not stop.wait(interval):
        try:
            if runtime.store.redis.set(lock, "1", nx=True, px=int(interval * 1000)):
                recovery.sweep(runtime)
        except Exception as exc:  # a failed tick is tried again next tick
            log.warning("bulk sweep failed: %s", type(exc).__name__)


def run_worker(*, burst: bool = False) -> None:
    """Work the bulk queue until stopped (or, with `burst`, until it is empty)."""
    runtime = worker_runtime()  # the app is built once, before any job
    stop = threading.Event()
    interval = max(1.0, runtime.settings.bulk_lease_seconds / 2)
    sweeper = threading.Thread(target=sweep_forever, args=(stop, interval), daemon=True)
    sweeper.start()
    try:
        queue: Queue = queueing.queue(runtime)
        SimpleWorker([queue], connection=runtime.store.raw).work(with_scheduler=True, burst=burst)
    finally:
        stop.set()
