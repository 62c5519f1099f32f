"""Zone discovery: which Autotask host serves a username, cached in Redis per (lookup URL,
username).

The lookup needs no credentials and proves nothing about them (Autotask's own advice): it only
says where to send the authenticated calls. Both the lookup URL and the answer's `url` must
pass the outbound guard's Autotask rules (guard.py) before anything is sent or kept. Answers
are cached for `ttl` seconds; a caller that sees signs of a moved zone asks again with
`refresh=True`. With `remember=False` nothing is cached: the caller writes the cache with
`remember_zone` once an authenticated call on the zone succeeded, so an unproved answer never
re-points anyone else's instance.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis as redis_lib

from connector.autotask import guard
from connector.autotask import session as http
from connector.autotask.errors import UnknownUsernameError
from connector.autotask.models import Zone
from connector.config import Settings
from connector.errors import ProviderFatalError, ProviderUnavailableError
from connector.outbound import OutboundClient
from connector.storage.keys import Keys

ZONE_TIMEOUT = 15.0
ATTEMPTS = 3


def discover_zone(
    username: str,
    *,
    redis: redis_lib.Redis,
    keys: Keys,
    zone_url: str,
    ttl: int = 86400,
    refresh: bool = False,
    settings: Settings | None = None,
    outbound: OutboundClient | None = None,
    timeout: float = ZONE_TIMEOUT,
    remember: bool = True,
) -> Zone:
    """The zone of `username`: from the cache, else from `zone_url` (Autotask's global
    zoneInformation URL, or a stand-in such as the sandbox's). `settings` gives the guard's
    policy (default: the environment's)."""
    if not username or not username.strip():
        raise UnknownUsernameError("An Autotask API username is required")
    key = keys.zone(zone_url, username)
    if not refresh:
        cached = cached_zone(redis, key)
        if cached is not None:
            return cached
    settings = settings or Settings.from_env()
    guard.check_url(zone_url, settings, "the zone lookup URL")
    client = outbound or guard.outbound_for(settings)
    answer = _ask(client, zone_url, username.strip(), timeout)
    try:
        zone = Zone.from_answer(answer)
    except (TypeError, ValueError) as exc:
        raise ProviderFatalError(f"Autotask's zone answer is unreadable: {exc}") from None
    guard.check_zone(zone, settings)
    if remember:
        remember_zone(redis, keys, zone_url, username, zone, ttl)
    return zone


def remember_zone(
    redis: redis_lib.Redis, keys: Keys, zone_url: str, username: str, zone: Zone, ttl: int
) -> None:
    """Cache `zone` as `zone_url`'s answer for `username` (call it once the zone is proved)."""
    record = {**zone.to_answer(), "fetchedAt": time.time()}
    redis.set(keys.zone(zone_url, username), json.dumps(record), ex=ttl)


def cached_zone(redis: redis_lib.Redis, key: str) -> Zone | None:
    raw = redis.get(key)
    if raw is None:
        return None
    try:
        return Zone.from_answer(json.loads(raw))
    except (TypeError, ValueError):
        return None


def recent_zone(
    redis: redis_lib.Redis, keys: Keys, zone_url: str, username: str, max_age: float
) -> Zone | None:
    """The cached zone if it was fetched less than `max_age` seconds ago, else None."""
    raw = redis.get(keys.zone(zone_url, username))
    if raw is None:
        return None
    try:
        record = json.loads(raw)
        age = time.time() - float(record["fetchedAt"])
        return Zone.from_answer(record) if age < max_age else None
    except (TypeError, ValueError, KeyError):
        return None


def _ask(outbound: OutboundClient, zone_url: str, username: str, timeout: float) -> Any:
    """GET zoneInformation?user=..., without credential headers (Autotask needs none); all
    attempts together end within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: ProviderUnavailableError | None = None
    for attempt in range(ATTEMPTS):
        if attempt:
            pause = 0.2 * 2**attempt
            if time.monotonic() + pause >= deadline:
                break
            time.sleep(pause)
        try:
            answer = http.send(
                outbound,
                "GET",
                zone_url,
                headers={"Accept": "application/json"},
                timeout=deadline - time.monotonic(),
                operation="zone lookup",
                params={"user": username},
            )
        except ProviderUnavailableError as exc:  # no answer or a 5xx page: ask again
            last = exc
            continue
        if not isinstance(answer, dict):
            raise ProviderFatalError("Autotask's zone answer is not a JSON object")
        return answer
    raise last or ProviderUnavailableError("Autotask's zone lookup did not answer")
