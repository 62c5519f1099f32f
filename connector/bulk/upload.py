"""The upload job: rows written through the hub's maps and write path, each one reported.

Rows are handled in batches of 500. With an `identifierFieldName`, one `in` query per batch
finds the records the rows match (pushed down like any CEQL; paged on by id if a value
matches many): no match creates, one match updates (or leaves an equal record unchanged),
several are the row's error. The row number is the checkpoint, moved with each row's result
in one step. Before a create the job marks the row; a job resumed on a marked row (its
worker died after sending the create, maybe before the answer) looks the record up first
and reports it created instead of creating it again. A create whose answer was lost is
looked up the same way before it is sent again.
"""

from __future__ import annotations

import logging
from typing import Any

from connector.bulk import codec, lookup
from connector.bulk.runtime import TRANSIENT, JobRun
from connector.errors import ConnectorError, ProviderError

log = logging.getLogger("connector.bulk")

BATCH = 500


def run_upload(job_id: int) -> None:
    """RQ job: run (or resume) bulk upload `job_id`.

    Idempotent: rows before the checkpoint are never written again; a row marked as being
    created is looked up before any create is sent for it."""
    with JobRun.start(job_id, "upload") as run:
        if run is not None:
            Upload(run).execute()


class Upload:
    def __init__(self, run: JobRun) -> None:
        self.run = run
        self.hub = run.hub
        self.ctx = run.hub.ctx
        self.resource = run.hub.resource(run.job["resource"])
        self.identifier: str | None = (run.job.get("metaData") or {}).get("identifierFieldName")
        self.by_id = (self.identifier or "").lower() == "id"
        self.finder = lookup.Finder(self.resource, self.ctx, run.client, self.identifier)

    def execute(self) -> None:
        done = int(self.run.job.get("row") or 0)
        for index, blob in enumerate(self.run.store.blobs(self.run.id, "input", done // BATCH)):
            rows = list(codec.records(blob))[done % BATCH if index == 0 else 0 :]
            if not self._batch(rows):
                return
            done = int(self.run.job.get("row") or 0)
        self.run.finish()

    def _batch(self, rows: list[dict[str, Any]]) -> bool:
        calls = self.run.calls()
        matches = self.finder.find([r["data"] for r in rows if "data" in r])
        lookup_calls = self.run.calls() - calls
        for row in rows:
            calls = self.run.calls()
            result = self._row(row, matches)
            spent = self.run.calls() - calls + lookup_calls
            lookup_calls = 0
            if not self._record(row["row"], result, spent):
                return False
        return True

    def _row(self, row: dict[str, Any], matches: lookup.Matches) -> dict[str, Any]:
        number = row["row"]
        if "error" in row:
            return {"row": number, "status": "error", "message": row["error"]}
        data = row["data"]
        marked = int(self.run.job.get("creating") or 0) == number
        try:
            key = self.finder.key_of(data)
            found = matches.get(key, []) if key is not None else []
            if self.by_id:
                data = {k: v for k, v in data.items() if k.lower() != "id"}  # read-only
                if not found:
                    text = f"No record with id {key}" if key is not None else "The row has no id"
                    return {"row": number, "status": "error", "message": text}
            if marked and not found:
                found = self.finder.created_like(data, self._vendor(data, partial=False))
                if found:
                    return self._created(number, found[-1], key, matches)
            if len(found) > 1:
                ids = ", ".join(str(f["id"]) for f in found[:5])
                return {
                    "row": number,
                    "status": "error",
                    "message": f"{self.identifier} '{key}' matches {len(found)} records ({ids})",
                }
            if found:
                outcome = self._update(found[0], data)
                if marked:
                    outcome["status"] = "created"  # its create went out before a restart
                return {"row": number, **outcome}
            return self._create(number, data, key, matches)
        except TRANSIENT:
            raise  # the job pauses and resumes here; not this row's fault
        except ConnectorError as exc:
            message = exc.provider_message if isinstance(exc, ProviderError) else None
            return {"row": number, "status": "error", "message": message or str(exc)}

    def _vendor(self, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        return self.resource.to_vendor(data, self.ctx, partial=partial)

    def _create(self, number: int, data: dict, key: Any, matches: lookup.Matches) -> dict:
        self.resource.check("create", self.ctx)
        vendor = self._vendor(data, partial=False)
        self.run.store.update(self.run.id, creating=number)
        self.run.job["creating"] = number
        parent_field = self.resource.parent_field()
        parent_id = vendor.get(parent_field) if parent_field else None
        try:
            created = self.run.client.create(
                self.resource.entity, vendor, parent_id=parent_id, read_back=False
            )
        except ProviderError as exc:
            if not lookup.may_have_run(exc):
                raise
            found = self.finder.created_like(data, vendor)  # its answer was lost: did it run?
            if found:
                return self._created(number, found[-1], key, matches)
            created = self.run.client.create(
                self.resource.entity, vendor, parent_id=parent_id, read_back=False
            )
        self.hub.cache.invalidate(self.resource.entity, created.get("id"))
        return self._created(number, {**vendor, **created}, key, matches)

    def _created(self, number: int, vendor: dict, key: Any, matches: lookup.Matches) -> dict:
        if key is not None:
            matches.setdefault(key, []).append(vendor)  # a later row with this key updates it
        return {"row": number, "status": "created", "id": vendor.get("id")}

    def _update(self, existing: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        self.resource.check("update", self.ctx)
        vendor = self._vendor(data, partial=True)
        vendor.pop("id", None)
        record_id = int(existing["id"])
        if lookup.same(vendor, existing):
            return {"status": "unchanged", "id": record_id}
        parent_field = self.resource.parent_field()
        parent_id = vendor.get(parent_field) or (
            existing.get(parent_field) if parent_field else None
        )
        try:
            self.run.client.update(
                self.resource.entity,
                {**vendor, "id": record_id},
                parent_id=parent_id,
                read_back=False,
            )
        finally:
            self.hub.cache.invalidate(self.resource.entity, record_id)
        existing.update(vendor)  # a later row with the same key compares with what is stored
        return {"status": "updated", "id": record_id}

    def _record(self, number: int, result: dict[str, Any], calls: int) -> bool:
        counter = {
            "created": "createdCount",
            "updated": "updatedCount",
            "unchanged": "unchangedCount",
            "error": "recordsFailedCount",
        }[result["status"]]
        add = {counter: 1, "upstreamCalls": calls}
        if result["status"] != "error":
            add["recordsCount"] = 1
        return self.run.checkpoint(
            position="row",
            expected=str(number - 1) if number > 1 else self.run.job.get("row") or "",
            new=str(number),
            blob=codec.pack([result]),
            add=add,
            set_fields={"creating": 0},
            errors=[result] if result["status"] == "error" else [],
            target="chunks",
        )
