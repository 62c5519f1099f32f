"""The event status of an instance, per watched resource: how its changes are found.

Sources write what they know (`report`): the webhooks engineer's registration (`mode`
webhook or polling, and `reason` when a resource fell back to polling), the pollers (`lastPoll`,
`cursor`, `lagSeconds`, `stretched` when polls slow down for the threshold). GET
/instances/{id}/events/status reads it beside the delivery state.

    status.report(env, instance_id, "accounts", mode="polling", reason="no CONNECTOR_PUBLIC_URL")
"""

from __future__ import annotations

import json
from typing import Any

MAX_FIELDS = 20  # per resource; a source writes a few small values


def report(env: Any, instance_id: int, resource: str, **fields: Any) -> None:
    """Merge `fields` (JSON values) into the resource's status; None removes a field."""
    key = env.keys.events_status(instance_id)
    raw = env.redis.hget(key, resource)
    current = json.loads(raw) if raw else {}
    for name, value in fields.items():
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    if len(current) > MAX_FIELDS:
        raise ValueError(f"an event status keeps at most {MAX_FIELDS} fields per resource")
    env.redis.hset(key, resource, json.dumps(current, separators=(",", ":"), default=str))


def read(env: Any, instance_id: int) -> dict[str, dict[str, Any]]:
    raw = env.redis.hgetall(env.keys.events_status(instance_id))
    return {_text(k): json.loads(v) for k, v in raw.items()}


def forget(env: Any, instance_id: int) -> None:
    env.redis.delete(env.keys.events_status(instance_id))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
