"""Normalized events: a change and its Autotask record rendered through the instance's maps.

One change gives one event per resource that shows the record: the watched resource as the
instance resolves it (a virtual resource of the same name included) and every other virtual
resource the instance maps onto it. Each event's `eventId` derives from (instance, objectType,
objectId, version), so a change seen twice (a redelivered callout, an overlapping poll) gives
the same id, and the log keeps it once.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from connector.events.changes import Change
from connector.hub.answers import strips_nulls
from connector.hub.context import HubContext
from connector.hub.render import strip_nulls
from connector.tenancy import element

log = logging.getLogger("connector.events")

_NAMESPACE = uuid.UUID("6f1c2a52-5d0e-4a44-9a4e-2b9e1d7c0e13")  # this connector's eventIds
# Virtual resources of one watched resource that get their own events (the first by name).
# Each is a full event (record and raw) per change: without a bound, an organization's 8 MiB
# of definitions (some 25,000 small virtual resources on `accounts`) made one Autotask change
# that many events in Redis, rendered and delivered.
MAX_VIRTUAL_TARGETS = 10


def event_id(instance_id: int, object_type: str, object_id: int, version: str) -> str:
    """Stable: the same change of the same record always has the same id."""
    return str(uuid.uuid5(_NAMESPACE, f"{instance_id}\0{object_type}\0{object_id}\0{version}"))


def targets(env: Any, instance: Any, resource: str) -> list[tuple[str, Any]]:
    """(objectType, Resource) for every resource that shows records of `resource`."""
    registry = env.registry
    found = [(resource, registry.resolve(resource, instance))]
    for resolver in registry.resolvers:
        for name in sorted(resolver.names(instance)):
            if name == resource:
                continue
            if len(found) > MAX_VIRTUAL_TARGETS:
                log.info(
                    "events: instance %s: only %d virtual resources on %s get events",
                    instance.id,
                    MAX_VIRTUAL_TARGETS,
                    resource,
                )
                return found
            try:
                virtual = resolver(instance, name, registry)
            except Exception as exc:  # a broken definition shows nothing; its calls say why
                log.info("events: virtual resource %s skipped (%s)", name, type(exc).__name__)
                continue
            base = getattr(virtual, "base", None)
            if base is not None and getattr(base, "name", None) == resource:
                found.append((name, virtual))
    return found


def render(
    change: Change,
    vendor: dict[str, Any] | None,
    shown_by: list[tuple[str, Any]],
    ctx: HubContext,
    *,
    raw: bool,
) -> list[dict[str, Any]]:
    """The events of one change (none when the record is outside every resource)."""
    strip = strips_nulls(ctx.instance)
    events = []
    for object_type, resource in shown_by:
        if vendor is not None and not resource.admits(vendor):
            continue
        if vendor is not None:
            record = resource.to_record(vendor, ctx)
            record = strip_nulls(record) if strip else record
        else:
            record = {"id": change.object_id}  # deleted: only its id is known
        event: dict[str, Any] = {
            "eventId": event_id(change.instance_id, object_type, change.object_id, change.version),
            "instanceId": change.instance_id,
            "objectType": object_type,
            "objectId": str(change.object_id),
            "eventType": change.event_type,
            "elementKey": element.ELEMENT_KEY,
            "eventDate": change.changed_at,
            "source": change.source,
            "record": record,
        }
        if raw and vendor is not None:
            event["raw"] = vendor
        events.append(event)
    return events
