"""Webhook registration as a job: the request that turns events on answers at once, and the
registration (a few Autotask calls per entity) runs on a worker.

    request_sync(env, jobs, instance_id)   the instance hook: pending, then the job
    sync_job(instance_id)                  RQ job: sync, record the outcome, retried on failure

The outcome is kept beside the instance's webhooks (`registration`: pending, registered,
failed with Autotask's reason and the attempts so far) and shown by the event status.
Removing webhooks (events off, polling only, disabled) needs no job when there are none, and
runs in the request otherwise, as before: nothing stays registered after the answer.
"""

from __future__ import annotations

import json
from typing import Any

from connector.events.lease import Lease
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.store import HookStore, utc_now
from connector.events.webhooks.sync import sync, wants_webhooks

JOB = "connector.events.webhooks.registration_job.sync_job"
FIELD = "_registration"
RETRY_SECONDS = [5.0, 30.0, 120.0, 600.0, 1800.0]  # then it stays failed until the next change
LEASE_SECONDS = 60.0
PENDING, REGISTERED, FAILED = "pending", "registered", "failed"


class RegistrationFailed(Exception):
    """Raised by the job so that RQ retries it (the reason is recorded first)."""


def registration(env: WebhookEnv, instance_id: int) -> dict[str, Any] | None:
    raw = env.redis.hget(env.keys.webhook_instance(instance_id), FIELD)
    return json.loads(raw) if raw else None


def _record(env: WebhookEnv, instance_id: int, **fields: Any) -> None:
    current = registration(env, instance_id) or {}
    current.update(fields, updatedAt=utc_now())
    env.redis.hset(env.keys.webhook_instance(instance_id), FIELD, json.dumps(current))


def request_sync(env: WebhookEnv, jobs: Any, instance_id: int) -> None:
    """The instance changed: bring its webhooks in line, on a worker when that means
    registering them."""
    instance = env.instances.get(instance_id)
    if instance is None or not wants_webhooks(instance, env.box):
        sync(env, instance_id)  # removal (or nothing to do): here, so it is done when we answer
        return
    _record(env, instance_id, status=PENDING, attempts=0, error=None)
    jobs.enqueue("events", JOB, int(instance_id), retry=RETRY_SECONDS)


def sync_job(instance_id: int) -> str:
    """RQ job: register the instance's webhooks; answers the registration's status."""
    from connector import jobs
    from connector.events.env import EventsEnv
    from connector.events.webhooks.env import EXTENSION

    app = jobs.current().app
    return run_sync(app.extensions[EXTENSION], EventsEnv.of_app(app), instance_id)


def run_sync(env: WebhookEnv, events: Any, instance_id: int) -> str:
    instance_id = int(instance_id)
    lease = Lease(env.redis, env.keys.webhook_instance(instance_id) + ":sync", LEASE_SECONDS)
    if not lease.take():
        raise RegistrationFailed("another worker registers this instance's webhooks now")
    try:
        attempts = int((registration(env, instance_id) or {}).get("attempts") or 0) + 1
        error = sync(env, instance_id)
        if error is not None:
            _record(env, instance_id, status=FAILED, attempts=attempts, error=error[:300])
            raise RegistrationFailed(error)
        _resources_changed(events, instance_id)  # before `registered`: a reader then finds both
        if HookStore(env).modes(instance_id):
            _record(env, instance_id, status=REGISTERED, attempts=attempts, error=None)
    finally:
        lease.release()
    return (registration(env, instance_id) or {}).get("status", "none")


def _resources_changed(events: Any, instance_id: int) -> None:
    """The resources left to polling are known now: their poll schedules follow."""
    if events is None:
        return
    from connector.events import polling

    instance = events.instance(instance_id)
    settings = events.settings_of(instance) if instance is not None else None
    polling.on_change(events, instance_id, settings)
