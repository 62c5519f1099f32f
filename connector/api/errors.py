"""One error shape for every failure: `{"message", "requestId", "providerMessage"}`.

Registered once for our error tree, for every Werkzeug HTTPException (404, 405, malformed
JSON, ...), for any Redis failure (a 503 with Retry-After and one log line, no traceback) and
for anything unexpected, which is logged with its request id and answered as a bare 500: no
stack trace, exception text or secret reaches the client.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, Response, g, jsonify
from werkzeug.exceptions import HTTPException

from connector.errors import ConnectorError, StorageUnavailableError, clipped
from connector.storage.full import is_storage_full

log = logging.getLogger("connector.errors")

_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}
_HTTP_MESSAGES = {
    400: "The request could not be understood: {detail}",
    404: "No resource at this path; the routes this service serves are listed at {docs}/docs "
    "(and in {docs}/openapi.yaml)",
    405: "This path does not accept the {method} method",
    413: "The request body is too large",
    415: "Send the body as application/json",
}


def error_response(
    status: int,
    message: str,
    provider_message: str | None = None,
    headers: dict[str, str] | None = None,
    code: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> Response:
    message = clipped(message)
    provider_message = clipped(provider_message) if provider_message is not None else None
    # the request log line names what the client was told (see connector.app)
    g.error = (code or f"http_{status}", message)
    body = {
        "message": message,
        "requestId": getattr(g, "request_id", None),
        "providerMessage": provider_message,
    }
    if errors:
        body["errors"] = errors  # a validation 400: every problem, not only the first
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _connector_error(exc: ConnectorError) -> Response:
    if isinstance(exc, StorageUnavailableError) and is_storage_full(exc):
        return _storage_full()
    if exc.status >= 500:
        log.warning(
            "request %s failed: %s (%s)", getattr(g, "request_id", "-"), exc.code, exc.message
        )
    return error_response(
        exc.status, exc.message, exc.provider_message, exc.headers, exc.code, exc.errors
    )


def _http_error(exc: HTTPException) -> Response:
    from flask import request

    status = exc.code or 500
    template = _HTTP_MESSAGES.get(status)
    if template:
        detail = (exc.description or "").rstrip(".")
        message = template.format(method=request.method, detail=detail, docs=_docs_url())
    else:
        message = exc.name
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return error_response(status, message, None, headers, _HTTP_CODES.get(status))


def _docs_url() -> str:
    from flask import request

    from connector.api import BASE_PATH

    return f"{request.script_root}{BASE_PATH}"


def _storage_error(exc: redis.RedisError) -> Response:
    """Redis down, failing or full, wherever it surfaced: one log line (no traceback), a 503
    the client may retry; the pooled client reconnects by itself once Redis answers again,
    and a full Redis takes writes again once its caches' entries expire or an operator makes
    room (it evicts nothing by itself: see connector/storage/full.py)."""
    if is_storage_full(exc):
        return _storage_full()
    return _connector_error(
        StorageUnavailableError(
            f"Storage (Redis) does not answer ({type(exc).__name__}); retry after the "
            "Retry-After seconds"
        )
    )


def _storage_full() -> Response:
    full = StorageUnavailableError(
        "Storage (Redis) is full: it refuses new writes until room is made; retry after the "
        "Retry-After seconds"
    )
    full.code = "storage_full"
    return _connector_error(full)


def _unexpected_error(exc: Exception) -> Response:
    log.exception("unhandled error in request %s", getattr(g, "request_id", "-"))
    return error_response(
        500, "Internal error; quote the requestId when reporting it", code="internal_error"
    )


def register(app: Flask) -> None:
    app.register_error_handler(ConnectorError, _connector_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(redis.RedisError, _storage_error)
    app.register_error_handler(Exception, _unexpected_error)
