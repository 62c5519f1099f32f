"""A short way for the hottest call: GET of one record, with no query string.

Integrations poll records. Flask's own request machinery (context, routing, hooks, the
Response object) cost about a third of what the connector added to an uncached read, and
more than a cached answer itself. This WSGI layer answers those reads directly, deciding with
the same functions the Flask route uses (parse_authorization, authorize, the registry,
record_shape, the thread share, `Hub.get`):

- a record this worker holds a fresh cached copy of is sent from the copy (the cache's local
  copies, which every process drops the moment anything they copy changes);
- otherwise, for a normalized resource, `Hub.get` reads it (cache, then Autotask) and a
  success is sent from here. Anything that fails once the read started (a missing record,
  an Autotask or Redis error) is handed to the Flask route in the environ (FAILED_READ),
  which raises it: Flask renders it with its handlers and hooks, exactly as its own, and
  nothing is read twice.

Anything else (another verb or path, a query string, an Origin header (CORS), a caller not
copied here, any refusal before the read) falls through to Flask untouched, which answers as
usual and refills the copies. So it never answers differently from Flask, only sooner; tests
hold it to that (tests/api/test_fast_path.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from flask import Flask

from connector import logging_setup, request_ids
from connector.api.context import LOOKED_UP, authorize
from connector.api.deps import EXTENSION, HUB, THREADS, hub_of
from connector.api.params import INSTANCE_ID, REQUEST_ID
from connector.errors import ConnectorError
from connector.hub import budget
from connector.hub.answers import CACHE, record_shape, strips_nulls
from connector.hub.cache import HubCache
from connector.observability import metrics
from connector.tenancy.auth import parse_authorization

# an id of at most 19 digits: the route's bound has 19, and int() of thousands raises
_RECORD = re.compile(r"/elements/api-v2/hubs/(?:crm|helpdesk)/([A-Za-z][\w-]*)/(\d{1,19})")
ROUTE = "/elements/api-v2/hubs/{hub}/{name}/{record_id}"  # the Flask route's metric label
MAX_ID = 9223372036854775807  # the Flask route's converter's bound
# environ key: (the hub, the exception) of a read that failed here, for the route to raise
FAILED_READ = "connector.fast_path.failed_read"
STARTED = "connector.fast_path.started"  # environ: perf_counter() when the request came
REQUEST_ID_KEY = "connector.fast_path.request_id"  # environ: the request's id, made here
Answered = tuple[bytes, int, dict[str, str]]  # body, instance id, headers beyond the usual


class FastPath:
    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.inner = inner
        self.served = 0  # answers given here, for tests and curiosity

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("QUERY_STRING")
            and "HTTP_ORIGIN" not in environ  # flask-cors adds its headers to Flask's answers
        ):
            match = _RECORD.fullmatch(environ.get("PATH_INFO", ""))  # `$` allows a final \n
            record_id = int(match.group(2)) if match is not None else MAX_ID + 1
            if record_id <= MAX_ID:
                # the request's id and clock from here: a failure Flask renders keeps both
                # (its log line and metrics count the read; the read's own logs carry the id)
                environ[STARTED] = started = time.perf_counter()
                environ[REQUEST_ID_KEY] = request_id = request_ids.next_id()
                try:
                    with request_ids.bound(request_id):
                        answer = self._record(environ, match.group(1), record_id)
                except redis.RedisError:
                    answer = None  # before the read: Flask answers the outage (503)
                if answer is not None:
                    return self._send(environ, start_response, started, request_id, *answer)
        return self.inner(environ, start_response)

    def _record(self, environ: dict[str, Any], name: str, record_id: int) -> Answered | None:
        deps = self.app.extensions[EXTENSION]
        try:
            header = parse_authorization(environ.get("HTTP_AUTHORIZATION"))
            if not (header.user and header.organization and header.element):
                return None
            copied = deps.lookup.copied(header.user, header.organization, header.element)
            if copied is None:
                return None
            caller = authorize(header, *copied, need_instance=True)
            environ[LOOKED_UP] = caller  # a read that falls through looks the caller up no more
            instance = caller.instance
            if instance is None:
                return None
            resource = self.app.extensions[HUB]["registry"].resolve(name, instance)
            if resource.kind != "normalized":
                return None  # other kinds may need Autotask metadata to decide
            resource.check("get", None)
        except ConnectorError:
            return None  # Flask gives the proper error
        if instance.cachingEnabled:
            cache = HubCache(
                deps.local.redis, deps.keys, instance.id, enabled=True, local=deps.local
            )
            shape = record_shape(resource, None, strips_nulls(instance))
            body = cache.copied_record(resource.entity, record_id, shape)
            if body is not None:
                return body.encode() + b"\n", instance.id, {CACHE: "hit"}  # as Flask's
        return self._read(environ, instance, name, resource, record_id)

    def _read(
        self, environ: dict[str, Any], instance: Any, name: str, resource: Any, record_id: int
    ) -> Answered | None:
        """`Hub.get` under the instance's thread share, as the route reads it."""
        share = self.app.extensions[THREADS]
        try:
            share.enter(instance.id, instance.organizationId)
        except ConnectorError:
            return None  # past its share: Flask answers the 429 (nothing was read)
        try:
            the_hub = hub_of(self.app, instance).resolved(name, resource)
        except Exception:  # noqa: BLE001 - nothing was read: Flask builds it and fails alike
            share.leave(instance.id, instance.organizationId)
            return None
        try:
            answer = the_hub.get(name, record_id)
            headers = {**answer.headers, **budget.headers(the_hub.ctx)}
        except Exception as exc:  # noqa: BLE001 - every failure is Flask's to render
            environ[FAILED_READ] = (the_hub, exc)
            return None
        finally:
            share.leave(instance.id, instance.organizationId)
        return answer.text().encode(), instance.id, headers

    def _send(
        self,
        environ: dict[str, Any],
        start_response: Callable,
        started: float,
        request_id: str,
        body: bytes,
        instance_id: int,
        headers: dict[str, str],
    ) -> Iterable[bytes]:
        self.served += 1
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                *headers.items(),
                (INSTANCE_ID, str(instance_id)),
                (REQUEST_ID, request_id),
            ],
        )
        seconds = time.perf_counter() - started
        metrics.observe_request("GET", ROUTE, 200, seconds)
        metrics.count_cache(headers.get(CACHE, ""))
        logging_setup.log_request(
            "GET", environ["PATH_INFO"], 200, seconds * 1000, request_id, instance_id=instance_id
        )
        return [body]
