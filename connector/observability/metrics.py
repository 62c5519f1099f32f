"""The service's metrics, named as Prometheus asks (`_total`, `_seconds`, base units).

Each `observe_*`/`count_*` function is what the rest of the code calls. The metric objects
are made on first use, not at import: prometheus-client picks its storage when it is first
imported, and `serve` must set PROMETHEUS_MULTIPROC_DIR before that (see multiproc.py),
although it imports this module early through the client.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

PREFIX = "autotask_connector_"
MAX_DATABASES = 200  # distinct database labels per process; more share one "other" series
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

_made: dict[str, SimpleNamespace] = {}
_lock = threading.Lock()
_databases: set[str] = set()


def _build() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram

    return SimpleNamespace(
        http_requests=Counter(
            PREFIX + "http_requests_total",
            "HTTP requests answered, by method, route template and status code",
            ["method", "route", "status"],
        ),
        http_duration=Histogram(
            PREFIX + "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=LATENCY,
        ),
        upstream_requests=Counter(
            PREFIX + "autotask_requests_total",
            "Requests sent to Autotask, by entity, kind of call, outcome and whether retried",
            ["entity", "kind", "outcome", "retry"],
        ),
        upstream_duration=Histogram(
            PREFIX + "autotask_request_duration_seconds",
            "Time an Autotask request took, by kind of call",
            ["kind"],
            buckets=LATENCY,
        ),
        slot_wait=Histogram(
            PREFIX + "autotask_slot_wait_seconds",
            "Time a request waited for one of its endpoint's concurrency slots (Redis semaphore)",
            buckets=(0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0),
        ),
        paced=Counter(
            PREFIX + "autotask_paced_seconds_total",
            "Seconds requests were held back to spread Autotask's hourly budget",
        ),
        threshold_used=Gauge(
            PREFIX + "autotask_threshold_used_ratio",
            "Share of the database's hourly Autotask request threshold in use (estimated)",
            ["database"],
            multiprocess_mode="mostrecent",
        ),
        cache_lookups=Counter(
            PREFIX + "cache_lookups_total",
            "Hub reads answered from the instance cache (hit) or from Autotask (miss)",
            ["result"],
        ),
    )


def made() -> SimpleNamespace:
    """The metric objects, made once per process on first use."""
    found = _made.get("metrics")
    if found is None:
        with _lock:
            found = _made.get("metrics")
            if found is None:
                found = _made["metrics"] = _build()
    return found


_children: dict[tuple, Any] = {}
_CHILDREN_KEPT = 10_000  # label sets are few by design; past this, each call asks the metric


def _child(metric: Any, *labels: str) -> Any:
    """`metric.labels(*labels)`, kept: prometheus-client checks and joins the labels on each
    call, five times an Autotask call."""
    key = (metric, labels)
    found = _children.get(key)
    if found is None:
        found = metric.labels(*labels)
        if len(_children) < _CHILDREN_KEPT:
            _children[key] = found
    return found


# HTTP methods a label names; any other token a caller sends counts as `other` (every method
# a caller invents would otherwise be a series of its own, in every worker's samples file)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    m = made()
    method = method if method in METHODS else "other"
    _child(m.http_requests, method, route, str(status)).inc()
    _child(m.http_duration, method, route).observe(seconds)


@lru_cache(maxsize=1)
def _known_entities() -> frozenset[str]:
    from connector.hub.registry import native_entities

    return frozenset(native_entities()) | {"ThresholdInformation", "Version"}


def entity_label(entity: str) -> str:
    """The entity as a label: Autotask entities the connector knows, else `other` (a tenant
    may name any entity, and labels must stay few)."""
    return entity if entity in _known_entities() else "other"


def observe_upstream(entity: str, kind: str, outcome: str, retry: bool, seconds: float) -> None:
    m = made()
    labels = (entity_label(entity), kind, outcome, "true" if retry else "false")
    _child(m.upstream_requests, *labels).inc()
    _child(m.upstream_duration, kind).observe(seconds)


def observe_admission(slot_wait_seconds: float, paced_seconds: float) -> None:
    m = made()
    m.slot_wait.observe(slot_wait_seconds)
    if paced_seconds > 0:
        m.paced.inc(paced_seconds)


@lru_cache(maxsize=1024)  # an HMAC per Autotask call, for the same few databases
def database_label(database: str, key: str | None) -> str:
    """A database as a label: a digest keyed by CONNECTOR_SECRET_KEY (the same in every
    worker), never its API host, `ci`, lookup URL or a username, which a scrape would show."""
    digest = hmac.new((key or "").encode(), database.encode(), hashlib.sha256).hexdigest()
    return "db-" + digest[:16]


def observe_threshold(database: str, used: int, limit: int | None, key: str | None) -> None:
    """The threshold share of `database` (labelled by `database_label`, keyed by `key`)."""
    if not limit:
        return
    database = database_label(database, key)
    with _lock:
        if database not in _databases and len(_databases) >= MAX_DATABASES:
            database = "other"
        _databases.add(database)
    _child(made().threshold_used, database).set(used / limit)


def count_cache(result: str) -> None:
    if result in ("hit", "miss"):
        _child(made().cache_lookups, result).inc()


def outcome_of(error: BaseException | None) -> str:
    """`ok`, or the error's kind from its class name: ProviderRateLimitedError -> rate_limited,
    UpstreamConnectionError -> connection (a fixed set: the client's own error classes)."""
    if error is None:
        return "ok"
    name = type(error).__name__.removesuffix("Error")
    for prefix in ("Provider", "Upstream"):
        name = name.removeprefix(prefix)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or "error"
