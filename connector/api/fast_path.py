"""A short way for the hottest call: GET of one record this worker holds a fresh cached copy of.

Integrations poll records; with caching on, most reads are hits, and Flask's own request
machinery would then cost more than the answer. This WSGI layer answers those hits directly,
deciding with the same functions the Flask route uses (parse_authorization, authorize, the
registry, record_shape, the cache's local copies, which every process drops the moment
anything they copy changes). Anything else (another verb or path, a query string, a missing
copy, any refusal) falls through to Flask untouched, which answers as usual and refills the
copies. So it never answers differently from Flask, only sooner; tests hold it to that.
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
from connector.api.deps import EXTENSION, HUB
from connector.api.params import INSTANCE_ID, REQUEST_ID
from connector.errors import ConnectorError
from connector.hub.cache import HubCache
from connector.hub.service import CACHE, record_shape, strips_nulls
from connector.observability import metrics
from connector.tenancy.auth import parse_authorization

_RECORD = re.compile(r"^/elements/api-v2/hubs/(?:crm|helpdesk)/([A-Za-z][\w-]*)/(\d+)$")
ROUTE = "/elements/api-v2/hubs/{hub}/{name}/{record_id}"  # the Flask route's metric label


class FastPath:
    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.inner = inner
        self.served = 0  # answers given here, for tests and curiosity

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            match = _RECORD.match(environ.get("PATH_INFO", ""))
            if match is not None:
                started = time.perf_counter()
                try:
                    answer = self._cached_record(environ, match.group(1), int(match.group(2)))
                except redis.RedisError:
                    answer = None  # Flask answers the outage (a 503 with Retry-After)
                if answer is not None:
                    return self._send(environ, start_response, started, *answer)
        return self.inner(environ, start_response)

    def _cached_record(
        self, environ: dict[str, Any], name: str, record_id: int
    ) -> tuple[bytes, int] | None:
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
            if instance is None or not instance.cachingEnabled:
                return None
            resource = self.app.extensions[HUB]["registry"].resolve(name, instance)
            if resource.kind != "normalized":
                return None  # other kinds may need Autotask metadata to decide
            resource.check("get", None)
        except ConnectorError:
            return None  # Flask gives the proper error
        cache = HubCache(deps.local.redis, deps.keys, instance.id, enabled=True, local=deps.local)
        shape = record_shape(resource, None, strips_nulls(instance))
        body = cache.copied_record(resource.entity, record_id, shape)
        return (body.encode() + b"\n", instance.id) if body is not None else None  # as Flask's

    def _send(
        self,
        environ: dict[str, Any],
        start_response: Callable,
        started: float,
        body: bytes,
        instance_id: int,
    ) -> Iterable[bytes]:
        self.served += 1
        request_id = request_ids.next_id()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                (CACHE, "hit"),
                (INSTANCE_ID, str(instance_id)),
                (REQUEST_ID, request_id),
            ],
        )
        seconds = time.perf_counter() - started
        metrics.observe_request("GET", ROUTE, 200, seconds)
        metrics.count_cache("hit")
        logging_setup.log_request(
            "GET", environ["PATH_INFO"], 200, seconds * 1000, request_id, instance_id=instance_id
        )
        return [body]
