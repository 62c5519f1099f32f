"""An Autotask callout, checked, and the `Change`s it stands for (reference section 9).

    {"Action": "Update", "Guid": "d0046a73-...", "EntityType": "Ticket", "Id": 351182,
     "Fields": {"Status": "5"}, "EventTime": "2025-09-15T15:10:00Z", "SequenceNumber": 2,
     "PersonID": 30691780}

`Fields` holds only subscribed and display-always values, so a Change carries no record: the
pipeline reads the records back in batches. `Deactivated` is the webhook switched off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connector.errors import BadRequestError
from connector.events.changes import Change

EVENT_TYPES = {"Create": "CREATED", "Update": "UPDATED", "Delete": "DELETED"}
DEACTIVATED = "Deactivated"
ACTIONS = (*EVENT_TYPES, DEACTIVATED)
MAX_GUID = 100  # webhookGUID's length in Autotask


@dataclass(frozen=True)
class Callout:
    action: str
    guid: str
    entity_type: str
    record_id: int
    sequence: int
    event_time: str | None


def _key(body: dict[str, Any], name: str) -> Any:
    """Autotask's keys are PascalCase; accept any case (one client spells `PersonId`)."""
    for key, value in body.items():
        if str(key).lower() == name.lower():
            return value
    return None


def _integer(body: dict[str, Any], name: str) -> int:
    value = _key(body, name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise BadRequestError(f"the callout's {name} must be a non-negative integer")
    return value


def parse(body: bytes) -> Callout:
    """The callout in `body`; a BadRequestError naming the field when it is not one."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequestError("the callout body is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequestError("the callout body must be a JSON object")
    action = _key(data, "Action")
    if action not in ACTIONS:
        raise BadRequestError(f"the callout's Action must be one of {', '.join(ACTIONS)}")
    guid = _key(data, "Guid")
    if not isinstance(guid, str) or not 0 < len(guid) <= MAX_GUID:
        raise BadRequestError("the callout's Guid must be the webhook's GUID")
    entity_type = _key(data, "EntityType")
    if entity_type is not None and not isinstance(entity_type, str):
        raise BadRequestError("the callout's EntityType must be a string")
    event_time = _key(data, "EventTime")
    if event_time is not None and not isinstance(event_time, str):
        raise BadRequestError("the callout's EventTime must be a string")
    return Callout(
        action=action,
        guid=guid,
        entity_type=entity_type or "",
        record_id=_integer(data, "Id"),
        sequence=_integer(data, "SequenceNumber"),
        event_time=event_time,
    )


def to_changes(
    callout: Callout, instance_id: int, entity: str, resources: list[str], received: str
) -> list[Change]:
    """One Change per watched resource of the callout's entity (leads and accounts share
    Companies); the version (GUID, SequenceNumber) makes a redelivery the same change."""
    return [
        Change(
            instance_id=instance_id,
            resource=resource,
            entity=entity,
            object_id=callout.record_id,
            event_type=EVENT_TYPES[callout.action],
            source="webhook",
            changed_at=callout.event_time or received,
            version=f"{callout.guid}:{callout.sequence}",
        )
        for resource in resources
    ]
