"""Autotask webhooks as an event source (issue #13).

    registration  one webhook per watched entity, created as the instance's API user
    intake        POST /events/autotaskcrm/{hookId}: signature, repeats, append to a stream
    drain         the stream -> `Change`s handed to the pipeline (a job)
    sync          the instance's settings applied; `status` for the event status route
    registration_job  registration on a worker (`request_sync` from the instance hook), its
                  outcome (pending, registered, failed) kept for the event status

State lives in Redis (store.py); which entities have webhooks is data (entities.yaml).
"""

from __future__ import annotations

from connector.events.webhooks.env import EXTENSION, WebhookEnv
from connector.events.webhooks.registration_job import registration, request_sync
from connector.events.webhooks.sync import remove, status, sync, webhook_resources

__all__ = [
    "EXTENSION",
    "WebhookEnv",
    "registration",
    "remove",
    "request_sync",
    "status",
    "sync",
    "webhook_resources",
]
