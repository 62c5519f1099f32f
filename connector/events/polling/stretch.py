"""Polls give way to the customer's own Autotask budget (issue #11).

All integrations on an Autotask database share its hourly request threshold. When a poll ends
with the database's use past `AUTOTASK_THRESHOLD_SHARE` (Autotask's last ThresholdInformation
figure plus what the connector sent since, as the client's pacing reads it), the resource
rests: its next `STRETCH - 1` ticks are skipped, so it polls every `STRETCH` intervals until
the use falls below the share again, and a scan with rows left waits for its tick instead of
going on at once. A rest is a key with a TTL; nothing else remembers it.

    events:instance:{id}:poll:{resource}:rest    "1", expiring after (STRETCH - 0.5) intervals
"""

from __future__ import annotations

from connector.events.env import EventsEnv

STRETCH = 4  # a resource polled past the share polls every 4 intervals


def rest_key(env: EventsEnv, instance_id: int, resource: str) -> str:
    return env.keys.pattern("events", "instance", instance_id, "poll", resource, "rest")


def resting(env: EventsEnv, instance_id: int, resource: str) -> bool:
    return bool(env.redis.exists(rest_key(env, instance_id, resource)))


def after_poll(
    env: EventsEnv, instance_id: int, resource: str, share: float | None, interval: float
) -> bool:
    """Rest the resource when `share` (the database's threshold use) is past the operator's
    share; answers whether it rests. Half an interval short of STRETCH - 1 ticks, so the
    tick after them runs even when the poll ended late in its own tick."""
    if share is None or share <= float(env.settings.autotask_threshold_share):
        return False
    seconds = (STRETCH - 0.5) * float(interval)
    env.redis.set(rest_key(env, instance_id, resource), "1", px=int(seconds * 1000))
    return True
