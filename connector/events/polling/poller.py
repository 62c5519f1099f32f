"""One poll of one resource: the next pages of its scan (see polling.scan), each page's new
rows handed to the pipeline as `Change`s that carry their record, in change order (change
value, then id) within the page, before the next page is read.

A record's row comes once per scan (the id cursor only moves on), and the scan after finds it
only with a later change value: the events of one record come in the order they happened.
Upstream calls: one per page of 500 rows, ceil(N / 500) for N rows changed, exactly one when
nothing changed; a scan over more than `MAX_POLL_ROWS` rows spreads the same calls over several
polls. The rows the overlap reads again are counted in N (`PollResult.rows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.autotask import filters
from connector.autotask.errors import PagingLoopError
from connector.events import pipeline, status
from connector.events.changes import Change
from connector.events.env import EventsEnv
from connector.events.poller_config import PollerSpec
from connector.events.polling.scan import MAX_POLL_ROWS, MAX_SKEW, OVERLAP, Scan, edge_after
from connector.events.polling.watermark import Watermarks, format_time, parse_time, utc_now
from connector.tenancy.instances import Instance


@dataclass(frozen=True)
class PollResult:
    rows: int  # what Autotask answered (the overlap's repeats included)
    changes: int  # handed to the pipeline
    watermark: str
    more: bool = False  # the scan has rows left: the next poll should come now
    share: float | None = None  # the database's threshold use after the poll (0 to 1)
    after: int | None = None  # the scan's id cursor when it has rows left


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
        first = previous - MAX_SKEW - OVERLAP
        # the first scan after events were turned on tells CREATED from UPDATED against the
        # same read-back (a record made just after the start may be stamped before it)
        made_after = first if not state.get("since") else previous
        edge: dict[str, str] = dict(state.get("edge") or {})
        scan = Scan.load(state.get("scan"))
        if scan is None or scan.field != spec.changed_vendor_field:
            # the first scan after events were turned on reads back MAX_SKEW more: the start
            # moment is the connector's clock, the rows are stamped by Autotask's, which may
            # run behind it (a change made just after the start would look older than it)
            since = parse_time(state["since"]) if state.get("since") else first
            scan = Scan.start(since, utc_now(), spec.changed_vendor_field)
        client = self.env.client(instance)
        read = changes = 0
        more = True
        while more and read < MAX_POLL_ROWS:
            page = client.query_page(spec.entity, _filter(scan))
            _check_progress(scan, page.items)
            read += len(page.items)
            changes += self._submit(instance, spec, page.items, edge, made_after)
            scan = scan.advanced(page.items, utc_now())
            more = page.has_more and bool(page.items)
            if more:  # this page is in the pipeline: a poll that dies goes on after it
                self.watermarks.put(
                    instance.id,
                    spec.resource,
                    state["watermark"],
                    edge,
                    since=state.get("since"),
                    scan=scan.dump(),
                )
        latest = max(previous, parse_time(scan.latest)) if scan.latest else previous
        watermark = format_time(latest) if not more else state["watermark"]
        if not more:
            self.watermarks.put(
                instance.id,
                spec.resource,
                watermark,
                edge_after(edge, scan),
                since=format_time(scan.next_since),
            )
        now = utc_now()
        status.report(
            self.env,
            instance.id,
            spec.resource,
            lastPoll=format_time(now),
            cursor=watermark,
            lagSeconds=round(max(0.0, (now - latest).total_seconds()), 3),
            lastPollChanges=changes,
            backlog=True if more else None,
        )
        share = client.caller.limits.current().share  # as of the last call: no round trip
        return PollResult(read, changes, watermark, more, share, scan.after if more else None)

    def _submit(
        self,
        instance: Instance,
        spec: PollerSpec,
        rows: list[dict[str, Any]],
        edge: dict[str, str],
        previous: Any,
    ) -> int:
        changed = spec.changed_vendor_field
        fresh = [row for row in rows if _is_new(row, changed, edge)]
        fresh.sort(key=lambda row: (parse_time(str(row[changed])), int(row["id"])))
        if fresh:  # durable when it returns: then the scan moves on
            found = [self._change(instance, spec, row, previous) for row in fresh]
            pipeline.submit(self.env, found)
        return len(fresh)

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


def _filter(scan: Scan) -> list[dict[str, Any]]:
    items = [
        filters.condition(filters.GTE, scan.field, scan.since),
        filters.condition(filters.LT, scan.field, scan.until),
    ]
    if scan.after is not None:
        items.append(filters.condition(filters.GT, "id", scan.after))
    return items


def _check_progress(scan: Scan, rows: list[dict[str, Any]]) -> None:
    """The id cursor must move on, or the scan would read the same page for ever."""
    if scan.after is not None and rows and max(int(row["id"]) for row in rows) <= scan.after:
        raise PagingLoopError("Autotask answered rows before the poll's id cursor")


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
