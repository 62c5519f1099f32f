"""The uncached read: what the connector adds to one Autotask call (hub_bench.py --mode uncached).

Two parts, both against the sandbox on loopback:

1. Side by side: `GET /hubs/crm/contacts/{id}` on an instance without caching (one Autotask
   call each) under gunicorn (1 worker), and the same record read straight from the sandbox;
   one keep-alive client, the two interleaved request by request so the machine's drift hits
   both alike. Printed: p50/p99 of each and the added p50/p99.
2. One request's time by phase, measured in this process on the same app (Flask's test
   client, no HTTP server): the functions of each phase are wrapped with timers and Redis
   round trips are counted at the socket (one per command, one per pipeline).
"""

from __future__ import annotations

import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests

SANDBOX_HEADERS = {
    "ApiIntegrationCode": "SANDBOX0INTEGRATION0CODE000",
    "UserName": "api-user@sandbox.local",
    "Secret": "sandbox-secret",
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000


def side_by_side(
    hub_url: str,
    hub_headers: dict,
    direct_url: str,
    requests_each: int,
    against: str | None = None,
) -> dict:
    """`requests_each` rounds of one direct GET and one hub GET back to back (and, with
    `against`, the same GET on a second hub server: other code on the same sandbox, Redis and
    instance), the order rotating round by round. A busy machine slows a round's requests
    alike, so each hub's difference from the direct GET of its round keeps what that hub adds
    while the load comes and goes; the load average is read at the start and every 100."""
    names = ["direct", "hub"] + (["against"] if against else [])
    sessions = {name: requests.Session() for name in names}
    urls = {"direct": direct_url, "hub": hub_url, "against": against}
    sent = {name: SANDBOX_HEADERS if name == "direct" else hub_headers for name in names}
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(50):  # warm them all: connections, metadata, the workers' imports
        for name in names:
            sessions[name].get(urls[name], headers=sent[name], timeout=30).raise_for_status()
    loads = [os.getloadavg()[0]]
    for round_ in range(requests_each):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            answer = sessions[name].get(urls[name], headers=sent[name], timeout=30)
            times[name].append(time.perf_counter() - started)
            answer.raise_for_status()
        if round_ % 100 == 99:
            loads.append(os.getloadavg()[0])
    loads.append(os.getloadavg()[0])
    figures: dict[str, Any] = {name: percentiles(samples) for name, samples in times.items()}
    for name in names[1:]:
        differences = sorted(h - d for h, d in zip(times[name], times["direct"], strict=True))
        quartiles = statistics.quantiles(differences, n=4)
        figures[f"{name}_paired_ms"] = (
            statistics.median(differences) * 1000,
            quartiles[0] * 1000,
            quartiles[2] * 1000,
        )
    figures["paired_ms"] = figures.pop("hub_paired_ms")
    figures["load"] = (loads[0], min(loads), max(loads), loads[-1])
    return figures


def hop(hub_url: str, cached_headers: dict, requests_each: int = 1000) -> tuple[float, float]:
    """p50/p99 of a cached hit of the same record through the same server and client: no
    Redis round trip, no Autotask call, so about what any answer costs end to end (this
    `requests` client, HTTP, gunicorn): what a hub answer costs when the hub does no work."""
    session = requests.Session()
    for _ in range(50):
        session.get(hub_url, headers=cached_headers, timeout=30).raise_for_status()
    samples = []
    for _ in range(requests_each):
        started = time.perf_counter()
        answer = session.get(hub_url, headers=cached_headers, timeout=30)
        samples.append(time.perf_counter() - started)
        assert answer.headers["Elements-Cache"] == "hit"
    return percentiles(samples)


# -- the breakdown ----------------------------------------------------------------------
def _phases() -> dict[str, list[tuple[Any, str]]]:
    """Phase name -> the (owner, attribute) functions whose time is that phase's."""
    from connector.api import fast_path, hubs
    from connector.autotask import limits
    from connector.autotask.limits import counter, pacing, releaser, semaphore, threshold
    from connector.hub import render
    from connector.mapping import resource
    from connector.outbound.client import OutboundClient as outbound
    from connector.tenancy.callers import CallerLookup

    return {
        "auth and instance lookup": [
            (CallerLookup, "copied"),  # the fast path's look-up
            (fast_path, "authorize"),
            (hubs, "element_caller"),  # Flask's, when a request falls through
        ],
        "limits and semaphore": [
            (limits.Limits, "_take"),  # the one-round-trip admission
            (limits.Limits, "_release"),  # a release sent before the answer (none here)
            (releaser.Releaser, "submit"),  # the release handed to the releaser thread
            (threshold.ThresholdMonitor, "claim"),
            (counter.RequestCounter, "usage"),
            (pacing.Pacer, "reserve"),
            (semaphore.Semaphore, "try_acquire"),
            (semaphore.Semaphore, "acquire"),
            (semaphore.Semaphore, "release"),
        ],
        "upstream call (outbound guard, HTTP to the sandbox)": [(outbound, "request")],
        "mapping (vendor -> normalized)": [(resource.ResourceMap, "to_normalized")],
        "rendering (fields, nulls, JSON)": [
            (render.Renderer, "record"),
            (render.Renderer, "dumps"),
        ],
    }


@contextmanager
def _timed(phases: dict[str, list[tuple[Any, str]]], spent: dict[str, float]) -> Iterator[None]:
    """Wrap each phase's functions; a call nested inside another of the same phase counts once."""
    originals: list[tuple[Any, str, Callable]] = []
    depth: dict[str, int] = defaultdict(int)

    def wrap(phase: str, function: Callable) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            depth[phase] += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth[phase] -= 1
                if depth[phase] == 0:
                    spent[phase] += time.perf_counter() - started

        return timed

    for phase, targets in phases.items():
        for owner, name in targets:
            function = getattr(owner, name)
            originals.append((owner, name, function))
            setattr(owner, name, wrap(phase, function))
    try:
        yield
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


@contextmanager
def _redis_round_trips(counts: list[int]) -> Iterator[None]:
    """Count what goes out on Redis sockets: a command or a whole pipeline is one packet."""
    from redis import connection

    original = connection.Connection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        counts[0] += 1
        return original(self, command, check_health)

    connection.Connection.send_packed_command = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        connection.Connection.send_packed_command = original  # type: ignore[method-assign]


def breakdown(app: Any, path: str, headers: dict, requests_each: int) -> dict[str, Any]:
    """Median per phase over `requests_each` requests (a mean would be one stall's)."""
    client = app.test_client()
    for _ in range(50):
        assert client.get(path, headers=headers).status_code == 200
    spent: dict[str, float] = defaultdict(float)
    round_trips = [0]
    samples: dict[str, list[float]] = defaultdict(list)
    with _timed(_phases(), spent), _redis_round_trips(round_trips):
        for _ in range(requests_each):
            spent.clear()
            started = time.perf_counter()
            answer = client.get(path, headers=headers)
            total = time.perf_counter() - started
            assert answer.status_code == 200 and answer.headers["Elements-Cache"] == "off"
            for phase in _phases():
                samples[phase].append(spent.get(phase, 0.0))
            samples["the rest (WSGI, fast path, hub, client, metrics)"].append(
                total - sum(spent.values())
            )
            samples["total"].append(total)
    medians = {phase: statistics.median(values) * 1000 for phase, values in samples.items()}
    return {
        "total_ms": medians.pop("total"),
        "phases_ms": medians,
        "redis_round_trips": round_trips[0] / requests_each,
        "requests": requests_each,
    }


def report(figures: dict, phases: dict | None, requests_each: int) -> None:
    (direct_p50, direct_p99), (hub_p50, hub_p99) = figures["direct"], figures["hub"]
    print(
        f"Uncached GET /hubs/crm/contacts/{{id}} (one Autotask call) against the same GET sent "
        f"to the sandbox; gunicorn 1 worker, one keep-alive client, {requests_each} each, "
        "interleaved"
    )
    print(f"{'':<28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'direct to the sandbox':<28}{direct_p50:>10.2f}{direct_p99:>10.2f}")
    print(f"{'through the hub':<28}{hub_p50:>10.2f}{hub_p99:>10.2f}")
    print(
        f"{'added by the hub':<28}{hub_p50 - direct_p50:>10.2f}{hub_p99 - direct_p99:>10.2f}"
        "   (goal: < 2 ms p50, < 5 ms p99)"
    )
    paired, low, high = figures["paired_ms"]
    print(
        f"{'paired difference, median':<28}{paired:>10.2f}"
        f"   (interquartile {low:.2f} to {high:.2f} ms, {requests_each} pairs)"
    )
    if "against" in figures:
        (against_p50, against_p99), against = figures["against"], figures["against_paired_ms"]
        print(f"against {figures['against_code']} (same run, same sandbox and Redis):")
        print(f"{'  through that hub':<28}{against_p50:>10.2f}{against_p99:>10.2f}")
        print(
            f"{'  added by that hub':<28}{against_p50 - direct_p50:>10.2f}"
            f"{against_p99 - direct_p99:>10.2f}"
        )
        print(
            f"{'  paired difference, median':<28}{against[0]:>10.2f}"
            f"   (interquartile {against[1]:.2f} to {against[2]:.2f} ms)"
        )
    if "hop" in figures:
        hop_p50, hop_p99 = figures["hop"]
        print(
            f"{'a cached hit, same server':<28}{hop_p50:>10.2f}{hop_p99:>10.2f}"
            "   (no Redis, no Autotask call: client and server alone)"
        )
    start, least, most, end = figures["load"]
    print(
        f"load average (1 min) over the run: {start:.2f} at the start, {least:.2f} to {most:.2f}, "
        f"{end:.2f} at the end ({os.cpu_count()} CPUs)"
    )
    if phases is None:
        return
    print()
    print(
        f"One request by phase (in process, Flask test client, request log off; medians of "
        f"{phases['requests']}): {phases['total_ms']:.2f} ms in all, "
        f"{phases['redis_round_trips']:.1f} Redis round trips"
    )
    for phase, ms in phases["phases_ms"].items():
        print(f"  {phase:<46}{ms:>8.3f} ms")
