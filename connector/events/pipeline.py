"""From changes to logged events: `submit` (any process) and the render job (a worker).

    pipeline.submit(env, [Change(...), ...])     # durable in Redis when it returns

`submit` appends each change to its instance's intake stream and, unless one is already due,
queues a render job a moment later (EVENTS_GATHER_SECONDS, 1 s by default), so the changes of
that moment are read back together: one `id in [...]` query per entity and 500 ids, never one
GET per change. Changes that come with their `record` (polling) are not read back. The render
job renders events through the instance's maps, appends them to the log (an eventId already
logged is kept once), tells formulas, starts delivery, and only then removes the changes from
the intake: a worker that dies midway leaves them for the next job or the sweep, which renders
them again to the same eventIds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from connector.autotask import filters
from connector.errors import MappingError, NotFoundError, ValidationError
from connector.events import delivery
from connector.events.changes import Change
from connector.events.env import EventsEnv
from connector.events.lease import Lease
from connector.events.render import render, targets
from connector.events.store import EventLog
from connector.hub.context import HubContext

log = logging.getLogger("connector.events")

READ_BACK_IDS = 500  # Autotask's page: one query per 500 ids
BATCH = 2000  # intake entries one pass renders
MAX_PASSES = 50  # a job renders at most this many batches, then hands on to a new job
SWEEP_SECONDS = 10.0

# KEYS[1] the intake stream, KEYS[2] the set of instances with intake; ARGV[1] the instance.
# The instance leaves the set only when its intake is empty, in one step with the check.
_FORGET_IF_EMPTY = """
if redis.call('XLEN', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end
return 0
"""


def submit(env: EventsEnv, changes: Iterable[Change]) -> int:
    """Accept `changes`: in Redis when this returns; answers how many."""
    by_instance: dict[int, list[Change]] = {}
    for change in changes:
        by_instance.setdefault(int(change.instance_id), []).append(change)
    keys = env.keys
    with env.redis.pipeline(transaction=True) as pipe:
        for instance_id, found in by_instance.items():
            for change in found:
                pipe.xadd(keys.events_intake(instance_id), {"change": _dumps(change)})
            pipe.sadd(keys.events_intake_active(), instance_id)
        pipe.execute()
    for instance_id in by_instance:
        schedule_render(env, instance_id)
    return sum(len(found) for found in by_instance.values())


def schedule_render(env: EventsEnv, instance_id: int) -> None:
    """Queue the instance's render job unless one is due already (its flag is set)."""
    gather = float(env.settings.events_gather_seconds)
    due = env.keys.events_render_due(instance_id)
    if env.redis.set(due, "1", nx=True, px=int((gather + 60) * 1000)):
        env.jobs.enqueue("events", render_intake, int(instance_id), delay=gather)


def render_intake(instance_id: int) -> int:
    """RQ job: render the instance's intake into its event log. Idempotent: a change rendered
    twice gives the same eventIds, which the log keeps once."""
    return run_render(EventsEnv.current(), int(instance_id))


def run_render(env: EventsEnv, instance_id: int) -> int:
    keys = env.keys
    env.redis.delete(keys.events_render_due(instance_id))
    seconds = env.settings.events_lease_seconds
    lease = Lease(env.redis, keys.events_intake_lock(instance_id), seconds)
    if not lease.take():
        schedule_render(env, instance_id)  # another worker renders; look again after it
        return 0
    logged = 0
    with lease.kept():
        for _ in range(MAX_PASSES):
            rows = env.redis.xrange(keys.events_intake(instance_id), "-", "+", count=BATCH)
            if not rows:
                break
            logged += _render_batch(env, instance_id, rows)
            env.redis.xdel(keys.events_intake(instance_id), *[row[0] for row in rows])
        else:
            schedule_render(env, instance_id)
        env.redis.eval(
            _FORGET_IF_EMPTY,
            2,
            keys.events_intake(instance_id),
            keys.events_intake_active(),
            instance_id,
        )
    return logged


def sweep() -> list[int]:
    """RQ job (every SWEEP_SECONDS): render what a dead worker left in an intake."""
    env = EventsEnv.current()
    return sweep_intakes(env)


def sweep_intakes(env: EventsEnv) -> list[int]:
    started = []
    for raw in env.redis.smembers(env.keys.events_intake_active()):
        instance_id = int(raw)
        if env.redis.exists(env.keys.events_intake_lock(instance_id)):
            continue  # a live worker renders it
        schedule_render(env, instance_id)
        started.append(instance_id)
    return started


def _render_batch(env: EventsEnv, instance_id: int, rows: list[Any]) -> int:
    changes = [_loads(fields) for _, fields in rows]
    instance = env.instance(instance_id)
    if instance is None:
        return 0  # deleted: its changes go with it
    settings = env.settings_of(instance)
    ctx = HubContext(lambda: env.client(instance), instance)
    unread = [c for c in changes if c.record is None and c.event_type != "DELETED"]
    records = _read_back(ctx, unread)
    shown_by: dict[str, list[tuple[str, Any]]] = {}
    events: list[dict[str, Any]] = []
    for change in changes:
        vendor = (
            change.record
            if change.record is not None
            else records.get((change.entity, change.object_id))
        )
        if vendor is None and change.event_type != "DELETED":
            # gone before it was read back: its deletion is reported by the deletion sources
            log.info("events: %s %s no longer exists", change.entity, change.object_id)
            continue
        try:
            if change.resource not in shown_by:
                shown_by[change.resource] = targets(env, instance, change.resource)
            events += render(change, vendor, shown_by[change.resource], ctx, raw=settings.raw)
        except (NotFoundError, MappingError, ValidationError) as exc:
            # a resource or map that no longer serves this record (changed meanwhile): the
            # change cannot become an event, and must not hold up the ones after it
            log.warning(
                "events: %s %s of instance %s not rendered: %s",
                change.resource,
                change.object_id,
                instance_id,
                type(exc).__name__,
            )
    event_log = EventLog(env.redis, env.keys, env.settings.events_retention_days)
    logged = event_log.append(instance_id, events)
    _tell_formulas(env, instance_id, events)
    if logged:
        delivery.kick(env, instance_id)
    return len(logged)


def _read_back(ctx: HubContext, changes: list[Change]) -> dict[tuple[str, int], dict[str, Any]]:
    """The current Autotask records of `changes`: one query per entity and 500 ids."""
    ids_by_entity: dict[str, list[int]] = {}
    for change in changes:
        ids = ids_by_entity.setdefault(change.entity, [])
        if change.object_id not in ids:
            ids.append(change.object_id)
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for entity, ids in ids_by_entity.items():
        for start in range(0, len(ids), READ_BACK_IDS):
            chunk = ids[start : start + READ_BACK_IDS]
            page = ctx.client.query_page(
                entity, [filters.condition(filters.IN, "id", chunk)], max_records=READ_BACK_IDS
            )
            for row in page.items:
                found[(entity, int(row["id"]))] = row
    return found


def _tell_formulas(env: EventsEnv, instance_id: int, events: list[dict[str, Any]]) -> None:
    """Formulas' event triggers (they start nothing for an eventId seen before)."""
    if env.formulas is None:
        return
    from connector.formulas.events import on_event

    for event in events:
        try:
            on_event(env.formulas, instance_id, event)
        except Exception:  # a formula's failure is its execution's, never the event log's
            log.exception("events: formula trigger failed for %s", event["eventId"])


def _dumps(change: Change) -> str:
    return json.dumps(asdict(change), separators=(",", ":"), default=str)


def _loads(fields: dict[Any, Any]) -> Change:
    raw = fields.get(b"change", fields.get("change"))
    return Change(**json.loads(raw))
