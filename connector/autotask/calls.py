"""One upstream operation, start to end: limits, the HTTP call, retries, zone refresh.

Every request the client makes goes through `Caller.call`, so counting, pacing, the
concurrency slots and the retry rules hold for all of them. ThresholdInformation is read
again after a call whenever the shared snapshot is due.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis as redis_lib
import requests

from connector.autotask import session as http
from connector.autotask.errors import LimitWaitError, UpstreamConnectionError
from connector.autotask.limits import Limits, Usage
from connector.autotask.models import Credentials, Zone
from connector.autotask.retries import RetryPolicy, Safety
from connector.autotask.stats import CallStats
from connector.autotask.zones import discover_zone, zone_age
from connector.config import Settings
from connector.errors import ProviderAuthError, ProviderError, StorageUnavailableError
from connector.keys import Keys

log = logging.getLogger("connector.autotask")

ZONE_RECHECK_SECONDS = 60  # a zone fetched more recently than this is not asked for again
THRESHOLD_ENDPOINT = "ThresholdInformation"
# ThresholdInformation reads: never paced (they tell whether pacing may ease), never followed
# by another read of it
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
        session: requests.Session | None = None,
        stats: CallStats | None = None,
    ) -> None:
        self.credentials = credentials
        self.redis = redis
        self.keys = keys
        self.settings = settings
        self.session = session or http.shared_session()
        self.stats = stats or CallStats()
        self.policy = RetryPolicy(
            retries=settings.autotask_retries, max_wait=settings.autotask_max_wait
        )
        self._headers = http.auth_headers(credentials)
        self._zone_lock = threading.Lock()
        self.zone = zone
        self.limits = self._limits_for(zone)

    def _limits_for(self, zone: Zone) -> Limits:
        s = self.settings
        return Limits(
            self.redis,
            self.keys,
            database=zone.ci,
            integration=self.credentials.integration_code,
            share=s.autotask_threshold_share,
            slots=s.autotask_max_concurrency,
            max_wait=s.autotask_max_wait,
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
        decoded answer; retried as `safety` allows. Errors carry `attempts`."""
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
        while True:
            attempt += 1
            try:
                answer, usage = self._once(kind, method, url or self.zone.api(path), endpoint, body)
            except ProviderError as exc:
                exc.attempts = attempt  # type: ignore[attr-defined]
                if isinstance(exc, LimitWaitError) and kind not in UNPACED:
                    self._maybe_read_threshold(self.limits.usage())  # pacing may ease
                if url is None and not zone_checked and self._zone_suspect(exc):
                    zone_checked = True
                    if self._refresh_zone():
                        self.stats.add(retries=1)
                        continue
                if not self.policy.should_retry(safety, exc, attempt):
                    raise
                delay = self.policy.delay(exc, attempt)
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

    def _once(
        self, kind: str, method: str, url: str, endpoint: str, body: Any
    ) -> tuple[Any, Usage]:
        with self.limits.admit(endpoint, pace=kind not in UNPACED) as admission:
            self.stats.count(kind)
            self.stats.add(paced=admission.paced_seconds, slot_wait=admission.slot_wait_seconds)
            answer = http.send(
                self.session,
                method,
                url,
                headers=self._headers,
                timeout=self.settings.autotask_timeout,
                operation=f"{kind} {endpoint}",
                body=body,
            )
            return answer, admission.usage

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
        """Read ThresholdInformation if due; a failure only leaves the snapshot old."""
        try:
            if self.limits.threshold_due(usage):
                self.read_threshold()
        except (ProviderError, StorageUnavailableError, redis_lib.RedisError) as exc:
            log.warning("autotask ThresholdInformation read failed: %s", type(exc).__name__)

    # -- zones -----------------------------------------------------------------------------
    @staticmethod
    def _zone_suspect(exc: ProviderError) -> bool:
        """Failures a moved database could explain: the host is gone, or it denies the user."""
        if isinstance(exc, UpstreamConnectionError):
            return not exc.request_sent
        if isinstance(exc, ProviderAuthError):
            return True
        return "zone" in (exc.provider_message or "").lower()

    def _refresh_zone(self) -> bool:
        """Ask zoneInformation again (at most once a minute per user); True if the zone moved."""
        username = self.credentials.username
        age = zone_age(self.redis, self.keys, username)
        if age is not None and age < ZONE_RECHECK_SECONDS:
            return False
        try:
            self.stats.count("zone")
            fresh = discover_zone(
                username,
                redis=self.redis,
                keys=self.keys,
                zone_url=self.settings.autotask_zone_url,
                ttl=self.settings.zone_ttl,
                refresh=True,
                session=self.session,
            )
        except ProviderError as exc:
            log.warning("autotask zone re-discovery failed: %s", type(exc).__name__)
            return False
        self.stats.add(zone_refreshes=1)
        with self._zone_lock:
            if fresh == self.zone:
                return False
            log.info("autotask zone moved: %s -> %s", self.zone.name, fresh.name)
            self.zone = fresh
            self.limits = self._limits_for(fresh)
            return True
