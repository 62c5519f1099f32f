"""Upstream calls made by one client, by kind, for tests, benchmarks and logs."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

KINDS = (
    "zone",
    "query",
    "count",
    "get",
    "create",
    "update",
    "delete",
    "metadata",
    "threshold",
    "probe",
)


class CallStats:
    """Thread-safe tallies. `calls` counts HTTP requests sent to Autotask, retries included."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self.retries = 0
        self.zone_refreshes = 0
        self.paced_seconds = 0.0
        self.slot_wait_seconds = 0.0

    def count(self, kind: str) -> None:
        with self._lock:
            self._calls[kind] += 1

    def add(
        self,
        *,
        retries: int = 0,
        zone_refreshes: int = 0,
        paced: float = 0.0,
        slot_wait: float = 0.0,
    ) -> None:
        with self._lock:
            self.retries += retries
            self.zone_refreshes += zone_refreshes
            self.paced_seconds += paced
            self.slot_wait_seconds += slot_wait

    def __getitem__(self, kind: str) -> int:
        with self._lock:
            return self._calls[kind]

    @property
    def calls(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": sum(self._calls.values()),
                "byKind": {kind: self._calls[kind] for kind in KINDS if self._calls[kind]},
                "retries": self.retries,
                "zoneRefreshes": self.zone_refreshes,
                "pacedSeconds": round(self.paced_seconds, 3),
                "slotWaitSeconds": round(self.slot_wait_seconds, 3),
            }

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self.retries = self.zone_refreshes = 0
            self.paced_seconds = self.slot_wait_seconds = 0.0
