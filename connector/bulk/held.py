"""How many bulk jobs one instance holds: at most MAX_JOBS_HELD within their retention
(BULK_RETENTION_HOURS), then a start is a 409 naming the limit (connector.tenancy.counts).

A job's result stays in Redis for the whole retention, so without a count one instance's
starts would pile up results without end. The count is the instance's index of jobs; an id
whose job expired with its retention stays in the index until a listing drops it, so at the
limit the index is pruned once and counted again before a start is refused.

Usage:

    with held.place(store, instance_id):
        job_id = store.create(instance_id, fields)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from connector.bulk.store import BulkStore
from connector.tenancy.counts import CountCap, CountCapError

MAX_JOBS_HELD = 500


@contextmanager
def place(store: BulkStore, instance_id: int) -> Iterator[None]:
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
            stack.enter_context(cap.place(instance_id, index, whose="This instance"))
        except CountCapError:
            store.list_ids(instance_id)  # drops the ids whose job expired with its retention
            stack.enter_context(cap.place(instance_id, index, whose="This instance"))
        yield
