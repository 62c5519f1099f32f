"""Zone discovery: which Autotask host serves a username, cached in Redis per (lookup URL,
username).

The lookup needs no credentials and proves nothing about them (Autotask's own advice): it only
says where to send the authenticated calls. Answers are cached for `ttl` seconds; a caller that
sees signs of a moved zone asks again with `refresh=True`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis as redis_lib
import requests

from connector.autotask import session as http
from connector.autotask.errors import UnknownUsernameError
from connector.autotask.models import Zone
from connector.errors import ProviderFatalError, ProviderUnavailableError
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
    session: requests.Session | None = None,
    timeout: float = ZONE_TIMEOUT,
) -> Zone:
    """The zone of `username`: from the cache, else from `zone_url` (Autotask's global
    zoneInformation URL, or a stand-in such as the sandbox's)."""
    if not username or not username.strip():
        raise UnknownUsernameError("An Autotask API username is required")
    key = keys.zone(zone_url, username)
    if not refresh:
        cached = cached_zone(redis, key)
        if cached is not None:
            return cached
    answer = _ask(session or http.shared_session(), zone_url, username.strip(), timeout)
    try:
        zone = Zone.from_answer(answer)
    except (TypeError, ValueError) as exc:
        raise ProviderFatalError(f"Autotask's zone answer is unreadable: {exc}") from None
    record = {**zone.to_answer(), "fetchedAt": time.time()}
    redis.set(key, json.dumps(record), ex=ttl)
    return zone


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


def _ask(session: requests.Session, zone_url: str, username: str, timeout: float) -> Any:
    """GET zoneInformation?user=..., without credential headers (Autotask needs none)."""
    last: ProviderUnavailableError | None = None
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(0.2 * 2**attempt)
        try:
            answer = http.send(
                session,
                "GET",
                zone_url,
                headers={"Accept": "application/json"},
                timeout=timeout,
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
