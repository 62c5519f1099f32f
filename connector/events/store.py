"""The event log: one Redis stream per instance, trimmed by age, and one hash per event.

An event is written once (its stream entry never changes); its delivery state (status and
attempts) lives in the event's hash beside it, as Stripe keeps an event apart from its
delivery attempts. The stream entry's id is the event's cursor: `after=<cursor>` reads on
from there in order. Both expire with the retention (EVENTS_RETENTION_DAYS).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from typing import Any

import redis

from connector.storage.keys import Keys
from connector.storage.scripts import script

STATUSES = ("NEW", "DISPATCHED", "DELIVERED", "RETRYING", "PARKED")
MAX_ATTEMPTS_KEPT = 50
SCAN_CHUNK = 200
MAX_SCANNED = 5000  # entries one page may look through for its filters
CURSOR = re.compile(r"[0-9]{1,15}-[0-9]{1,10}")

# KEYS[1] the event's hash, KEYS[2] the instance's log stream
# ARGV[1] the event's JSON, ARGV[2] eventId, ARGV[3] oldest entry id to keep (ms),
# ARGV[4] retention seconds, ARGV[5] instance id, ARGV[6] objectType
# An eventId already logged is not appended again: the answer is false then, else the cursor.
_APPEND = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local cursor = redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[3], '*',
                          'eventId', ARGV[2], 'event', ARGV[1])
redis.call('HSET', KEYS[1], 'instanceId', ARGV[5], 'cursor', cursor, 'status', 'NEW',
           'objectType', ARGV[6], 'attempts', '[]')
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return cursor
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class EventLog:
    def __init__(self, client: redis.Redis, keys: Keys, retention_days: float) -> None:
        self.redis = client
        self.keys = keys
        self.retention_seconds = max(60, int(retention_days * 86400))
        self._append = script(client, _APPEND)

    # -- writing ------------------------------------------------------------------------
    def append(self, instance_id: int, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Log `events` in order; answers the ones logged now (an eventId logged before is
        left out), each with its `cursor`."""
        oldest = int((time.time() - self.retention_seconds) * 1000)
        events = list(events)
        if not events:
            return []
        with self.redis.pipeline(transaction=False) as pipe:  # one round trip, in order
            for event in events:
                self._append(
                    keys=[self.keys.event(event["eventId"]), self.keys.events_log(instance_id)],
                    args=[
                        json.dumps(event, separators=(",", ":"), default=str),
                        event["eventId"],
                        oldest,
                        self.retention_seconds,
                        instance_id,
                        event.get("objectType", ""),
                    ],
                    client=pipe,
                )
            cursors = pipe.execute()
        return [
            {**event, "cursor": _text(cursor)}
            for event, cursor in zip(events, cursors, strict=True)
            if cursor
        ]

    def set_status(
        self, event_ids: Iterable[str], status: str, attempt: dict[str, Any] | None = None
    ) -> None:
        """Move events to `status`, adding `attempt` (time, status code, latency) to each; an
        event already expired is not brought back half."""
        kept = self._attempts(list(event_ids))
        if not kept:
            return
        with self.redis.pipeline(transaction=False) as pipe:
            for event_id, attempts in kept.items():
                values = {"status": status}
                if attempt is not None:
                    values["attempts"] = json.dumps(
                        [*attempts, attempt][-MAX_ATTEMPTS_KEPT:], separators=(",", ":")
                    )
                pipe.hset(self.keys.event(event_id), mapping=values)
            pipe.execute()

    def _attempts(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        with self.redis.pipeline(transaction=False) as pipe:
            for event_id in ids:
                pipe.hget(self.keys.event(event_id), "attempts")
            found = pipe.execute()
        return {i: json.loads(raw) for i, raw in zip(ids, found, strict=True) if raw is not None}

    # -- reading ------------------------------------------------------------------------
    def state(self, event_id: str) -> dict[str, Any] | None:
        """An event's instance, cursor, status and attempts; None when unknown or expired."""
        raw = self.redis.hgetall(self.keys.event(event_id))
        if not raw:
            return None
        row = {_text(k): _text(v) for k, v in raw.items()}
        return {
            "instanceId": int(row["instanceId"]),
            "cursor": row["cursor"],
            "status": row["status"],
            "objectType": row.get("objectType", ""),
            "attempts": json.loads(row.get("attempts") or "[]"),
        }

    def entry(self, instance_id: int, cursor: str) -> dict[str, Any] | None:
        found = self.redis.xrange(self.keys.events_log(instance_id), cursor, cursor, count=1)
        return self._event(found[0]) if found else None

    def read_after(self, instance_id: int, cursor: str, count: int) -> list[dict[str, Any]]:
        """Up to `count` events logged after `cursor` ("0" for the first), oldest first."""
        start = "(" + cursor if cursor != "0" else "-"
        rows = self.redis.xrange(self.keys.events_log(instance_id), start, "+", count=count)
        return [self._event(row) for row in rows]

    def length(self, instance_id: int) -> int:
        return int(self.redis.xlen(self.keys.events_log(instance_id)))

    def last_cursor(self, instance_id: int) -> str | None:
        rows = self.redis.xrevrange(self.keys.events_log(instance_id), "+", "-", count=1)
        return _text(rows[0][0]) if rows else None

    def page(
        self,
        instance_id: int,
        *,
        size: int,
        after: str | None = None,
        before: str | None = None,
        status: str | None = None,
        object_type: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of events and the cursor the next page starts from (None: no more).
        With `after`, oldest first from there; otherwise newest first (before `before`)."""
        key = self.keys.events_log(instance_id)
        ascending = after is not None
        position = after if ascending else before
        found: list[dict[str, Any]] = []
        scanned = 0
        while len(found) < size and scanned < MAX_SCANNED:
            if ascending:
                start = "(" + position if position and position != "0" else "-"
                rows = self.redis.xrange(key, start, "+", count=SCAN_CHUNK)
            else:
                end = "(" + position if position else "+"
                rows = self.redis.xrevrange(key, end, "-", count=SCAN_CHUNK)
            if not rows:
                return found, None
            events = [self._event(row) for row in rows]
            states = self._statuses([e["eventId"] for e in events])
            for event, state in zip(events, states, strict=True):
                position = event["cursor"]
                scanned += 1
                event["status"] = state or "NEW"
                if (status is None or event["status"] == status) and (
                    object_type is None or event.get("objectType") == object_type
                ):
                    found.append(event)
                    if len(found) == size:
                        break
            if len(rows) < SCAN_CHUNK and len(found) < size:
                return found, None
        return found, position

    def _statuses(self, ids: list[str]) -> list[str | None]:
        with self.redis.pipeline(transaction=False) as pipe:
            for event_id in ids:
                pipe.hget(self.keys.event(event_id), "status")
            return [_text(s) if s is not None else None for s in pipe.execute()]

    @staticmethod
    def _event(row: Any) -> dict[str, Any]:
        entry_id, fields = row
        fields = {_text(k): v for k, v in fields.items()}
        event = json.loads(fields["event"])
        event["cursor"] = _text(entry_id)
        return event

    def drop_instance(self, instance_id: int) -> None:
        """The instance was deleted: its log goes (event hashes expire with the retention)."""
        self.redis.delete(self.keys.events_log(instance_id))
