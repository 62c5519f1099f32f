"""A resource's poll watermark in Redis: the greatest change value reported so far, and the
(id -> change value) of the rows near it, which the next poll's overlap finds again and must
not report twice.

    events:instance:{id}:poll:{resource}    JSON {"watermark": ISO 8601, "since": ISO 8601,
                                                  "edge": {id: change value}, "scan": {...}}

`watermark` is the greatest change value reported, `since` where the next scan starts (absent:
the watermark minus the overlap) and `scan` the one under way (see polling.scan). Written only
after the pipeline accepted a page's changes: a worker that dies midway leaves the state as it
was, and the poll repeated finds the same changes (the same eventIds).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis

from connector.storage.keys import Keys

_FRACTION = 6  # Python parses at most microseconds; Autotask may send 7 digits


def parse_time(text: str) -> datetime:
    """An Autotask datetime (Z, an offset or none, 0 to 7 decimals) as an aware UTC datetime."""
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in value:
        head, _, tail = value.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits) :]
        value = f"{head}.{digits[:_FRACTION].ljust(_FRACTION, '0')}{zone}"
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """What a poll sends Autotask: UTC with milliseconds."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utc_now() -> datetime:
    return datetime.now(UTC)


def watermark_key(keys: Keys, instance_id: int | str, resource: str) -> str:
    # keys.py is at its size limit: the pollers' keys are built here, under the same prefix
    return keys.pattern("events", "instance", instance_id, "poll", resource)


def lock_key(keys: Keys, instance_id: int | str, resource: str) -> str:
    """Held by the one worker polling a resource of an instance."""
    return keys.pattern("events", "instance", instance_id, "poll", resource, "lock")


class Watermarks:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis, self.keys = client, keys

    def get(self, instance_id: int, resource: str) -> dict[str, Any] | None:
        raw = self.redis.get(watermark_key(self.keys, instance_id, resource))
        return json.loads(raw) if raw else None

    def start(self, instance_id: int, resource: str, moment: datetime | None = None) -> bool:
        """Changes from `moment` (now) on are reported; answers False when a watermark was
        already set (turning events on again resumes where polling stopped)."""
        state = {"watermark": format_time(moment or utc_now()), "edge": {}}
        key = watermark_key(self.keys, instance_id, resource)
        return bool(self.redis.set(key, json.dumps(state), nx=True))

    def put(
        self,
        instance_id: int,
        resource: str,
        watermark: str,
        edge: dict[str, str],
        *,
        since: str | None = None,
        scan: dict[str, Any] | None = None,
    ) -> None:
        state: dict[str, Any] = {"watermark": watermark, "edge": edge}
        if since is not None:
            state["since"] = since
        if scan is not None:
            state["scan"] = scan
        self.redis.set(watermark_key(self.keys, instance_id, resource), json.dumps(state))

    def drop(self, instance_id: int, resources: list[str] | None = None) -> None:
        if resources is None:
            found = list(self.redis.scan_iter(watermark_key(self.keys, instance_id, "*")))
        else:
            found = [watermark_key(self.keys, instance_id, name) for name in resources]
        if found:
            self.redis.delete(*found)
