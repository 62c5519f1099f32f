"""The request pipeline every Autotask call goes through.

route -> credentials -> (faults, thread slot, hourly count: one transaction) -> fault effects
-> threshold latency -> handler -> (slot release, request log: one transaction).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, jsonify, request

from connector.sandbox import faults, limits, requestlog
from connector.sandbox.auth import Caller, authenticate
from connector.sandbox.errors import THREAD_LIMIT, UNEXPECTED, SandboxError, autotask_error
from connector.sandbox.handlers import RequestContext
from connector.sandbox.routes import Route, resolve
from connector.sandbox.settings import DEFAULTS
from connector.sandbox.values import now_text

log = logging.getLogger(__name__)


class DroppedConnection(Exception):  # noqa: N818 - a control signal, never shown to a client
    """A `drop` fault closed the socket: there is nobody left to answer."""


def _json_body() -> Any:
    if not request.data:
        return None
    try:
        return request.get_json(force=True, silent=False)
    except Exception:
        return None


def _drop_connection() -> None:
    """Reset the client's connection (RST), as a dying upstream would."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
    raise DroppedConnection()


def _apply_faults(hits: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    delay = sum(float(h.get("seconds", 0)) for h in hits if h["kind"] == "latency")
    if delay:
        time.sleep(delay)
    for hit in hits:
        if hit["kind"] == "drop":
            _drop_connection()
    for hit in hits:
        if hit["kind"] == "rate_limit":
            headers = {}
            if hit.get("retry_after") is not None:
                headers["Retry-After"] = str(hit["retry_after"])
            limit = settings.get("thread_limit") or DEFAULTS["thread_limit"]
            error = autotask_error(
                hit.get("message") or THREAD_LIMIT.format(limit=limit), status=429
            )
            error.headers = headers
            raise error
        if hit["kind"] == "error":
            raise autotask_error(
                hit.get("message") or UNEXPECTED,
                status=int(hit.get("status", 500)),
            )


@dataclass
class _Call:
    """What one request has gathered so far, for the answer and for the log."""

    started: float
    body: Any
    settings: dict[str, Any] = field(default_factory=dict)
    route: Route | None = None
    caller: Caller | None = None
    admission: limits.Admission | None = None


def handle_api(path: str) -> Response:
    runtime = current_app.extensions["sandbox"]
    call = _Call(started=time.perf_counter(), body=_json_body())
    try:
        response = _respond(runtime, call)
        status = response.status_code
    except DroppedConnection:
        response, status = Response(b"", status=500, headers={"Connection": "close"}), 0
    _finish(runtime, call, status)
    return response


def _respond(runtime, call: _Call) -> Response:
    store = runtime.store
    pending: SandboxError | None = None
    try:
        with store.read() as conn:
            call.settings = store.config_values(conn)
            call.route = resolve(runtime.catalog, request.method, request.path, request.url)
            if call.route.auth:
                call.caller = authenticate(conn, call.settings, request.headers)
    except SandboxError as error:
        pending = error
    except Exception:  # answered like any other failure: JSON, never Flask's HTML page
        log.exception("sandbox request failed: %s %s", request.method, request.path)
        pending = autotask_error(UNEXPECTED)
    try:
        with store.write() as conn:
            hits = faults.consume(conn, request.path, request.method)
            if pending is None and call.route.endpoint and call.caller is not None:
                key = f"{call.caller.integration_code.upper()}|{call.route.endpoint}"
                try:
                    call.admission = limits.admit(conn, call.settings, key)
                except SandboxError as error:
                    pending = error
        _apply_faults(hits, call.settings)
        if pending is not None:
            raise pending
        if call.admission is not None and call.admission.latency:
            time.sleep(call.admission.latency)
        ctx = RequestContext(
            runtime=runtime,
            settings=call.settings,
            base_url=runtime.base_url(request),
            method=request.method,
            args=request.args,
            body=call.body,
            caller=call.caller,
            request_count=call.admission.count if call.admission else 0,
        )
        answer = call.route.handler(ctx, **call.route.args)
    except SandboxError as error:
        response = jsonify(error.body())
        response.status_code = error.status
        response.headers.update(error.headers)
        return response
    except DroppedConnection:
        raise
    except Exception:
        log.exception("sandbox request failed: %s %s", request.method, request.path)
        response = jsonify({"errors": [UNEXPECTED]})
        response.status_code = 500
        return response
    if isinstance(answer, Response):
        return answer
    response = jsonify(answer[1])
    response.status_code = answer[0]
    return response


def _finish(runtime, call: _Call, status: int) -> None:
    caller, route = call.caller, call.route
    args = {key: (values if len(values) > 1 else values[0]) for key, values in request.args.lists()}
    with runtime.store.write() as conn:
        if call.admission is not None:
            limits.release(conn, call.admission.slot_id)
        requestlog.record(
            conn,
            {
                "time": now_text(),
                "method": request.method,
                "path": request.path,
                "args": args,
                "body": call.body,
                "status": status,
                "integration_code": caller.integration_code
                if caller
                else request.headers.get("ApiIntegrationCode"),
                "username": caller.username if caller else request.headers.get("UserName"),
                "impersonation": request.headers.get("ImpersonationResourceId"),
                "endpoint": route.endpoint if route else None,
                "duration_ms": round((time.perf_counter() - call.started) * 1000, 3),
                "added_latency": call.admission.latency if call.admission else 0.0,
            },
            int(call.settings.get("request_log_limit") or 10000),
        )
