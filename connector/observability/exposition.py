"""The text /metrics answers: this process's registry, or every worker's files added up."""

from __future__ import annotations

import threading

from connector.observability import multiproc
from connector.observability.queues import QueueDepths

_queue_depths = QueueDepths()
_single: dict[str, bool] = {}
_lock = threading.Lock()


def render() -> tuple[bytes, str]:
    """(body, content type) in Prometheus' text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client import multiprocess as prom_multiprocess

    if multiproc.enabled():
        registry = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(registry)
        registry.register(_queue_depths)
    else:
        registry = REGISTRY
        with _lock:
            if not _single:
                REGISTRY.register(_queue_depths)
                _single["registered"] = True
    return generate_latest(registry), CONTENT_TYPE_LATEST
