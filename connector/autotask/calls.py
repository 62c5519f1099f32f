"""One upstream operation, start to end: limits, the HTTP call, retries, zone refresh.

Every request goes through `Caller.call`: counting, pacing, the concurrency slots and the
retry rules hold for all. ThresholdInformation is read again after a call when the shared
snapshot is due: once, best effort, never retried (a failure costs one call, no wait).

Time: each attempt has one total deadline (AUTOTASK_TIMEOUT over connect, send and the whole
answer); an operation's waits and retries (pacing, a busy slot, Retry-After, backoff) end
AUTOTASK_MAX_WAIT after it started, and the whole of it max(timeout, max wait) after.

Zones: a database that seems to have moved is asked for again; the new zone must pass the
guard's rules and answer an authenticated probe with this instance's credentials before any
other call goes there, and only then is it kept in the shared zone cache and handed to
`on_zone_moved` (the instance store pins it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis as redis_lib

from connector.autotask import guard, relocation
from connector.autotask import session as http
from connector.autotask.errors import LimitWaitError, UpstreamConnectionError
from connector.autotask.limits import Limits, Usage
from connector.autotask.models import Credentials, Zone
from connector.autotask.retries import RetryPolicy, Safety, may_have_run
from connector.autotask.stats import CallStats
from connector.config import Settings
from connector.errors import ProviderError, StorageUnavailableError
from connector.observability import metrics
from connector.outbound import OutboundClient
from connector.storage.keys import Keys

log = logging.getLogger("connector.autotask")
OnCall = Callable[[str, str, str, str], None]  # (database, endpoint, kind, outcome)

THRESHOLD_ENDPOINT = "ThresholdInformation"
# ThresholdInformation reads: never paced (they tell if pacing may ease), never read after
UNPACED = frozenset({"threshold", "probe"})


@contextmanager
def storage_guard() -> Iterator[None]:
    """Redis failures as the connector's StorageUnavailableError: no call goes out uncounted."""
    try:
        yield
    except redis_lib.RedisError as exc:
        raise StorageUnavailableError(
            f"Redis does not answer ({type(exc).__name__}); Autotask calls are held back "
            "because their shared limits live there"
        ) from None


class Caller:
    def __init__(
        self,
        credentials: Credentials,
        zone: Zone,
        *,
        redis: redis_lib.Redis,
        keys: Keys,
        settings: Settings,
        outbound: OutboundClient | None = None,
        stats: CallStats | None = None,
        zone_url: str | None = None,
        on_zone_moved: Callable[[Zone], None] | None = None,
    ) -> None:
        self.credentials = credentials
        # where this zone was discovered, and is asked again when it seems to have moved
        self.zone_url = zone_url or settings.autotask_zone_url
        self.redis = redis
        self.keys = keys
        self.settings = settings
        self.outbound = outbound or guard.outbound_for(settings)
        self.on_zone_moved = on_zone_moved
        self.stats = stats or CallStats()
        self.policy = RetryPolicy(
            retries=settings.autotask_retries, max_wait=settings.autotask_max_wait
        )
        self._headers = http.auth_headers(credentials)
        self.background = False  # bulk jobs: never take the endpoint's last free slot
        self.release_later = True  # slot and usage sent after the answer (limits/releaser.py)
        self.on_call: OnCall = lambda *_: None  # told of every request sent: instance usage
        self._zone_lock = threading.Lock()
        self.zone = guard.check_zone(zone, settings)
        self.limits = self.limits_for(zone)

    @property
    def database(self) -> str:
        """The proved identity of the database: the key of its caches and counters."""
        return guard.database_identity(self.zone, self.zone_url)

    def limits_for(self, zone: Zone, database: str | None = None) -> Limits:
        s = self.settings
        return Limits(
            self.redis,
            self.keys,
            database=database or guard.database_identity(zone, self.zone_url),
            integration=self.credentials.integration_code,
            share=s.autotask_threshold_share,
            slots=s.autotask_max_concurrency,
            max_wait=s.autotask_max_wait,
            # how long a crashed worker's slot stays taken; a live call's slot is renewed
            slot_seconds=2 * s.autotask_timeout + 5,
            threshold_refresh=s.autotask_threshold_refresh,
        )

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        endpoint: str,
        body: Any = None,
        safety: Safety = Safety.READ,
        url: str | None = None,
    ) -> Any:
        """Send `method path` (under the zone's V1.0/, or the absolute `url`) and return the
        decoded answer; retried as `safety` allows. Errors carry `attempts` and
        `earlier_attempt_may_have_run` (an earlier attempt got a 5xx or lost its answer, so
        Autotask may have done the work: a DELETE's later 404 then means done)."""
        with storage_guard():
            return self._call(kind, method, path, endpoint, body, safety, url)

    def _call(
        self,
        kind: str,
        method: str,
        path: str,
        endpoint: str,
        body: Any,
        safety: Safety,
        url: str | None,
    ) -> Any:
        attempt = 0
        zone_checked = False
        ran_before = False
        started = time.monotonic()
        waits_end = started + self.settings.autotask_max_wait
        # the whole operation, a busy slot's wait included, ends by max(timeout, max wait)
        first_end = max(started + self.settings.autotask_timeout, waits_end)
        while True:
            attempt += 1
            limit = first_end if attempt == 1 else waits_end  # later ones live on what is left
            try:
                answer, usage = self.attempt(
                    kind,
                    method,
                    url or self.zone.api(path),
                    endpoint,
                    body,
                    retry=attempt > 1,
                    ends_by=limit,
                    waits_end=waits_end,
                )
            except ProviderError as exc:
                exc.attempts = attempt  # type: ignore[attr-defined]
                exc.earlier_attempt_may_have_run = ran_before  # type: ignore[attr-defined]
                ran_before = ran_before or may_have_run(exc)
                if isinstance(exc, LimitWaitError) and kind not in UNPACED:
                    self._maybe_read_threshold(self.limits.usage())  # pacing may ease
                if url is None and not zone_checked and relocation.zone_suspect(exc):
                    zone_checked = True
                    if self._refresh_zone():
                        self.stats.add(retries=1)
                        continue
                if not self.policy.should_retry(safety, exc, attempt):
                    raise
                delay = self.policy.delay(exc, attempt)
                if time.monotonic() + delay >= waits_end:
                    raise  # the retry could not start within AUTOTASK_MAX_WAIT
                log.info(
                    "autotask %s %s: %s; retry %d in %.2f s",
                    kind,
                    endpoint,
                    type(exc).__name__,
                    attempt,
                    delay,
                )
                self.stats.add(retries=1)
                time.sleep(delay)
                continue
            if kind not in UNPACED:
                self._maybe_read_threshold(usage)
            return answer

    def attempt(
        self,
        kind: str,
        method: str,
        url: str,
        endpoint: str,
        body: Any,
        *,
        slot_wait: float | None = None,
        retry: bool = False,
        ends_by: float | None = None,
        waits_end: float | None = None,
        limits: Limits | None = None,
    ) -> tuple[Any, Usage]:
        """One attempt. `ends_by` (monotonic) caps the attempt, `waits_end` the waits
        before it (pacing, a busy slot)."""
        limits = limits or self.limits
        wait_cap = None if waits_end is None else max(waits_end - time.monotonic(), 0.0)
        if slot_wait is not None:
            wait_cap = slot_wait if wait_cap is None else min(slot_wait, wait_cap)
        with limits.admit(
            endpoint,
            pace=kind not in UNPACED,
            slot_wait=wait_cap,
            max_wait=wait_cap,
            background=self.background,
            release_later=self.release_later,
        ) as admission:
            self.stats.count(kind)
            self.stats.add(paced=admission.paced_seconds, slot_wait=admission.slot_wait_seconds)
            metrics.observe_admission(admission.slot_wait_seconds, admission.paced_seconds)
            usage = admission.usage
            used, limit = usage.estimated_used, usage.limit
            metrics.observe_threshold(limits.database, used, limit, self.settings.secret_key)
            started = time.perf_counter()
            failure: ProviderError | None = None
            timeout = self.settings.autotask_timeout
            if ends_by is not None:
                timeout = min(timeout, ends_by - time.monotonic())
            try:
                if timeout <= 0:
                    raise UpstreamConnectionError(
                        f"Autotask did not answer within AUTOTASK_MAX_WAIT ({kind} {endpoint})",
                        request_sent=False,
                    )
                answer = http.send(
                    self.outbound,
                    method,
                    url,
                    headers=self._headers,
                    timeout=timeout,
                    operation=f"{kind} {endpoint}",
                    body=body,
                )
            except ProviderError as exc:
                failure = exc
                raise
            finally:
                outcome = metrics.outcome_of(failure)
                metrics.observe_upstream(
                    endpoint, kind, outcome, retry, time.perf_counter() - started
                )
                admission.report(self.on_call, limits.database, endpoint, kind, outcome)
            return answer, usage

    # -- ThresholdInformation --------------------------------------------------------------
    def read_threshold(self, kind: str = "threshold") -> dict[str, Any]:
        """GET ThresholdInformation, keep it as the shared snapshot, return Autotask's answer."""
        answer = self.call(kind, "GET", THRESHOLD_ENDPOINT, endpoint=THRESHOLD_ENDPOINT)
        if not isinstance(answer, dict):
            answer = {}
        with storage_guard():
            self.limits.store_threshold(answer)
        return answer

    def _maybe_read_threshold(self, usage: Usage) -> None:
        """Read ThresholdInformation once if due: no retry, no Retry-After wait, no zone
        refresh, no wait for a busy slot. A failure only leaves the snapshot as it was."""
        try:
            if not self.limits.threshold_due(usage):
                return
            url = self.zone.api(THRESHOLD_ENDPOINT)
            answer, _ = self.attempt(
                "threshold", "GET", url, THRESHOLD_ENDPOINT, None, slot_wait=0.0
            )
            self.limits.store_threshold(answer if isinstance(answer, dict) else {})
        except (ProviderError, redis_lib.RedisError) as exc:
            log.debug("autotask ThresholdInformation read failed: %s", type(exc).__name__)

    # -- zones -----------------------------------------------------------------------------
    def _refresh_zone(self) -> bool:
        """True when the database moved to a zone proved just now (see relocation.py)."""
        moved = relocation.proved_new_zone(self)
        return moved is not None and self._adopt_zone(moved)

    def _adopt_zone(self, zone: Zone) -> bool:
        """Use `zone` from now on; False when it is the one already in use."""
        with self._zone_lock:
            if zone == self.zone:
                return False
            log.info("autotask zone moved: %s -> %s", self.zone.name, zone.name)
            self.zone = zone
            self.limits = self.limits_for(zone)
        if self.on_zone_moved is not None:
            self.on_zone_moved(zone)
        return True
