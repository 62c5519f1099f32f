"""Autotask's request budget, kept by every worker together through Redis.

`Limits.admit(endpoint)` wraps one upstream request: it paces it when the hourly budget runs
low, holds one of the endpoint's concurrency slots while the request runs, and counts it for
the database when it goes out. The caller reads ThresholdInformation when `threshold_due` says so.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import redis as redis_lib

from connector.autotask.errors import LimitWaitError
from connector.autotask.limits import one_trip
from connector.autotask.limits.counter import BUCKET_TTL, RequestCounter, Usage, load_snapshot
from connector.autotask.limits.pacing import Pacer
from connector.autotask.limits.releaser import Release, process_releaser
from connector.autotask.limits.semaphore import Semaphore, SlotsBusyError, process_renewer
from connector.autotask.limits.threshold import ThresholdMonitor
from connector.storage.keys import Keys
from connector.storage.scripts import script

__all__ = ["Admission", "Limits", "Usage"]

log = logging.getLogger("connector.usage")


@dataclass
class Admission:
    """What admitting one request cost: for the client's statistics."""

    usage: Usage
    paced_seconds: float = 0.0
    slot_wait_seconds: float = 0.0
    reports: list[tuple[Any, tuple]] = field(default_factory=list)

    def report(self, on_call: Any, *args: Any) -> None:
        """Tell `on_call` of the request: queued on the release's round trip when it can be
        (it has `queue(pipe, *args)`), else called now."""
        queue = getattr(on_call, "queue", None)
        if queue is None:
            on_call(*args)
        else:
            self.reports.append((queue, args))


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
        self.monitor_key = keys.threshold(database)
        self._admit = script(redis, one_trip.ADMIT)
        self.latest: Usage | None = None  # as of the last release or threshold read

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
        usage = self.counter.usage()
        snapshot = self.monitor.store(answer, usage)
        self.latest = Usage(own=usage.own, snapshot=snapshot)
        return snapshot

    def current(self) -> Usage:
        """The usage as of this object's last release or ThresholdInformation read (the same
        figures a fresh read would give then), else read now."""
        return self.latest if self.latest is not None else self.counter.usage()

    @contextmanager
    def admit(
        self,
        endpoint: str,
        *,
        pace: bool = True,
        slot_wait: float | None = None,
        max_wait: float | None = None,
        background: bool = False,
        release_later: bool = False,
    ) -> Iterator[Admission]:
        """Pace, hold a slot for, and count one request to `endpoint` (an entity name).
        It is counted only once it holds its slot, as it goes out: a request refused here
        never reaches Autotask. `pace=False` is for ThresholdInformation (pacing cannot ease
        without a fresh read); `slot_wait` caps the wait for a slot (default `max_wait`), and
        `max_wait` the pacing wait (default the setting: an operation passes what it has left).
        `background` work (bulk jobs) takes a slot only while another stays free, so
        interactive calls always find one of the slots while jobs run.
        Unpaced with a free slot, admitting is one round trip and releasing one more
        (limits/one_trip.py); a pacing wait or a busy slot takes the usual waits.
        `release_later` hands the release to this process's releaser thread (releaser.py):
        off the answer's path; `latest` is then the usage as admitted."""
        semaphore = self.semaphore(endpoint)
        token = secrets.token_hex(8)
        now = time.time()  # one minute for the buckets and the script's naming of them
        buckets, window = self.counter.window(now=now), self.counter.window_args(now=now)
        limit = max(1, self.slots - (1 if background else 0))
        pacing_wait = self.max_wait if max_wait is None else max_wait
        state, wait_ms, usage = self._take(semaphore, token, window, limit, pace, pacing_wait)
        if state == one_trip.BUSY and process_releaser().pending(semaphore.key):
            # the slots may be this process's own, their releases queued: wait for those
            # (one round trip; a second at most) rather than poll for a slot (5 to 30 ms a
            # try); unpaced, as the first try reserved this request's pacing turn already
            process_releaser().flush(timeout=1.0)
            state, wait_ms, usage = self._take(semaphore, token, window, limit, False, 0)
        if state == one_trip.REFUSED:
            raise LimitWaitError(
                "Autotask's hourly request budget for this database is nearly spent; "
                "the connector is pacing its calls",
                retry_after=wait_ms / 1000,
            )
        wait = wait_ms / 1000 if state == one_trip.PACED else 0.0
        if wait > 0:
            time.sleep(wait)
        waited = 0.0
        if state != one_trip.HELD:
            timeout = self.max_wait if slot_wait is None else slot_wait
            try:
                token, waited = semaphore.acquire(
                    timeout,
                    count_key=buckets[0],
                    count_ttl=BUCKET_TTL,
                    reserve=1 if background else 0,
                )
            except SlotsBusyError:
                raise LimitWaitError(
                    f"All {self.slots} concurrent Autotask slots for {endpoint} stayed busy",
                    retry_after=1.0,
                ) from None
        renewer = process_renewer()
        renewer.hold(semaphore, token)
        # this request is in the count now; the snapshot read above is still current
        admission = Admission(replace(usage, own=usage.own + 1), wait, waited)
        try:
            yield admission
        finally:
            renewer.drop(token)
            if release_later:
                self.latest = admission.usage
                process_releaser().submit(
                    Release(self.redis, semaphore.key, token, tuple(admission.reports))
                )
            else:
                self._release(semaphore, token, buckets, admission.reports)

    def _take(
        self,
        semaphore: Semaphore,
        token: str,
        window: tuple[str, tuple],
        limit: int,
        pace: bool,
        pacing_wait: float,
    ) -> tuple[int, int, Usage]:
        """One ADMIT round trip: (state, pacing wait in ms, the usage before this request).
        `window` is `RequestCounter.window_args`: this minute's bucket and ARGV[7..9]."""
        bucket, naming = window
        state, wait_ms, own, raw, _interval = self._admit(
            keys=[semaphore.key, self.pacer.key, self.monitor_key, bucket],
            args=[
                token,
                limit,
                semaphore.slot_ms,
                BUCKET_TTL,
                self.share if pace else -1,
                int(pacing_wait * 1000),
                *naming,
            ],
        )
        return int(state), int(wait_ms), Usage(own=int(own), snapshot=load_snapshot(raw))

    def _release(
        self,
        semaphore: Semaphore,
        token: str,
        buckets: tuple[str, ...],
        reports: list[tuple[Any, tuple]],
    ) -> None:
        """Drop the slot, read the usage after it, and send what the call reported (the
        instance's usage figures), in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            keys = [semaphore.key, self.monitor_key, *buckets]
            pipe.eval(one_trip.RELEASE, len(keys), *keys, token)
            for queue, args in reports:
                queue(pipe, *args)
            released, *reported = pipe.execute(raise_on_error=False)
        if isinstance(released, Exception):
            raise released
        own, raw = released
        self.latest = Usage(own=int(own), snapshot=load_snapshot(raw))
        for outcome in reported:
            if isinstance(outcome, Exception):  # the request went out: its answer matters more
                log.warning("a call's usage was not counted: %s", type(outcome).__name__)
                break
