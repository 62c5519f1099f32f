"""The rules of bulk jobs for one instance: start, watch, read, cancel, delete (no Flask here).

Everything a request can get wrong is refused here, before a job exists: the query (parsed
and planned as the hub plans a listing, so unknown fields and labels are named), the size
(one Autotask count when the whole filter goes to Autotask), the file, the identifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connector.autotask import filters
from connector.bulk import codec, held, queueing, upload_input, views
from connector.bulk.query import BulkQuery
from connector.bulk.runtime import Runtime
from connector.bulk.store import TERMINAL, now_iso
from connector.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    ValidationError,
    listed,
)
from connector.hub.listing import ListQuery, plan

RESULT_COLUMNS = ["row", "status", "id", "message"]
MAX_URL = 2048


class BulkService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.settings = runtime.settings

    # -- starting ---------------------------------------------------------------------------
    def start_download(self, hub: Any, query: BulkQuery, callback: str | None) -> dict[str, Any]:
        """A new job, or a 409 before anything is sent when the instance holds MAX_JOBS_HELD."""
        with held.place(self.store, hub.instance.id) as place:
            return self._start_download(hub, query, callback, place)

    def _start_download(
        self, hub: Any, query: BulkQuery, callback: str | None, place: held.HeldPlace
    ) -> dict[str, Any]:
        resource = _resource(hub, query.resource)
        resource.check("list", hub.ctx)
        the_plan = plan(
            resource,
            ListQuery(where=query.where, order_by=query.order_by, fields=query.fields),
            hub.ctx,
        )
        _known_fields(resource, [*(query.fields or []), *(f for f, _ in the_plan.order)], hub.ctx)
        total = None
        if the_plan.residual is None:
            total = hub.client.count(
                resource.entity, the_plan.filter or [filters.condition(filters.GTE, "id", 0)]
            )
            if total > self.settings.bulk_max_rows:
                raise BadRequestError(
                    f"The query matches {total} rows; a bulk job reads at most BULK_MAX_ROWS "
                    f"({self.settings.bulk_max_rows}): narrow the where clause"
                )
        fields = {
            "kind": "download",
            "resource": query.resource,
            "query": query.to_json(),
            "callbackUrl": _callback(callback, self.settings),
            "upstreamCalls": hub.client.stats.calls if hub.ctx._client is not None else 0,
        }
        if total is not None:
            fields["totalCount"] = total
        place.confirm()  # the count may have outlasted the place's claim
        return self._enqueue(hub.instance.id, fields)

    def start_upload(self, hub: Any, name: str, data: bytes, **given: Any) -> dict[str, Any]:
        with held.place(self.store, hub.instance.id) as place:
            return self._start_upload(hub, name, data, place=place, **given)

    def _start_upload(
        self,
        hub: Any,
        name: str,
        data: bytes,
        *,
        place: held.HeldPlace,
        filename: str | None,
        content_type: str | None,
        metadata: Any,
        callback: str | None,
    ) -> dict[str, Any]:
        resource = _resource(hub, name)
        resource.check("create", hub.ctx)
        identifier = _identifier(resource, metadata, hub.ctx)
        parsed = upload_input.read(data, filename, content_type, self.settings.bulk_max_rows)
        if parsed.format == "csv":
            described = resource.describe(hub.ctx)
            unknown = upload_input.unknown_columns(parsed.columns, [d["path"] for d in described])
            if unknown:
                raise BadRequestError(
                    f"The CSV names column(s) {listed(unknown)} that {name} does not have"
                )
            _coerce(parsed.rows, described)
        fields = {
            "kind": "upload",
            "resource": name,
            "metaData": {"identifierFieldName": identifier} if identifier else {},
            "callbackUrl": _callback(callback, self.settings),
            "fileFormat": parsed.format,
            "fileRows": len(parsed.rows),
            "totalCount": len(parsed.rows),
            "columns": RESULT_COLUMNS,
            "upstreamCalls": hub.client.stats.calls if hub.ctx._client is not None else 0,
        }
        place.confirm()  # the metadata reads and the parse may have outlasted the claim
        job_id = self.store.create(hub.instance.id, {**fields, "status": "STAGING"})
        for start in range(0, len(parsed.rows), 500):
            self.store.add_blob(job_id, "input", codec.pack(parsed.rows[start : start + 500]))
        self.store.update(job_id, status="CREATED")
        queueing.enqueue_job(self.runtime, "upload", job_id)
        return {"id": job_id, "status": "CREATED"}

    def _enqueue(self, instance_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        job_id = self.store.create(instance_id, fields)
        queueing.enqueue_job(self.runtime, fields["kind"], job_id)
        return {"id": job_id, "status": "CREATED"}

    # -- reading ----------------------------------------------------------------------------
    def job(self, instance_id: int, job_id: int) -> dict[str, Any]:
        job = self.store.get(job_id)
        if job is None or int(job["instanceId"]) != int(instance_id):
            raise NotFoundError(f"No bulk job {job_id}")  # another tenant's job does not exist
        return job

    def status(self, instance_id: int, job_id: int) -> dict[str, Any]:
        return views.status(self.job(instance_id, job_id))

    def jobs(self, instance_id: int) -> list[dict[str, Any]]:
        found = (self.store.get(i) for i in self.store.list_ids(instance_id))
        return [views.status(job) for job in found if job is not None]

    def errors(self, instance_id: int, job_id: int, offset: int, size: int) -> tuple[list, int]:
        self.job(instance_id, job_id)
        return self.store.errors(job_id, offset, size), self.store.error_count(job_id)

    def result(
        self, instance_id: int, job_id: int, name: str, fmt: str, gzip: bool
    ) -> Iterator[bytes]:
        job = self.job(instance_id, job_id)
        if name.lower() != str(job["resource"]).lower():
            raise NotFoundError(f"Bulk job {job_id} is of {job['resource']}, not {name}")
        if job["status"] not in TERMINAL:
            raise ConflictError(
                f"Bulk job {job_id} is {job['status']}; its result comes once it ends"
            )
        blobs = self.store.blobs(job_id)
        if fmt == "csv":
            pieces = codec.csv_lines(list(job.get("columns") or []), blobs)
            return codec.gzipped(pieces) if gzip else pieces
        return blobs if gzip else codec.ndjson_lines(blobs)  # stored chunks are gzip members

    # -- ending -----------------------------------------------------------------------------
    def cancel_or_delete(self, instance_id: int, job_id: int) -> dict[str, Any]:
        job = self.job(instance_id, job_id)
        if job["status"] not in TERMINAL:
            if self.store.transition(
                job_id,
                ("CREATED", "RUNNING", "STAGING"),
                "CANCELLED",
                endDate=now_iso(),
                statusMessage="Cancelled by the client",
            ):
                return views.status(self.job(instance_id, job_id))
        self.store.delete(job_id, instance_id)
        return {"id": job_id, "deleted": True}


def _resource(hub: Any, name: str) -> Any:
    try:
        return hub.resource(name)
    except NotFoundError as exc:
        raise BadRequestError(str(exc)) from None


def _known_fields(resource: Any, names: list[str], ctx: Any) -> None:
    if not names:
        return
    if resource.kind == "native":
        known = {f["name"].lower() for f in ctx.fields(resource.entity)}
        known |= {n.lower() for n in ctx.udf_names(resource.entity)}
        unknown = [n for n in names if n.split(".")[0].lower() not in known]
        if unknown:
            raise ValidationError(f"Unknown field(s) {listed(unknown)} for {resource.entity}")
        return
    resource.vendor_fields(names)  # names an unknown field in a ValidationError


def _identifier(resource: Any, metadata: Any, ctx: Any) -> str | None:
    if metadata in (None, {}):
        return None
    if not isinstance(metadata, dict):
        raise BadRequestError("metaData must be a JSON object")
    unknown = set(metadata) - {"identifierFieldName"}
    if unknown:
        raise BadRequestError(f"Unknown metaData key(s): {listed(sorted(unknown))}")
    name = metadata.get("identifierFieldName")
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip():
        raise BadRequestError("identifierFieldName must be a field name")
    try:
        resource.translate(name, filters.IN, [], ctx)
    except filters.NotPushable:
        raise BadRequestError(
            f"identifierFieldName {name} cannot be looked up in Autotask; choose a field "
            "Autotask filters on"
        ) from None
    return name


def _callback(url: str | None, settings: Any) -> str | None:
    if url is None or not url.strip():
        return None
    from connector.bulk.callback import check_url

    if len(url) > MAX_URL:
        raise BadRequestError(f"Elements-Async-Callback-Url is longer than {MAX_URL} characters")
    return check_url(url.strip(), settings)


_CONVERT = {
    "integer": int,
    "number": float,
    "boolean": lambda v: {"true": True, "1": True, "false": False, "0": False}[v.strip().lower()],
}


def _coerce(rows: list[dict[str, Any]], described: list[dict[str, Any]]) -> None:
    """CSV cells are text: give the typed fields their type (a cell that does not convert
    stays text, and the row's validation names it)."""
    types = {}
    for row in described:
        kind = {"intBoolean": "boolean"}.get(row.get("type"), row.get("type"))
        if kind in _CONVERT and row.get("path"):
            types[row["path"]] = _CONVERT[kind]
    for row in rows:
        data = row.get("data")
        if isinstance(data, dict):
            for path, convert in types.items():
                if "." not in path and isinstance(data.get(path), str):
                    try:
                        data[path] = convert(data[path])
                    except (ValueError, KeyError):
                        pass
