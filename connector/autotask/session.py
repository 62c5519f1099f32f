"""The HTTP layer: every Autotask call through the outbound guard, the auth headers, one call.

`send` makes exactly one HTTP request through the process's `OutboundClient` for Autotask
(connector/autotask/guard.py): the host checked against AUTOTASK_ALLOWED_HOSTS, the connection
pinned to the checked address, one total deadline over connect, send and the whole body, the
body capped, no redirect followed. Every failure becomes a typed error (see errors.py).
Headers and query strings are never logged; secrets only travel in the request's headers.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

from connector import request_ids
from connector.autotask.errors import error_for, error_for_outbound
from connector.autotask.models import Credentials
from connector.outbound import (
    AUTOTASK_SENSITIVE_HEADERS,
    OutboundClient,
    OutboundError,
    OutboundResponse,
)

log = logging.getLogger("connector.autotask")


def auth_headers(credentials: Credentials) -> dict[str, str]:
    headers = {
        "ApiIntegrationCode": credentials.integration_code,
        "UserName": credentials.username,
        "Secret": credentials.secret,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    if credentials.impersonation_resource_id is not None:
        headers["ImpersonationResourceId"] = str(credentials.impersonation_resource_id)
    return headers


def entity_path(url: str) -> str:
    """`Contacts/query` of `https://host/ATServicesRest/V1.0/Contacts/query?x`: no host, no
    query string."""
    path = urlsplit(url).path
    return path.split("/V1.0/", 1)[-1] if "/V1.0/" in path else path


def decode(response: OutboundResponse) -> Any:
    """The JSON body, or None when it is empty or not JSON (an HTML error page, say)."""
    if not response.body:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def send(
    outbound: OutboundClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    operation: str,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> Any:
    """One HTTP call ending within `timeout` seconds (all of it); the decoded JSON of a 2xx
    answer, else a typed ProviderError, or AutotaskHostError for a refused URL."""
    started = time.perf_counter()
    try:
        response = outbound.request(
            method,
            url,
            headers=headers,
            json=body,
            params=params,
            deadline_seconds=max(timeout, 0.001),
            sensitive_headers=AUTOTASK_SENSITIVE_HEADERS,
        )
    except OutboundError as exc:
        log.info(
            "autotask %s failed after %.0f ms: %s",
            operation,
            (time.perf_counter() - started) * 1000,
            type(exc).__name__,
        )
        raise error_for_outbound(exc, operation) from None
    elapsed_ms = (time.perf_counter() - started) * 1000
    if log.isEnabledFor(logging.DEBUG):  # LOG_LEVEL=DEBUG: the calls a request made
        log.debug(
            "autotask %s %s -> %s in %.0f ms (request %s)",
            method,
            entity_path(url),
            response.status,
            elapsed_ms,
            request_ids.current(),
        )
    payload = decode(response)
    if 200 <= response.status < 300:
        return payload
    raise error_for(
        response.status,
        payload,
        retry_after=response.headers.get("Retry-After"),
        operation=operation,
    )
