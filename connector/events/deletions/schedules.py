"""The deletion sources on schedules, per instance with events on:

    events-deleted-tickets:{id}  DeletedTicketLogs, every `event.poller.refresh_interval`
                                 (one call when idle; none when no watched resource uses it)
    events-reconcile:{id}        the id sweep, every `event.poller.reconcile_interval`
                                 (none when 0, or when no watched resource needs it)

Both hand their DELETED changes to the pipeline; their cursors move only after it accepted
them. `on_change` (an events listener) puts and removes the schedules.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from connector.errors import ConnectorError
from connector.events import pipeline
from connector.events.config import EventSettings
from connector.events.deletions.deleted_tickets import DeletedTicketFeed
from connector.events.deletions.reconcile import ReconcileSweep
from connector.events.deletions.store import DeletionStore
from connector.events.env import EventsEnv
from connector.events.webhooks.env import WebhookEnv
from connector.jobs import Schedules

log = logging.getLogger("connector.events")

DELETED_TICKETS_JOB = "connector.events.deletions.schedules.deleted_tickets_job"
RECONCILE_JOB = "connector.events.deletions.schedules.reconcile_job"


def deleted_tickets_schedule(instance_id: int) -> str:
    return f"events-deleted-tickets:{int(instance_id)}"


def reconcile_schedule(instance_id: int) -> str:
    return f"events-reconcile:{int(instance_id)}"


def on_change(env: EventsEnv, instance_id: int, settings: EventSettings | None) -> None:
    schedules = Schedules(env.jobs, env.redis)
    on = settings is not None and settings.enabled
    if not on:
        schedules.remove(deleted_tickets_schedule(instance_id))
        schedules.remove(reconcile_schedule(instance_id))
        DeletionStore(env.redis, env.keys).drop_instance(instance_id)  # on again: from then
        return
    every = settings.interval_seconds
    _put(
        env,
        schedules,
        deleted_tickets_schedule(instance_id),
        DELETED_TICKETS_JOB,
        instance_id,
        every,
    )
    if settings.reconcile_seconds:
        sweep_every = settings.reconcile_seconds
        _put(
            env, schedules, reconcile_schedule(instance_id), RECONCILE_JOB, instance_id, sweep_every
        )
    else:
        schedules.remove(reconcile_schedule(instance_id))


def _put(env: EventsEnv, schedules: Schedules, name: str, job: str, instance_id: int, every):
    raw = env.redis.hget(env.keys.jobs_schedules(), name)
    if raw is not None:
        current = json.loads(raw)
        if current.get("func") == job and float(current.get("every", 0)) == float(every):
            return  # as wanted: a put would make it due now
    schedules.put(name, "events", job, int(instance_id), every=every)


def deleted_tickets_job(instance_id: int) -> int:
    """RQ job: the deletions DeletedTicketLogs logged since the last poll, to the pipeline."""
    return run_deleted_tickets(*_envs(), int(instance_id))


def reconcile_job(instance_id: int) -> Any:
    """RQ job: the id sweep; ids that disappeared go to the pipeline as DELETED."""
    return run_reconcile(*_envs(), int(instance_id))


def run_deleted_tickets(events: EventsEnv, webhooks: WebhookEnv, instance_id: int) -> int:
    return _run(events, instance_id, DeletedTicketFeed(webhooks).poll)


def run_reconcile(events: EventsEnv, webhooks: WebhookEnv, instance_id: int) -> Any:
    return _run(events, instance_id, ReconcileSweep(webhooks).sweep)


def _envs() -> tuple[EventsEnv, WebhookEnv]:
    from connector import jobs
    from connector.events.webhooks.env import EXTENSION

    app = jobs.current().app
    return EventsEnv.of_app(app), app.extensions[EXTENSION]


def _run(events: EventsEnv, instance_id: int, source: Any) -> Any:
    instance = events.instance(instance_id)
    if instance is None or not events.settings_of(instance).enabled:
        return 0  # a stale schedule: the listener removes it
    try:
        return source(instance, lambda changes: pipeline.submit(events, changes))
    except ConnectorError as error:  # the cursor stays: the next tick asks again
        log.warning("deletions of instance %s not read: %s", instance_id, error.message)
        return 0
