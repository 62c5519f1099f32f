"""The events feature wired into the app: its env, its instance hooks, its periodic sweeps.

The composition root (connector.api.deps) calls `build` once per process. Sources that start
or stop work per instance (pollers, webhook registrations) subscribe here with
`env.on_change(listener)`: listeners hear of every creation, change, enabling, disabling
(settings with `enabled` false) and deletion (settings None) of an instance.
"""

from __future__ import annotations

from typing import Any

import redis

from connector.events import delivery, pipeline, polling
from connector.events.deletions import schedules as deletion_schedules
from connector.events.env import EventsEnv
from connector.events.instance_keys import checker
from connector.events.store import EventLog
from connector.jobs import Schedules


def build(services: Any, registry: Any, client: redis.Redis, jobs: Any, formulas: Any) -> EventsEnv:
    env = EventsEnv(
        settings=services.settings,
        redis=client,
        keys=services.keys,
        services=services,
        registry=registry,
        jobs=jobs,
        formulas=formulas,
    )
    hooks = services.hooks
    hooks.on_check(checker(env))
    hooks.on_change(env.changed)
    hooks.on_delete(env.deleted)
    hooks.on_delete(lambda instance_id: drop_instance(env, instance_id))
    env.on_change(delivery.on_change)
    env.on_change(polling.on_change)  # one poll schedule per polled resource
    env.on_change(deletion_schedules.on_change)  # DeletedTicketLogs and the reconcile sweep
    return env


def drop_instance(env: EventsEnv, instance_id: int) -> None:
    """The instance was deleted: its intake, log, delivery state and status go (each event's
    hash expires with the retention)."""
    keys = env.keys
    EventLog(env.redis, keys, env.settings.events_retention_days).drop_instance(instance_id)
    with env.redis.pipeline() as pipe:
        pipe.delete(
            keys.events_intake(instance_id),
            keys.events_delivery(instance_id),
            keys.events_status(instance_id),
        )
        pipe.srem(keys.events_intake_active(), instance_id)
        pipe.srem(keys.events_delivery_active(), instance_id)
        pipe.execute()


DRAIN_JOB = "connector.events.webhooks.drain.drain_job"


def schedule_sweeps(env: EventsEnv) -> None:
    """Every process puts them (a put replaces): what a dead worker left is picked up."""
    schedules = Schedules(env.jobs, env.redis)
    schedules.put("events-intake-sweep", "events", pipeline.sweep, every=pipeline.SWEEP_SECONDS)
    schedules.put("events-delivery-sweep", "events", delivery.sweep, every=delivery.SWEEP_SECONDS)
    # Autotask's callouts, accepted by the intake, handed to the pipeline every second
    schedules.put("events-callout-drain", "events", DRAIN_JOB, every=1.0)
