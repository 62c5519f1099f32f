"""Autotask's request budget, kept by every worker together through Redis.

`Limits.admit(endpoint)` wraps one upstream request: it paces it when the hourly budget runs
low, holds one of the endpoint's concurrency slots while the request runs, and counts it for
the database when it goes out. The caller reads ThresholdInformation when `threshold_due` says so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import redis as redis_lib

from connector.autotask.errors import LimitWaitError
from connector.autotask.limits.counter import BUCKET_TTL, RequestCounter, Usage
from connector.autotask.limits.pacing import Pacer, WaitTooLongError, pacing_interval
from connector.autotask.limits.semaphore import Semaphore, SlotsBusyError
from connector.autotask.limits.threshold import ThresholdMonitor
from connector.storage.keys import Keys

__all__ = ["Admission", "Limits", "Usage"]


@dataclass
class Admission:
    """What admitting one request cost: for the client's statistics."""

    usage: Usage
    paced_seconds: float = 0.0
    slot_wait_seconds: float = 0.0


class Limits:
    def __init__(
        self,
        redis: redis_lib.Redis,
        keys: Keys,
        *,
        database: int | str,
        integration: str,
        share: float,
        slots: int,
        max_wait: float,
        slot_seconds: float,
        threshold_refresh: float,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.database = database
        # Autotask's thread limit is per integration code and endpoint, within a database
        self.integration = f"{database}/{integration}"
        self.share = share
        self.slots = slots
        self.max_wait = max_wait
        self.slot_seconds = slot_seconds
        self.counter = RequestCounter(redis, keys, database)
        self.monitor = ThresholdMonitor(redis, keys, database, refresh_seconds=threshold_refresh)
        self.pacer = Pacer(redis, keys, database)
        self._semaphores: dict[str, Semaphore] = {}

    def semaphore(self, endpoint: str) -> Semaphore:
        name = endpoint.lower()
        found = self._semaphores.get(name)
        if found is None:
            key = self.keys.semaphore(self.integration, name)
            found = Semaphore(self.redis, key, slots=self.slots, slot_seconds=self.slot_seconds)
            self._semaphores[name] = found
        return found

    def usage(self) -> Usage:
        return self.counter.usage()

    def threshold_due(self, usage: Usage) -> bool:
        """True when ThresholdInformation should be read now, by this worker."""
        return self.monitor.due(usage) and self.monitor.claim()

    def store_threshold(self, answer: dict[str, Any]) -> dict[str, Any]:
        return self.monitor.store(answer, self.counter.usage())

    @contextmanager
    def admit(
        self,
        endpoint: str,
        *,
        pace: bool = True,
        slot_wait: float | None = None,
        max_wait: float | None = None,
        background: bool = False,
    ) -> Iterator[Admission]:
        """Pace, hold a slot for, and count one request to `endpoint` (an entity name).
        It is counted only once it holds its slot, as it goes out: a request refused here
        never reaches Autotask. `pace=False` is for ThresholdInformation (pacing cannot ease
        without a fresh read); `slot_wait` caps the wait for a slot (default `max_wait`), and
        `max_wait` the pacing wait (default the setting: an operation passes what it has left).
        `background` work (bulk jobs) takes a slot only while another stays free, so
        interactive calls always find one of the slots while jobs run."""
        usage = self.counter.usage()
        interval = 0.0
        if pace:
            interval = pacing_interval(
                usage.estimated_used, usage.limit, usage.timeframe_seconds, self.share
            )
        try:
            wait = self.pacer.reserve(interval, self.max_wait if max_wait is None else max_wait)
        except WaitTooLongError as refused:
            raise LimitWaitError(
                "Autotask's hourly request budget for this database is nearly spent; "
                "the connector is pacing its calls",
                retry_after=refused.wait,
            ) from None
        if wait > 0:
            time.sleep(wait)
        timeout = self.max_wait if slot_wait is None else slot_wait
        try:
            slot = self.semaphore(endpoint).slot(
                timeout,
                count_key=self.counter.bucket(),
                count_ttl=BUCKET_TTL,
                reserve=1 if background else 0,
            )
            with slot as waited:
                # this request is in the count now; the snapshot read above is still current
                admission = Admission(replace(usage, own=usage.own + 1), wait, waited)
                yield admission
        except SlotsBusyError:
            raise LimitWaitError(
                f"All {self.slots} concurrent Autotask slots for {endpoint} stayed busy",
                retry_after=1.0,
            ) from None
