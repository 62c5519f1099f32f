"""/hubs/{any hub}/bulk/...: bulk downloads and uploads of the Element token's instance.

    POST   /hubs/crm/bulk/query?q=select ... from ...   a download job (or a JSON body)
    POST   /hubs/crm/bulk/{resource}                     an upload job (multipart file, metaData)
    GET    /hubs/crm/bulk/jobs                           the instance's jobs
    GET    /hubs/crm/bulk/{id}/status                    progress
    GET    /hubs/crm/bulk/{id}/errors                    rows that failed
    GET    /hubs/crm/bulk/{id}/{resource}                the result: NDJSON or CSV, gzip if asked
    DELETE /hubs/crm/bulk/{id}                           cancel a running job, delete an ended one
The static `bulk` segment outranks the hub's `/{resource}/{id}` rules, and no resource is
named `bulk`. Thin: parse, call `BulkService`, answer.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from connector.api.context import element_caller
from connector.api.deps import bulk, thread_share
from connector.api.params import INSTANCE_ID
from connector.api.thread_share import enter_once, leave_request
from connector.bulk import query as bulk_query
from connector.bulk.service import BulkService
from connector.errors import AuthenticationError, BadRequestError, ConnectorError

bp = Blueprint("bulk", __name__)
BASE = "/hubs/<hub>/bulk"  # any hub segment: the token picks the instance
JOB = "<int(max=9223372036854775807):job_id>"
CALLBACK = "Elements-Async-Callback-Url"
DEFAULT_ERRORS_PAGE = 200
MAX_ERRORS_PAGE = 500


class NotAcceptableError(ConnectorError):
    status = 406
    code = "not_acceptable"


def _service() -> BulkService:
    return BulkService(bulk())


def _hub():
    caller = element_caller()
    if caller.instance is None:  # element_caller refuses a token of no instance already
        raise AuthenticationError("Unknown or deleted instance token")
    enter_once(thread_share(), caller.instance)  # a job's start may read Autotask metadata
    return bulk().hub(caller.instance)


@bp.teardown_request
def _leave_thread_share(_exc: BaseException | None) -> None:
    leave_request(thread_share())


def _instance_id() -> int:
    caller = element_caller()
    return int(caller.instance.id)  # type: ignore[union-attr]


def _json(body, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post(f"{BASE}/query")
def start_download(hub: str):
    the_hub = _hub()
    text = request.args.get("q")
    if text is not None:
        parsed = bulk_query.parse_q(text)
    else:
        body = request.get_json(silent=True)
        parsed = bulk_query.parse_body(body)
    answer = _service().start_download(the_hub, parsed, request.headers.get(CALLBACK))
    response = _json(answer)
    response.headers[INSTANCE_ID] = str(the_hub.instance.id)
    return response


@bp.post(f"{BASE}/<name>")
def start_upload(hub: str, name: str):
    the_hub = _hub()
    settings = current_app.config["SETTINGS"]
    request.max_content_length = settings.bulk_max_upload_bytes  # this route's own limit
    upload = request.files.get("file")
    if upload is None:
        raise BadRequestError("Send the rows as the multipart part `file` (CSV, JSON or NDJSON)")
    data = upload.stream.read(settings.bulk_max_upload_bytes + 1)
    if len(data) > settings.bulk_max_upload_bytes:
        raise BadRequestError(
            f"The file is over BULK_MAX_UPLOAD_BYTES ({settings.bulk_max_upload_bytes})"
        )
    raw_meta = request.form.get("metaData")
    if raw_meta is None and "metaData" in request.files:
        raw_meta = request.files["metaData"].read(65536).decode("utf-8", "replace")
    try:
        metadata = json.loads(raw_meta) if raw_meta not in (None, "") else None
    except ValueError:
        raise BadRequestError('metaData must be JSON, e.g. {"identifierFieldName": "id"}') from None
    answer = _service().start_upload(
        the_hub,
        name,
        data,
        filename=upload.filename,
        content_type=upload.mimetype,
        metadata=metadata,
        callback=request.headers.get(CALLBACK),
    )
    return _json(answer)


@bp.get(f"{BASE}/jobs")
def list_jobs(hub: str):
    return _json(_service().jobs(_instance_id()))


@bp.get(f"{BASE}/{JOB}/status")
def job_status(hub: str, job_id: int):
    return _json(_service().status(_instance_id(), job_id))


@bp.get(f"{BASE}/{JOB}/errors")
def job_errors(hub: str, job_id: int):
    offset = _whole(request.args.get("nextPage"), 0, "nextPage")
    size = _whole(request.args.get("pageSize"), DEFAULT_ERRORS_PAGE, "pageSize")
    if not 1 <= size <= MAX_ERRORS_PAGE:
        raise BadRequestError(f"pageSize must be from 1 to {MAX_ERRORS_PAGE}")
    errors, total = _service().errors(_instance_id(), job_id, offset, size)
    response = _json(errors)
    response.headers["Elements-Returned-Count"] = str(len(errors))
    response.headers["Elements-Total-Count"] = str(total)
    if offset + len(errors) < total:
        response.headers["Elements-Next-Page-Token"] = str(offset + len(errors))
    return response


@bp.get(f"{BASE}/{JOB}/<name>")
def job_result(hub: str, job_id: int, name: str):
    fmt = _format(request.headers.get("Accept"))
    wants_gzip = "gzip" in (request.headers.get("Accept-Encoding") or "").lower()
    pieces = _service().result(_instance_id(), job_id, name, fmt, wants_gzip)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(pieces), mimetype=mimetype)
    if wants_gzip:
        response.headers["Content-Encoding"] = "gzip"
    extension = "csv" if fmt == "csv" else "ndjson"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{job_id}.{extension}"'
    return response


@bp.delete(f"{BASE}/{JOB}")
def end_job(hub: str, job_id: int):
    return _json(_service().cancel_or_delete(_instance_id(), job_id))


def _format(accept: str | None) -> str:
    wanted = [part.split(";")[0].strip().lower() for part in (accept or "*/*").split(",")]
    for kind in wanted:
        if kind == "text/csv":
            return "csv"
        if kind in ("application/json", "application/x-ndjson", "application/*", "*/*", ""):
            return "ndjson"
    raise NotAcceptableError("A bulk result is application/json (NDJSON) or text/csv")


def _whole(raw: str | None, default: int, name: str) -> int:
    if raw in (None, ""):
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise BadRequestError(f"{name} must be a whole number")
    return int(raw)
