"""How many bulk jobs one instance holds: at most MAX_JOBS_HELD within their retention
(BULK_RETENTION_HOURS), then a start is a 409 naming the limit (connector.tenancy.counts).

A job's result stays in Redis for the whole retention, so without a count one instance's
starts would pile up results without end. The count is the instance's index of jobs; an id
whose job expired with its retention stays in the index until a listing drops it, so at the
limit the index is pruned once and counted again before a start is refused.

A start's place is a claim that lapses (CLAIM_SECONDS): a start whose count query (an
Autotask call) outlasted it may have lost its place to another start meanwhile, so a start
confirms its place right before it stores the job, and is refused then when the instance
filled up.

Usage:

    with held.place(store, instance_id) as place:
        ...  # check the query, count its rows upstream
        place.confirm()  # CountCapError (409) when the instance filled up meanwhile
        job_id = store.create(instance_id, fields)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from connector.bulk.store import BulkStore
from connector.tenancy.counts import CountCap, CountCapError, Place

MAX_JOBS_HELD = 500


@contextmanager
def place(store: BulkStore, instance_id: int) -> Iterator[HeldPlace]:
    cap = CountCap(
        store.redis,
        store.keys,
        "bulk-jobs",
        limit=MAX_JOBS_HELD,
        what="bulk jobs (each kept BULK_RETENTION_HOURS)",
    )
    index = store.keys.bulk_jobs(instance_id)
    with ExitStack() as stack:
        try:
            taken = stack.enter_context(cap.place(instance_id, index, whose="This instance"))
        except CountCapError:
            store.list_ids(instance_id)  # drops the ids whose job expired with its retention
            taken = stack.enter_context(cap.place(instance_id, index, whose="This instance"))
        yield HeldPlace(store, instance_id, taken)


class HeldPlace:
    """A start's place (held.place): confirm it right before the job is stored."""

    def __init__(self, store: BulkStore, instance_id: int, taken: Place) -> None:
        self.store, self.instance_id, self.taken = store, instance_id, taken

    def confirm(self) -> None:
        """Renew the place, or take it anew when it lapsed; CountCapError when full (after
        the ids of expired jobs were dropped, as a first claim does)."""
        try:
            self.taken.confirm()
        except CountCapError:
            self.store.list_ids(self.instance_id)
            self.taken.confirm()
