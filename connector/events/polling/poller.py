"""One poll of one resource: the rows whose change value is at or past the watermark (minus a
small overlap, for changes Autotask commits a moment late), the ones already reported at the
edge left out, handed to the pipeline as `Change`s that carry their record.

Autotask answers a query in id order, 500 rows a page (the client follows nextPageUrl), and
has no ordering by another field: the rows are put in change order here (change value, then
id) before they are submitted, so the events of one record come in the order they happened.
Upstream calls: ceil(rows / 500), and exactly one when nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from connector.autotask import filters
from connector.events import pipeline, status
from connector.events.changes import Change
from connector.events.env import EventsEnv
from connector.events.poller_config import PollerSpec
from connector.events.polling.watermark import (
    Watermarks,
    edge_of,
    format_time,
    parse_time,
    utc_now,
)
from connector.tenancy.instances import Instance

OVERLAP = timedelta(seconds=5)


@dataclass(frozen=True)
class PollResult:
    rows: int  # what Autotask answered (the overlap's repeats included)
    changes: int  # handed to the pipeline
    watermark: str


class Poller:
    def __init__(self, env: EventsEnv) -> None:
        self.env = env
        self.watermarks = Watermarks(env.redis, env.keys)

    def poll(self, instance: Instance, spec: PollerSpec) -> PollResult:
        state = self.watermarks.get(instance.id, spec.resource)
        if state is None:  # never started (or its state was lost): report from now on
            self.watermarks.start(instance.id, spec.resource)
            state = self.watermarks.get(instance.id, spec.resource) or {}
            return PollResult(0, 0, str(state.get("watermark")))
        previous = parse_time(state["watermark"])
        edge: dict[str, str] = dict(state.get("edge") or {})
        changed = spec.changed_vendor_field
        since = filters.condition(filters.GTE, changed, format_time(previous - OVERLAP))
        rows = list(self.env.client(instance).query(spec.entity, [since]))
        seen = {str(row["id"]): str(row[changed]) for row in rows if row.get(changed)}
        fresh = [row for row in rows if _is_new(row, changed, edge)]
        fresh.sort(key=lambda row: (parse_time(str(row[changed])), int(row["id"])))
        changes = [self._change(instance, spec, row, previous) for row in fresh]
        if changes:
            pipeline.submit(self.env, changes)  # durable when it returns: then move on
        latest = max([previous, *(parse_time(value) for value in seen.values())])
        watermark = format_time(latest)
        self.watermarks.put(
            instance.id, spec.resource, watermark, edge_of({**edge, **seen}, latest, OVERLAP)
        )
        now = utc_now()
        status.report(
            self.env,
            instance.id,
            spec.resource,
            lastPoll=format_time(now),
            cursor=watermark,
            lagSeconds=round(max(0.0, (now - latest).total_seconds()), 3),
            lastPollChanges=len(changes),
        )
        return PollResult(len(rows), len(changes), watermark)

    @staticmethod
    def _change(instance: Instance, spec: PollerSpec, row: dict[str, Any], previous: Any) -> Change:
        changed_value = str(row[spec.changed_vendor_field])
        created_value = row.get(spec.created_vendor_field)
        return Change(
            instance_id=instance.id,
            resource=spec.resource,
            entity=spec.entity,
            object_id=int(row["id"]),
            event_type=_event_type(created_value, changed_value, previous),
            source="polling",
            changed_at=format_time(parse_time(changed_value)),
            version=changed_value,
            record=row,
        )


def _is_new(row: dict[str, Any], changed: str, edge: dict[str, str]) -> bool:
    value = row.get(changed)
    return bool(value) and edge.get(str(row["id"])) != str(value)


def _event_type(created: Any, changed: str, previous: Any) -> str:
    """CREATED when the record was made after the last change reported, or was never changed
    since it was made; otherwise UPDATED."""
    if not created:
        return "UPDATED"
    made = parse_time(str(created))
    return "CREATED" if made > previous or made >= parse_time(changed) else "UPDATED"
