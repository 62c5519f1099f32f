"""One notification to a callback: Cloud Elements' body for up to 20 events, both signatures
(connector.events.signing) over the exact bytes sent, POSTed through the outbound guard (the
URL and every address it resolves to checked again at each delivery), 10 s to answer.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from connector.events import config
from connector.events.signing import signed_headers
from connector.outbound import OutboundClient, OutboundError

DEADLINE_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024
_NAMESPACE = uuid.UUID("0b7f6f0e-8f55-4f0a-a0f4-3f1f6a1f7d21")
_clients: dict[bool, OutboundClient] = {}


def _client(allow_private: bool) -> OutboundClient:
    return _clients.get(allow_private) or _clients.setdefault(
        allow_private, OutboundClient(config.callback_policy(allow_private))
    )


def send(
    env: Any, instance_id: int, url: str, key: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """One notification: POST `events` to `url`; the attempt (time, status code, latency)."""
    body = notification_body(instance_id, events)
    message_id = notification_id(events)
    headers = {"Content-Type": "application/json", "Elements-Webhook-Id": message_id}
    if key:
        headers.update(signed_headers(body, key, message_id))
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        answer = _client(bool(env.settings.events_allow_private_callbacks)).request(
            "POST",
            url,
            headers=headers,
            body=body,
            deadline_seconds=DEADLINE_SECONDS,
            max_response_bytes=MAX_ANSWER_BYTES,
        )
        status = answer.status
    except OutboundError as exc:
        error = exc.code
    latency = round((time.monotonic() - started) * 1000, 1)
    attempt = {"time": at, "statusCode": status, "latencyMs": latency, "notificationId": message_id}
    if error:
        attempt["error"] = error
    return {"ok": status is not None and 200 <= status < 300, "attempt": attempt}


def notification_id(events: list[dict[str, Any]]) -> str:
    """Stable for the same events: a notification sent again has the same id."""
    return str(uuid.uuid5(_NAMESPACE, ",".join(e["eventId"] for e in events)))


def notification_body(instance_id: int, events: list[dict[str, Any]]) -> bytes:
    """Cloud Elements' notification: the events, and `message` with their summary."""
    shown = [{k: v for k, v in e.items() if k not in ("cursor", "status")} for e in events]
    message_id = notification_id(events)
    body = {
        "notificationId": message_id,
        "instanceId": instance_id,
        "elementKey": shown[0]["elementKey"] if shown else "autotaskcrm",
        "events": shown,
        "message": {
            "eventId": message_id,
            "instanceId": instance_id,
            "events": [
                {
                    "eventId": e["eventId"],
                    "objectType": e["objectType"],
                    "objectId": e["objectId"],
                    "eventType": e["eventType"],
                    "elementKey": e["elementKey"],
                    "date": e["eventDate"],
                }
                for e in shown
            ],
        },
    }
    return json.dumps(body, separators=(",", ":"), default=str).encode()
