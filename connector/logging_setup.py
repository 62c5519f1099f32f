"""Logging: one line per request, plain text or JSON (`LOG_FORMAT=json`).

Request lines carry method, path (never the query string, which may hold tokens), status,
duration and request id, the instance id (never its token) when one was called, and for a
4xx or 5xx the error code and the message the client was sent. Headers are never logged, so
no Authorization value can leak. Control characters (and Unicode line separators) in what a
client sent are escaped as `\\xNN`/`\\uNNNN`, in the path and in every text-format message, so
`%0A` in a URL cannot forge a log line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

REQUEST_LOGGER = "connector.requests"
_FIELDS = (
    "method",
    "path",
    "status",
    "durationMs",
    "requestId",
    "instanceId",
    "errorCode",
    "errorMessage",
)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """`text` with every control character written out, so it stays on one line."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (gunicorn and pytest both swap it)."""

    _connector = True

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        message = record.message
        record.message = escape_controls(message)
        try:
            return super().formatMessage(record)
        finally:
            record.message = message


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Install one stderr handler on the `connector` logger tree (idempotent)."""
    root = logging.getLogger("connector")
    root.setLevel(level.upper())
    formatter = JsonFormatter() if log_format.lower() == "json" else TextFormatter()
    handler = next((h for h in root.handlers if getattr(h, "_connector", False)), None)
    if handler is None:
        handler = _StderrHandler()
        root.addHandler(handler)
    handler.setFormatter(formatter)


def log_request(
    method: str,
    path: str,
    status: int,
    duration_ms: float,
    request_id: str,
    *,
    instance_id: int | None = None,
    error: tuple[str, str] | None = None,
) -> None:
    path = escape_controls(path)
    extra: dict[str, object] = {
        "method": method,
        "path": path,
        "status": status,
        "durationMs": round(duration_ms, 1),
        "requestId": request_id,
    }
    text = "%s %s %s %.1fms %s"
    args: list[object] = [method, path, status, duration_ms, request_id]
    if instance_id is not None:
        extra["instanceId"] = instance_id
        text += " instance=%s"
        args.append(instance_id)
    if error is not None and status >= 400:
        extra["errorCode"], extra["errorMessage"] = error
        text += " error=%s %s"
        args += [error[0], json.dumps(error[1])]
    logging.getLogger(REQUEST_LOGGER).info(text, *args, extra=extra)
