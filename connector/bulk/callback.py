"""The completion callback: the job's final status POSTed to `Elements-Async-Callback-Url`.

It goes through the outbound guard like event deliveries: any host, http or https, never a
loopback, private or link-local address unless the operator sets
EVENTS_ALLOW_PRIVATE_CALLBACKS (checked when the job is made, and again on every address the
name resolves to when it is sent). The body is signed as event notifications are:
`Elements-Webhook-Signature: sha256=<base64 HMAC-SHA256 of the exact body>` with the
instance's `event.notification.signature.key`, when the instance has one.
`Elements-Webhook-Id` is stable per job, so a receiver can drop a repeated delivery.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from connector.bulk import views
from connector.events.config import SIGNATURE_KEY, callback_policy
from connector.events.signing import ELEMENTS_HEADER, elements_signature
from connector.outbound import OutboundClient, OutboundError, OutboundPolicy, check_static

log = logging.getLogger("connector.bulk")

DEADLINE_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024
_clients: dict[bool, OutboundClient] = {}


class CallbackFailedError(Exception):
    """The receiver did not take the callback; RQ's retry sends it again."""


def policy(settings: Any) -> OutboundPolicy:
    return callback_policy(bool(settings.events_allow_private_callbacks))


def check_url(url: str, settings: Any) -> str:
    """A callback URL a client may give (its resolved addresses are checked when sent)."""
    check_static(url, policy(settings))
    return url


def deliver_callback(job_id: int) -> None:
    """RQ job: POST the job's status to its callback URL. Idempotent for the receiver: the
    same `Elements-Webhook-Id` on every attempt; raising hands the retry to RQ."""
    from connector.bulk.runtime import worker_runtime

    runtime = worker_runtime()
    deliver(runtime, job_id)


def deliver(runtime: Any, job_id: int) -> int | None:
    store = runtime.store
    job = store.get(job_id)
    if job is None or not job.get("callbackUrl"):
        return None  # deleted meanwhile: nothing to announce
    body = json.dumps(views.status(job), separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "Elements-Webhook-Id": f"bulk-{job_id}"}
    instance = runtime.deps.instances.get(int(job["instanceId"]))
    key = instance.config_value(SIGNATURE_KEY, runtime.deps.box) if instance else None
    if key:
        headers[ELEMENTS_HEADER] = elements_signature(body, key)
    allow = bool(runtime.settings.events_allow_private_callbacks)
    client = _clients.get(allow) or _clients.setdefault(
        allow, OutboundClient(policy(runtime.settings))
    )
    attempts = int(job.get("callbackAttempts") or 0) + 1
    try:
        answer = client.request(
            "POST",
            job["callbackUrl"],
            headers=headers,
            body=body,
            deadline_seconds=DEADLINE_SECONDS,
            max_response_bytes=MAX_ANSWER_BYTES,
        )
    except OutboundError as exc:
        store.update(job_id, callbackAttempts=attempts, callbackStatus=type(exc).__name__)
        raise CallbackFailedError(f"bulk job {job_id}: callback failed ({exc.code})") from None
    store.update(job_id, callbackAttempts=attempts, callbackStatus=str(answer.status))
    if not 200 <= answer.status < 300:
        raise CallbackFailedError(f"bulk job {job_id}: the callback answered {answer.status}")
    return answer.status
