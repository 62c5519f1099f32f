"""The HTTP layer: one pooled `requests` session per process, the auth headers, one call.

`send` makes exactly one HTTP request with a timeout and turns every failure into a typed
error (see errors.py). Headers and query strings are never logged; secrets only travel in the
headers of the request itself.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from connector import request_ids
from connector.autotask.errors import error_for, error_for_exception
from connector.autotask.models import Credentials

log = logging.getLogger("connector.autotask")

USER_AGENT = "autotask-connector/0.1"
POOL_SIZE = 32

_lock = threading.Lock()
_session: requests.Session | None = None
_session_pid: int | None = None


def shared_session() -> requests.Session:
    """The process's pooled session; a forked worker builds its own instead of sharing sockets."""
    global _session, _session_pid
    with _lock:
        if _session is None or _session_pid != os.getpid():
            _session = new_session()
            _session_pid = os.getpid()
        return _session


def new_session(pool_size: int = POOL_SIZE) -> requests.Session:
    """A session whose adapter never retries on its own: retries are decided per operation."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.trust_env = False  # no proxy or netrc from the environment sees the secret
    return session


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


def decode(response: requests.Response) -> Any:
    """The JSON body, or None when it is empty or not JSON (an HTML error page, say)."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    operation: str,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> Any:
    """One HTTP call; the decoded JSON of a 2xx answer, else a typed ProviderError."""
    started = time.perf_counter()
    try:
        response = session.request(
            method,
            url,
            headers=headers,
            json=body,
            params=params,
            timeout=timeout,
            allow_redirects=False,  # a redirect would carry the auth headers to another host
        )
    except requests.RequestException as exc:
        log.info(
            "autotask %s failed after %.0f ms: %s",
            operation,
            (time.perf_counter() - started) * 1000,
            type(exc).__name__,
        )
        raise error_for_exception(exc, operation) from None
    elapsed_ms = (time.perf_counter() - started) * 1000
    if log.isEnabledFor(logging.DEBUG):  # LOG_LEVEL=DEBUG: the calls a request made
        log.debug(
            "autotask %s %s -> %s in %.0f ms (request %s)",
            method,
            entity_path(url),
            response.status_code,
            elapsed_ms,
            request_ids.current(),
        )
    payload = decode(response)
    if 200 <= response.status_code < 300:
        return payload
    raise error_for(
        response.status_code,
        payload,
        retry_after=response.headers.get("Retry-After"),
        operation=operation,
    )
