"""The download job: a bulk query read by id cursor, one Autotask query per 500 rows.

Each upstream page is kept as one chunk, and the chunk, the cursor (the page's last id) and
the counters move in one checkpoint (see store.py). A worker killed between a page and its
checkpoint costs that one page again on resume, never a duplicate row; a cancel or a
replacement worker is noticed at the next checkpoint, so a job stops within one page.
An order other than ascending id is applied after the read (see sorting.py).
"""

from __future__ import annotations

import logging
from typing import Any

from connector import ceql
from connector.autotask import filters
from connector.bulk import codec, sorting
from connector.bulk.query import BulkQuery
from connector.bulk.runtime import JobRun
from connector.errors import BadRequestError
from connector.hub.listing import ListQuery, plan
from connector.hub.render import Renderer

log = logging.getLogger("connector.bulk")

UPSTREAM_PAGE = 500
ALL_ROWS = filters.condition(filters.GTE, "id", 0)


def run_download(job_id: int) -> None:
    """RQ job: run (or resume) bulk download `job_id`.

    Idempotent: it continues from the job's checkpoint, takes the job's lease first (a second
    copy of the job exits at once), and a checkpoint applies only from the cursor it read."""
    with JobRun.start(job_id, "download") as run:
        if run is not None:
            Download(run).execute()


class Download:
    def __init__(self, run: JobRun) -> None:
        self.run = run
        self.query = BulkQuery.from_json(run.job["query"])
        self.resource = run.hub.resource(self.query.resource)
        self.ctx = run.hub.ctx
        self.plan = plan(
            self.resource,
            ListQuery(
                where=self.query.where, order_by=self.query.order_by, fields=self.query.fields
            ),
            self.ctx,
        )
        self.renderer = Renderer(strip=run.hub.strip_nulls, fields=self.query.fields)
        self.native_order = ceql.is_native_order(self.plan.order)
        self.max_rows = run.runtime.settings.bulk_max_rows

    def execute(self) -> None:
        self.resource.check("list", self.ctx)
        job = self.run.job
        if job.get("phase") != "emit":
            if not self._read():
                return
        if not self.native_order:
            sorting.emit(self.run, self.plan.order, self.resource.get, self.renderer)
        self.run.finish()

    def _read(self) -> bool:
        """Page through the matching rows from the checkpoint on; False when stopped."""
        job = self.run.job
        cursor = job.get("cursor") or ""
        columns: list[str] = list(job.get("columns") or [])
        kept_so_far = int(job.get("recordsCount") or 0)
        target = "chunks" if self.native_order else "staged"
        while True:
            after = int(cursor) if cursor else None
            calls_before = self.run.calls()
            page = self.run.client.query_page(
                self.resource.entity,
                self._with_cursor(after),
                fields=self.plan.include_fields,
                max_records=UPSTREAM_PAGE,
            )
            records, failed = self._records(page.items)
            if kept_so_far + len(records) > self.max_rows:
                self.run.fail(
                    "ERROR",
                    f"The query matches more than BULK_MAX_ROWS ({self.max_rows}) rows; "
                    "narrow the where clause",
                )
                return False
            new_cursor = str(page.items[-1]["id"]) if page.items else cursor
            if self.native_order:
                columns = codec.columns_of(records, columns)
            applied = self.run.checkpoint(
                expected=cursor,
                new=new_cursor,
                blob=codec.pack(records) if records else b"",
                add={
                    "recordsCount": len(records) if self.native_order else 0,
                    "stagedCount": len(records),
                    "recordsFailedCount": len(failed),
                    "upstreamCalls": self.run.calls() - calls_before,
                },
                set_fields={"columns": columns} if self.native_order else {},
                errors=failed,
                target=target,
            )
            if not applied:
                return False  # cancelled, or another worker took over
            cursor = new_cursor
            kept_so_far += len(records)
            if not page.has_more or not page.items:
                return True

    def _with_cursor(self, after: int | None) -> list[dict[str, Any]]:
        upstream = list(self.plan.filter)
        if after is not None:
            return [*upstream, filters.condition(filters.GT, "id", after)]
        return upstream or [ALL_ROWS]

    def _records(self, items: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
        """The page's kept records (rendered when no sort follows) and the rows that failed."""
        kept: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for item in items:
            try:
                record = self.resource.to_record(item, self.ctx)
                if self.plan.residual is not None and not ceql.evaluate(
                    self.plan.residual, record, self.resource.get
                ):
                    continue
            except (BadRequestError, ValueError, TypeError) as exc:
                failed.append({"id": item.get("id"), "message": str(exc)})
                continue
            kept.append(self.renderer.record(record) if self.native_order else record)
        return kept, failed
