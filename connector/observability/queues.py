"""Metrics for background queues (events, bulk, formulas): the API their owners call.

- `register_queue(name, depth)`: `depth()` returns the number of jobs waiting (e.g. an RQ
  queue's `count`); it is read when /metrics is scraped, in the scraping worker, so register
  it in `init_app` (every worker) rather than in one request. A failing `depth` is skipped.
- `count_job(queue, outcome)`: one job ended (`done`, `failed`, `retried`, `dropped`...).
- `observe_job_seconds(queue, seconds)`: how long one job ran.

`queue` and `outcome` are names from your code, never a tenant's data. A worker process
outside gunicorn (an RQ worker) is added up with the web workers when it runs with the same
PROMETHEUS_MULTIPROC_DIR on the same host (`serve` exports it to what it starts; both
Procfile lines set the same folder).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from connector.observability.metrics import PREFIX

log = logging.getLogger("connector.metrics")

_depths: dict[str, Callable[[], int]] = {}
_lock = threading.Lock()
_made: dict[str, SimpleNamespace] = {}


def _metrics() -> SimpleNamespace:
    with _lock:  # made on first use, for the reason metrics.py gives
        if "jobs" not in _made:
            from prometheus_client import Counter, Histogram

            _made["jobs"] = SimpleNamespace(
                jobs=Counter(
                    PREFIX + "jobs_total",
                    "Background jobs that ended, by queue and outcome",
                    ["queue", "outcome"],
                ),
                duration=Histogram(
                    PREFIX + "job_duration_seconds",
                    "Time a background job ran, by queue",
                    ["queue"],
                    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0),
                ),
            )
        return _made["jobs"]


def register_queue(name: str, depth: Callable[[], int]) -> None:
    with _lock:
        _depths[name] = depth


def count_job(queue: str, outcome: str) -> None:
    _metrics().jobs.labels(queue, outcome).inc()


def observe_job_seconds(queue: str, seconds: float) -> None:
    _metrics().duration.labels(queue).observe(seconds)


class QueueDepths:
    """A collector: `autotask_connector_queue_depth{queue}`, read from the callables."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            PREFIX + "queue_depth", "Jobs waiting in a background queue", labels=["queue"]
        )
        with _lock:
            depths = dict(_depths)
        for name, depth in sorted(depths.items()):
            try:
                family.add_metric([name], float(depth()))
            except Exception as exc:  # a queue's store being down must not break the scrape
                log.warning("queue depth of %s unreadable: %s", name, type(exc).__name__)
        yield family
