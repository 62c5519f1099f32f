"""The pollers' schedules and their job.

One schedule per (instance, resource) that is polled: every resource of an instance with
`event.vendor.type=polling`, and with `webhook` those the registration left to polling
(opportunities, which Autotask cannot webhook; a refused webhook; no CONNECTOR_PUBLIC_URL).
`on_change` (an events listener) puts them, at `event.poller.refresh_interval`, and removes
those no longer wanted when events go off, the configuration changes or the instance goes.
The schedules run once per tick across every worker; a lease per (instance, resource) keeps
a slow poll from overlapping the next one. A poll that left rows of its scan queues the next
poll at once (a job named after the scan's cursor, so a repeated poll queues it once), unless
the database's threshold use makes the resource rest (polling.stretch).
"""

from __future__ import annotations

import json
import logging

from connector.errors import ConnectorError
from connector.events import status
from connector.events.config import EventSettings
from connector.events.env import EventsEnv
from connector.events.lease import Lease
from connector.events.polling import stretch
from connector.events.polling.poller import Poller, PollResult
from connector.events.polling.watermark import Watermarks, lock_key
from connector.events.webhooks.store import POLLING, HookStore
from connector.jobs import Schedules
from connector.jobs.queues import dotted

log = logging.getLogger("connector.events")

JOB = "connector.events.polling.schedules.poll_job"
LEASE_SECONDS = 120.0


def schedule_name(instance_id: int, resource: str) -> str:
    return f"events-poll:{int(instance_id)}:{resource}"


def polled_resources(env: EventsEnv, instance_id: int, settings: EventSettings | None) -> list[str]:
    """The instance's resources a poller watches now."""
    if settings is None or not settings.enabled:
        return []
    if settings.vendor_type == POLLING:
        return list(settings.objects)
    modes = HookStore(env).modes(instance_id)
    return [name for name in settings.objects if modes.get(name, {}).get("mode") == POLLING]


def on_change(env: EventsEnv, instance_id: int, settings: EventSettings | None) -> None:
    """Put the schedules the instance's settings want, remove the others (an events listener:
    settings None when the instance was deleted)."""
    schedules = Schedules(env.jobs, env.redis)
    watermarks = Watermarks(env.redis, env.keys)
    wanted = polled_resources(env, instance_id, settings)
    prefix = schedule_name(instance_id, "")
    existing = [n[len(prefix) :] for n in schedules.names() if n.startswith(prefix)]
    stopped = [resource for resource in existing if resource not in wanted]
    for resource in stopped:
        schedules.remove(schedule_name(instance_id, resource))
    if not wanted:
        watermarks.drop(instance_id)  # on again later: changes from then on
    elif stopped:
        watermarks.drop(instance_id, stopped)
    for resource in wanted:
        watermarks.start(instance_id, resource)  # no-op when polling already
        _put(env, schedules, instance_id, resource, settings.interval_seconds)


def _put(env: EventsEnv, schedules: Schedules, instance_id: int, resource: str, every: float):
    """Put the schedule unless it is there already as wanted (a put makes it due now)."""
    name = schedule_name(instance_id, resource)
    raw = env.redis.hget(env.keys.jobs_schedules(), name)
    if raw is not None:
        current = json.loads(raw)
        if current.get("func") == dotted(JOB) and float(current.get("every", 0)) == every:
            return
    schedules.put(name, "events", JOB, int(instance_id), resource, every=every)


def poll_job(instance_id: int, resource: str) -> int:
    """RQ job (a schedule): poll one resource of one instance; answers the changes found."""
    return run_poll(EventsEnv.current(), int(instance_id), str(resource))


def run_poll(env: EventsEnv, instance_id: int, resource: str) -> int:
    instance = env.instance(instance_id)
    if instance is None:
        return 0
    settings = env.settings_of(instance)
    spec = settings.poller.get(resource)
    if spec is None or resource not in polled_resources(env, instance_id, settings):
        return 0  # a stale schedule: the listener removes it
    if stretch.resting(env, instance_id, resource):
        return 0  # the database's budget runs low: this tick is the customer's
    lease = Lease(env.redis, lock_key(env.keys, instance_id, resource), LEASE_SECONDS)
    if not lease.take():
        return 0  # the previous tick's poll still runs
    with lease.kept():
        try:
            result = Poller(env).poll(instance, spec)
        except ConnectorError as error:  # the watermark stays: the next tick asks again
            status.report(env, instance_id, resource, lastError=error.message[:300])
            log.warning("poll of %s of instance %s failed: %s", resource, instance_id, error)
            return 0
    stretched = stretch.after_poll(
        env, instance_id, resource, result.share, settings.interval_seconds
    )
    status.report(env, instance_id, resource, lastError=None, stretched=True if stretched else None)
    if result.more and not stretched:
        _poll_again(env, instance_id, resource, result)
    return result.changes


def _poll_again(env: EventsEnv, instance_id: int, resource: str, result: PollResult) -> None:
    """Queue the poll that goes on with the scan, now rather than at the next tick."""
    name = f"events-poll-more:{int(instance_id)}:{resource}:{result.after}"
    env.jobs.enqueue("events", JOB, int(instance_id), resource, job_id=name)
