"""A scan: the bounded reading of one time range of changes, over one poll or several.

A scan reads the rows whose change value is in [since, until) page by page in id order (the
only order Autotask answers in), each page an `id > last id` query of 500 rows, and hands each
page on before it reads the next: a poll holds one page in memory however many rows changed.
`until` is the moment the scan started, fixed for the scan: a row changed while the scan runs
has a change value at or past it and is the next scan's, so a record whose row was read early
cannot change again unseen behind the cursor. A poll reads at most `MAX_POLL_ROWS`; a scan that
has more left keeps its cursor (`after`) in the watermark's state and the next poll, queued at
once, goes on from it. Rows of equal change value are split by id, never by time, so none is
lost at a poll's boundary.

`until` is the connector's clock, the change values are Autotask's. A row changed after the
scan's first page was asked for has a change value at or past Autotask's clock at that moment,
`clock`; when Autotask's clock is behind the connector's, that is before `until`, and such a
row behind the cursor is the next scan's only if the next scan starts at or before `clock`.
What the scan knows of `clock` it learns from the rows it reads: a row read `e` seconds (the
connector's) after the scan started shows Autotask's clock was at least its change value - `e`
then. So the next scan starts at min(until, clock) - OVERLAP, and never earlier than
until - MAX_SKEW - OVERLAP, which bounds what is read again after a scan that saw only old
rows (a bulk update of long ago is not read again and again): clocks up to MAX_SKEW apart lose
nothing. OVERLAP is for Autotask committing a change a moment after the value it stamps.

Rows stamped in the next scan's range are read twice, and the `edge` (id -> change value of
those rows) keeps them from being reported twice. The edge keeps at most `MAX_EDGE` rows (the
latest ones); a repeat past it is handed on again and yields the eventId already logged, which
the event log keeps once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from connector.events.polling.watermark import format_time, parse_time

OVERLAP = timedelta(seconds=5)
MAX_SKEW = timedelta(seconds=60)  # how far the connector's clock may run ahead of Autotask's
PAGE_ROWS = 500  # Autotask's page
MAX_POLL_ROWS = 5000  # rows one poll reads (10 pages); a whole number of pages
MAX_EDGE = 5000  # rows the edge remembers


@dataclass(frozen=True)
class Scan:
    """The range a scan reads, how far it got and what it saw near its end."""

    since: str
    until: str
    field: str  # the Autotask field it filters on (a new configuration starts a new scan)
    after: int | None = None  # the last id read
    latest: str | None = None  # the greatest change value read
    edge: dict[str, str] = field(default_factory=dict)
    clock: str | None = None  # Autotask's clock at the scan's start, at least (its rows say)

    @classmethod
    def start(cls, since: datetime, until: datetime, changed_field: str) -> Scan:
        return cls(since=format_time(since), until=format_time(until), field=changed_field)

    @classmethod
    def load(cls, raw: Any) -> Scan | None:
        if not isinstance(raw, dict):
            return None
        try:
            return cls(
                since=str(raw["since"]),
                until=str(raw["until"]),
                field=str(raw["field"]),
                after=None if raw.get("after") is None else int(raw["after"]),
                latest=None if raw.get("latest") is None else str(raw["latest"]),
                edge={str(k): str(v) for k, v in dict(raw.get("edge") or {}).items()},
                clock=None if raw.get("clock") is None else str(raw["clock"]),
            )
        except (KeyError, TypeError, ValueError):
            return None  # a state this code cannot read: a new scan from the watermark

    def dump(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "field": self.field,
            "after": self.after,
            "latest": self.latest,
            "edge": self.edge,
            "clock": self.clock,
        }

    @property
    def next_since(self) -> datetime:
        """Where the scan after this one starts (see the module's docstring)."""
        until = parse_time(self.until)
        earliest = until - MAX_SKEW
        clock = parse_time(self.clock) if self.clock else earliest
        return min(until, max(clock, earliest)) - OVERLAP

    @property
    def edge_floor(self) -> datetime:
        """The earliest the next scan may start: rows stamped from then on may be read again."""
        return parse_time(self.until) - MAX_SKEW - OVERLAP

    def advanced(self, rows: list[dict[str, Any]], read_at: datetime) -> Scan:
        """This scan after it read `rows` (one page, in id order, each with a change value),
        whose answer came at `read_at` (the connector's clock, as `until`)."""
        if not rows:
            return self
        values = {str(row["id"]): str(row[self.field]) for row in rows if row.get(self.field)}
        if not values:
            return replace(self, after=max(int(row["id"]) for row in rows))
        floor = self.edge_floor
        near = {key: value for key, value in values.items() if parse_time(value) >= floor}
        greatest = max(values.values(), key=parse_time)
        if self.latest is not None and parse_time(self.latest) >= parse_time(greatest):
            greatest = self.latest
        clock = parse_time(max(values.values(), key=parse_time))
        clock -= max(read_at - parse_time(self.until), timedelta(0))
        if self.clock is not None:
            clock = max(clock, parse_time(self.clock))
        return replace(
            self,
            after=max(int(row["id"]) for row in rows),
            latest=greatest,
            edge=capped({**self.edge, **near}),
            clock=format_time(clock),
        )


def capped(edge: dict[str, str]) -> dict[str, str]:
    """The edge's `MAX_EDGE` latest rows (change value, then id)."""
    if len(edge) <= MAX_EDGE:
        return edge
    ranked = sorted(edge.items(), key=lambda item: (parse_time(item[1]), int(item[0])))
    return dict(ranked[-MAX_EDGE:])


def edge_after(edge: dict[str, str], scan: Scan) -> dict[str, str]:
    """The edge a finished scan leaves: the rows stamped in the next scan's overlap."""
    floor = scan.next_since
    merged = {**edge, **scan.edge}
    return capped({key: value for key, value in merged.items() if parse_time(value) >= floor})
