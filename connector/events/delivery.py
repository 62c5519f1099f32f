"""Delivering an instance's logged events to its callback, in order, never dropping one.

Each instance has a delivery cursor: the last event its callback took. A delivery job (one
per instance at a time, under a lease) POSTs the next events after the cursor, up to 20 per
notification, signed (connector.events.signing), and moves the cursor only on a 2xx within
10 s; so a receiver sees every event, may see one again (a worker died after the POST), and
never sees a gap. A failure waits (EVENTS_RETRY_BASE_SECONDS, doubling, at most an hour) and
tries the same events again; after EVENTS_RETRY_HOURS of failures the instance's deliveries
are parked: kept, not tried, until `resume`. A sweep restarts the delivery of any instance
with events after its cursor whose worker died.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from connector.errors import ConnectorError
from connector.events import config
from connector.events.env import EventsEnv
from connector.events.lease import Lease
from connector.events.notifications import send
from connector.events.store import EventLog

log = logging.getLogger("connector.events")

BATCH = 20  # events per notification
MAX_WAIT_SECONDS = 3600.0
MAX_NOTIFICATIONS = 200  # per job; then it hands on to a new job
# A job's share of a worker: past it, the job hands on to a new one at the back of the queue.
# Without it a callback that takes each notification just under 10 s to answer (200 OK) held
# a worker for up to 200 x 10 s, and a tenant with a few such instances held every worker of
# the shared events queue (other tenants' renders, polls and deliveries waited behind it).
SLICE_SECONDS = 30.0
SWEEP_SECONDS = 5.0
# Redeliveries asked for (POST /instances/events/{id}/retries) waiting at once per instance;
# they run one at a time under the instance's delivery lease. Without either, a tenant whose
# callback hangs could queue a job per POST, 10 s of a shared worker each, without end.
MAX_PENDING_REDELIVERIES = 20
PENDING_REDELIVERY_SECONDS = 3600


class TooManyRedeliveriesError(ConnectorError):
    status = 429
    code = "too_many_redeliveries"


def _log(env: EventsEnv) -> EventLog:
    return EventLog(env.redis, env.keys, env.settings.events_retention_days)


# -- starting deliveries ------------------------------------------------------------------
def kick(env: EventsEnv, instance_id: int, delay: float = 0.0) -> None:
    """Make sure a delivery job comes for the instance (none is queued when one is due)."""
    keys = env.keys
    env.redis.sadd(keys.events_delivery_active(), instance_id)
    due = keys.events_delivery_due(instance_id)
    if env.redis.set(due, "1", nx=True, px=int((delay + 60) * 1000)):
        env.jobs.enqueue("events", deliver_events, int(instance_id), delay=delay)


def deliver_events(instance_id: int) -> int:
    """RQ job: deliver the instance's events after its cursor. Idempotent: the cursor moves
    only past what a receiver took; a run after a death sends those events again."""
    return run_delivery(EventsEnv.current(), int(instance_id))


def state(env: EventsEnv, instance_id: int) -> dict[str, str]:
    raw = env.redis.hgetall(env.keys.events_delivery(instance_id))
    return {_text(k): _text(v) for k, v in raw.items()}


def run_delivery(env: EventsEnv, instance_id: int) -> int:
    keys = env.keys
    env.redis.delete(keys.events_delivery_due(instance_id))
    current = state(env, instance_id)
    if current.get("parked"):
        return 0
    wait = float(current.get("nextAt") or 0) - time.time()
    if wait > 0:
        kick(env, instance_id, delay=wait)  # the retry's time has not come
        return 0
    lease = Lease(
        env.redis, keys.events_delivery_lease(instance_id), env.settings.events_lease_seconds
    )
    if not lease.take():
        kick(env, instance_id, delay=1.0)  # another worker delivers; look again after it
        return 0
    with lease.kept():
        return _deliver(env, instance_id)


def _deliver(env: EventsEnv, instance_id: int) -> int:
    instance = env.instance(instance_id)
    if instance is None:
        _forget(env, instance_id)
        return 0
    settings = env.settings_of(instance)
    if not settings.enabled or not settings.callback_url:
        # kept; delivery goes on when events are on again (the instance hook kicks it)
        env.redis.srem(env.keys.events_delivery_active(), instance_id)
        return 0
    key = env.signature_key(instance) or ""
    event_log = _log(env)
    delivered = 0
    started = time.monotonic()
    for _ in range(MAX_NOTIFICATIONS):
        if delivered and time.monotonic() - started >= SLICE_SECONDS:
            break  # this job's share is spent: the rest goes on in a new job
        cursor = state(env, instance_id).get("cursor") or "0"
        events = event_log.read_after(instance_id, cursor, BATCH)
        if not events:
            # nothing after the cursor: leave the sweep's set (a new event kicks again)
            env.redis.srem(env.keys.events_delivery_active(), instance_id)
            if event_log.read_after(instance_id, cursor, 1):
                kick(env, instance_id)  # logged meanwhile
            return delivered
        ids = [e["eventId"] for e in events]
        event_log.set_status(ids, "DISPATCHED")
        outcome = send(env, instance_id, settings.callback_url, key, events)
        if outcome["ok"]:
            event_log.set_status(ids, "DELIVERED", outcome["attempt"])
            env.redis.hset(
                env.keys.events_delivery(instance_id),
                mapping={"cursor": events[-1]["cursor"], "failures": 0, "nextAt": 0},
            )
            env.redis.hdel(env.keys.events_delivery(instance_id), "failingSince")
            delivered += len(events)
            continue
        _failed(env, instance_id, ids, outcome["attempt"])
        return delivered
    kick(env, instance_id)  # more to send (or the job's share spent): a new job goes on
    return delivered


def _failed(env: EventsEnv, instance_id: int, ids: list[str], attempt: dict[str, Any]) -> None:
    key = env.keys.events_delivery(instance_id)
    current = state(env, instance_id)
    now = time.time()
    since = float(current.get("failingSince") or now)
    failures = int(current.get("failures") or 0) + 1
    event_log = _log(env)
    if now - since >= float(env.settings.events_retry_hours) * 3600:
        env.redis.hset(key, mapping={"parked": now, "failingSince": since, "failures": failures})
        event_log.set_status(ids, "PARKED", attempt)
        log.warning(
            "events: instance %s deliveries parked after %d failures", instance_id, failures
        )
        return
    wait = min(
        MAX_WAIT_SECONDS, float(env.settings.events_retry_base_seconds) * 2 ** (failures - 1)
    )
    env.redis.hset(key, mapping={"failingSince": since, "failures": failures, "nextAt": now + wait})
    event_log.set_status(ids, "RETRYING", attempt)
    kick(env, instance_id, delay=wait)


# -- operators' and clients' actions ------------------------------------------------------
def resume(env: EventsEnv, instance_id: int) -> None:
    """Parked deliveries go on now (from the first event the callback did not take)."""
    env.redis.hdel(
        env.keys.events_delivery(instance_id), "parked", "failingSince", "failures", "nextAt"
    )
    kick(env, instance_id)


def on_change(env: EventsEnv, instance_id: int, settings: config.EventSettings | None) -> None:
    """Events on again (or a new callback URL): what waits in the log goes out now."""
    if settings is not None and settings.enabled and settings.callback_url:
        if _log(env).read_after(instance_id, state(env, instance_id).get("cursor") or "0", 1):
            kick(env, instance_id)


def retry(env: EventsEnv, instance_id: int, event: dict[str, Any]) -> str:
    """Deliver `event` again now. Not yet delivered: its instance's delivery goes on now (the
    events before it first, in order); delivered already: it is sent once more, alone.
    Answers which of the two ("queued" or "redelivery")."""
    cursor = state(env, instance_id).get("cursor") or "0"
    if _after(event["cursor"], cursor):
        env.redis.hset(env.keys.events_delivery(instance_id), "nextAt", 0)
        env.redis.delete(env.keys.events_delivery_due(instance_id))
        kick(env, instance_id)
        return "queued"
    pending = _pending_redeliveries(env, instance_id)
    with env.redis.pipeline() as pipe:
        pipe.sadd(pending, event["eventId"])
        pipe.scard(pending)
        pipe.expire(pending, PENDING_REDELIVERY_SECONDS)
        added, count, _ = pipe.execute()
    if added and count > MAX_PENDING_REDELIVERIES:
        env.redis.srem(pending, event["eventId"])
        raise TooManyRedeliveriesError(
            f"{MAX_PENDING_REDELIVERIES} redeliveries of this instance are waiting already; "
            "try again when they are done",
            headers={"Retry-After": "10"},
        )
    if added:  # one already waiting for this event: that one sends it
        env.jobs.enqueue("events", redeliver_event, int(instance_id), event["eventId"])
    return "redelivery"


def _pending_redeliveries(env: EventsEnv, instance_id: int) -> str:
    return f"{env.keys.events_delivery(instance_id)}:redeliveries"


def redeliver_event(instance_id: int, event_id: str) -> bool:
    """RQ job: send one delivered event again, alone (its attempt is recorded)."""
    return run_redelivery(EventsEnv.current(), int(instance_id), event_id)


def run_redelivery(env: EventsEnv, instance_id: int, event_id: str) -> bool:
    lease = Lease(
        env.redis, env.keys.events_delivery_lease(instance_id), env.settings.events_lease_seconds
    )
    if not lease.take():  # the instance's delivery (or another redelivery) runs: after it
        env.jobs.enqueue("events", redeliver_event, int(instance_id), event_id, delay=1.0)
        return False
    try:
        with lease.kept():
            return _redeliver(env, instance_id, event_id)
    finally:
        env.redis.srem(_pending_redeliveries(env, instance_id), event_id)


def _redeliver(env: EventsEnv, instance_id: int, event_id: str) -> bool:
    event_log = _log(env)
    found = event_log.state(event_id)
    instance = env.instance(instance_id)
    if found is None or instance is None:
        return False
    event = event_log.entry(instance_id, found["cursor"])
    settings = env.settings_of(instance)
    if event is None or not settings.callback_url:
        return False
    outcome = send(
        env, instance_id, settings.callback_url, env.signature_key(instance) or "", [event]
    )
    event_log.set_status([event_id], found["status"], outcome["attempt"])
    return bool(outcome["ok"])


def _after(cursor: str, other: str) -> bool:
    """Whether stream id `cursor` comes after `other` ("0": before everything)."""

    def parts(text: str) -> tuple[int, int]:
        ms, _, seq = text.partition("-")
        return int(ms), int(seq or 0)

    return parts(cursor) > parts(other)


def sweep() -> list[int]:
    """RQ job (every few seconds): restart deliveries a dead worker left."""
    return sweep_deliveries(EventsEnv.current())


def sweep_deliveries(env: EventsEnv) -> list[int]:
    started = []
    for raw in env.redis.smembers(env.keys.events_delivery_active()):
        instance_id = int(raw)
        if env.redis.exists(env.keys.events_delivery_lease(instance_id)):
            continue
        current = state(env, instance_id)
        if current.get("parked"):
            continue
        wait = max(0.0, float(current.get("nextAt") or 0) - time.time())
        kick(env, instance_id, delay=wait)
        started.append(instance_id)
    return started


def _forget(env: EventsEnv, instance_id: int) -> None:
    env.redis.srem(env.keys.events_delivery_active(), instance_id)
    env.redis.delete(env.keys.events_delivery(instance_id))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
