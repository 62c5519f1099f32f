"""What an event source hands to the events pipeline: one record changed.

The sources (webhook intake, polling, DeletedTicketLogs, the reconcile sweep) know which record
changed and how; the pipeline (`connector.events.pipeline.submit`) does the rest: it reads the
records that came without a full body back in batches (one `id in [...]` query per 500 ids),
renders them through the instance's maps, appends events to the log and delivers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVENT_TYPES = ("CREATED", "UPDATED", "DELETED")
SOURCES = ("webhook", "polling", "reconcile")


@dataclass(frozen=True)
class Change:
    """One change of one Autotask record, as a source saw it."""

    instance_id: int
    resource: str  # the normalized resource watched (accounts, contacts, incidents, ...)
    entity: str  # the Autotask entity behind it (Companies, Contacts, Tickets, ...)
    object_id: int  # the Autotask record's id
    event_type: str  # one of EVENT_TYPES
    source: str  # one of SOURCES
    changed_at: str  # ISO 8601 UTC: the record's change-tracking value or the callout's time
    # what makes this change unique for its record (with object_id): the change-tracking value
    # for polling, the webhook's GUID and SequenceNumber for a callout; the eventId derives
    # from it, so a change seen twice yields the same eventId
    version: str
    # the full Autotask record when the source already read it (polling): no read-back then;
    # None when only a callout's partial fields are known (the pipeline reads it back)
    record: dict[str, Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.event_type not in EVENT_TYPES:
            raise ValueError(f"event_type must be one of {EVENT_TYPES}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
