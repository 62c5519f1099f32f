"""The event log API's rules: pages of an instance's log, one event, a retry, the status,
resuming parked deliveries. HTTP-free: connector.api.events parses and renders around it."""

from __future__ import annotations

from typing import Any

from connector.errors import NotFoundError
from connector.events import delivery, status, views
from connector.events.env import EventsEnv
from connector.events.schemas import EVENT_ID
from connector.events.store import EventLog
from connector.events.webhooks.registration_job import registration
from connector.events.webhooks.store import HookStore
from connector.tenancy.instances import Instance

# the pending count stops there: a stream has no count between ids, so it reads entries
MAX_PENDING_COUNT = 1000


class EventService:
    def __init__(self, env: EventsEnv) -> None:
        self.env = env
        self.log = EventLog(env.redis, env.keys, env.settings.events_retention_days)

    def page(self, instance: Instance, query: dict[str, Any]) -> tuple[list[dict], str | None]:
        """Newest first; with `after`, oldest first from that cursor. The next page's token."""
        token = query.get("nextPage")
        ascending = "after" in query or (token or "").startswith("a:")
        position = token[2:] if token else query.get("after")
        events, last = self.log.page(
            instance.id,
            size=query["pageSize"],
            after=(position or "0") if ascending else None,
            before=None if ascending else position,
            status=query.get("status"),
            object_type=query.get("objectType"),
        )
        next_token = f"{'a' if ascending else 'b'}:{last}" if last else None
        return events, next_token

    def event(self, event_id: str, organization_id: int) -> tuple[Instance, dict[str, Any]]:
        """The event with its state, when the caller's organization owns its instance."""
        found = self.log.state(event_id) if EVENT_ID.fullmatch(event_id) else None
        instance = self.env.instance(found["instanceId"]) if found else None
        if found is None or instance is None or instance.organizationId != organization_id:
            raise NotFoundError(f"No event {event_id[:64]} (events are kept for a while only)")
        event = self.log.entry(instance.id, found["cursor"])
        if event is None:
            raise NotFoundError(f"No event {event_id[:64]} (events are kept for a while only)")
        return instance, views.event_view(event, found)

    def retry(self, event_id: str, organization_id: int) -> dict[str, Any]:
        instance, event = self.event(event_id, organization_id)
        how = delivery.retry(self.env, instance.id, event)
        return {"eventId": event_id, "instanceId": instance.id, "retry": how}

    def status(self, instance: Instance) -> dict[str, Any]:
        settings = self.env.settings_of(instance)
        current = delivery.state(self.env, instance.id)
        cursor = current.get("cursor") or "0"
        pending = len(self.log.read_after(instance.id, cursor, MAX_PENDING_COUNT))
        return {
            "instanceId": instance.id,
            "enabled": settings.enabled,
            "vendorType": settings.vendor_type,
            "objects": list(settings.objects),
            "pollIntervalSeconds": settings.interval_seconds,
            "reconcileIntervalSeconds": settings.reconcile_seconds,
            "resources": self._resources(instance.id, settings),
            # the webhooks' registration job: pending, registered or failed (and why)
            "registration": registration(self.env, instance.id),
            "delivery": views.delivery_view(current, pending, MAX_PENDING_COUNT),
            "log": {
                "events": self.log.length(instance.id),
                "lastCursor": self.log.last_cursor(instance.id),
                "retentionDays": self.env.settings.events_retention_days,
            },
        }

    def _resources(self, instance_id: int, settings: Any) -> dict[str, dict[str, Any]]:
        """Per watched resource: webhook or polling and why (the registration's word, or the
        vendor type's), and what its poller last saw."""
        if settings.vendor_type == "polling":
            why = {"mode": "polling", "reason": "event.vendor.type is polling"}
            modes = {name: why for name in settings.objects}
        else:
            modes = HookStore(self.env).modes(instance_id)
        polled = status.read(self.env, instance_id)
        return {
            name: {"mode": None, **modes.get(name, {}), **polled.get(name, {})}
            for name in settings.objects
        }

    def resume(self, instance: Instance) -> dict[str, Any]:
        delivery.resume(self.env, instance.id)
        return self.status(instance)
