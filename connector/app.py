"""The application factory: `gunicorn 'connector.app:create_app()'`."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, g, request

from connector import logging_setup, request_ids
from connector.api import BASE_PATH, cors, register_blueprints
from connector.api import errors as api_errors
from connector.api.allow import allowed_methods
from connector.api.fast_path import REQUEST_ID_KEY, STARTED, FastPath
from connector.api.json_body import BoundedJSONProvider, JsonBodyRequest
from connector.api.params import INSTANCE_ID, REQUEST_ID
from connector.config import Settings
from connector.observability import metrics
from connector.observability.routes import route_label
from connector.storage import redis_conn


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app from `config` (Settings, or overrides of the environment's settings)."""
    if isinstance(config, Settings):
        settings = config
    else:
        settings = Settings.from_env(**(config or {}))

    logging_setup.configure(settings.log_format, settings.log_level)
    app = Flask(__name__)
    app.request_class = JsonBodyRequest  # a body that is not JSON: a 400 with line and column
    app.config["SETTINGS"] = settings
    # a larger body is a 413 before it is read; bulk uploads set their own (BULK_MAX_UPLOAD_BYTES)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.json = BoundedJSONProvider(app)
    app.json.sort_keys = False  # keep documented field order in answers
    redis_conn.init_app(app)
    api_errors.register(app)
    _install_request_hooks(app)
    register_blueprints(app)
    cors.init_app(app, BASE_PATH, settings.cors_origins)
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        # a request the fast path looked at first keeps the id and clock it started with
        g.request_id = request.environ.get(REQUEST_ID_KEY) or request_ids.next_id()
        g.started = request.environ.get(STARTED) or time.perf_counter()

    @app.after_request
    def _finish(response):
        if "Allow" in response.headers and response.status_code in (200, 405):
            # the automatic OPTIONS answer and 405s: only the methods this path accepts
            methods = allowed_methods(app, request.path, request.environ)
            if methods:
                response.headers["Allow"] = ", ".join(methods)
        request_id = getattr(g, "request_id", None) or request_ids.next_id()
        response.headers[REQUEST_ID] = request_id
        started = getattr(g, "started", None)
        seconds = time.perf_counter() - started if started else 0.0
        status = response.status_code
        metrics.observe_request(request.method, route_label(request.url_rule), status, seconds)
        metrics.count_cache(response.headers.get("Elements-Cache", ""))
        logging_setup.log_request(
            request.method,
            _logged_path(),
            status,
            seconds * 1000,
            request_id,
            instance_id=_instance_id(response),
            error=getattr(g, "error", None),
        )
        return response


def _logged_path() -> str:
    """The path, without the hook id of an Autotask callout (it routes callouts to an
    instance, so it stays out of logs like any other secret)."""
    hook = (request.view_args or {}).get("hook_id")
    return (
        request.path.replace(hook, "{hookId}") if isinstance(hook, str) and hook else request.path
    )


def _instance_id(response) -> int | None:
    """The instance the request was about: the token's (hub calls), else /instances/{id}'s."""
    caller = getattr(g, "caller", None)
    instance = getattr(caller, "instance", None)
    if instance is not None:
        return instance.id
    header = response.headers.get(INSTANCE_ID)
    if header and header.isdigit():
        return int(header)
    found = (request.view_args or {}).get("instance_id")
    return found if isinstance(found, int) else None
