"""A database that seems to have moved: ask its zone again, and prove the new one first.

A new zone must pass the guard's rules and answer an authenticated probe (ThresholdInformation)
with the caller's own credentials before any other call goes there; only then is it written
to the shared zone cache. Within a minute of one caller's proof, others take the cached one.
A probe counts under a provisional key of (lookup URL, username), never under the counters of
the database the unproved zone claims.

Asking the zone service is limited too: a 401 can mean a moved database, but a tenant with
bad credentials must not make the connector ask at every request. At most one lookup per
(lookup URL, username) every `ZONE_RECHECK_SECONDS`, across workers (a Redis key set NX).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from connector.autotask import guard
from connector.autotask.errors import UpstreamConnectionError
from connector.autotask.models import Zone
from connector.autotask.zones import discover_zone, recent_zone, remember_zone
from connector.errors import ProviderAuthError, ProviderError

if TYPE_CHECKING:
    from connector.autotask.calls import Caller

log = logging.getLogger("connector.autotask")

ZONE_RECHECK_SECONDS = 60  # a zone fetched more recently than this is not asked for again
PROBE_ENDPOINT = "ThresholdInformation"


def zone_suspect(exc: ProviderError) -> bool:
    """Failures a moved database could explain: the host is gone, or it denies the user."""
    if isinstance(exc, UpstreamConnectionError):
        return not exc.request_sent
    if isinstance(exc, ProviderAuthError):
        return True
    return "zone information" in (exc.provider_message or "").lower()


def provisional_database(zone_url: str, username: str) -> str:
    """The counters' key of calls to a zone not proved yet: never a database's own key."""
    digest = hashlib.sha256(f"{zone_url}\0{username.lower()}".encode()).hexdigest()[:24]
    return f"unproved:{digest}"


def _may_ask(caller: Caller, username: str) -> bool:
    """True for the first re-discovery of (lookup URL, username) in ZONE_RECHECK_SECONDS."""
    key = caller.keys.throttle("zone-recheck", f"{caller.zone_url}\0{username.lower()}")
    return bool(caller.redis.set(key, "1", nx=True, ex=ZONE_RECHECK_SECONDS))


def proved_new_zone(caller: Caller) -> Zone | None:
    """The zone the caller's database lives in now, when it differs from the caller's and is
    proved (by another worker within the last minute, or by a probe now); else None."""
    username = caller.credentials.username
    settings = caller.settings
    recent = recent_zone(caller.redis, caller.keys, caller.zone_url, username, ZONE_RECHECK_SECONDS)
    if recent is not None:
        try:
            return guard.check_zone(recent, settings)
        except guard.AutotaskHostError:
            return None
    if not _may_ask(caller, username):
        return None  # asked within the minute: its answer (or its failure) stands
    try:
        caller.stats.count("zone")
        fresh = discover_zone(
            username,
            redis=caller.redis,
            keys=caller.keys,
            zone_url=caller.zone_url,
            ttl=settings.zone_ttl,
            refresh=True,
            settings=settings,
            outbound=caller.outbound,
            remember=False,
        )
        if fresh == caller.zone:
            return None
        _prove(caller, fresh)
    except (ProviderError, guard.AutotaskHostError) as exc:
        log.warning("autotask zone re-discovery failed: %s", type(exc).__name__)
        return None
    remember_zone(caller.redis, caller.keys, caller.zone_url, username, fresh, settings.zone_ttl)
    caller.stats.add(zone_refreshes=1)
    return fresh


def _prove(caller: Caller, zone: Zone) -> None:
    """One authenticated probe on `zone` with the caller's credentials; raises if refused."""
    limits = caller.limits_for(
        zone, database=provisional_database(caller.zone_url, caller.credentials.username)
    )
    url = zone.api(PROBE_ENDPOINT)
    answer, _ = caller.attempt("probe", "GET", url, PROBE_ENDPOINT, None, limits=limits)
    proved = answer if isinstance(answer, dict) else {}
    limits.store_threshold(proved)
    caller.limits_for(zone).store_threshold(proved)  # proved: the database's own snapshot
