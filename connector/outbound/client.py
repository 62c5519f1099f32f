"""`OutboundClient`: every outbound HTTP call, checked, pinned, bounded in time and size.

One client per policy, shared by all threads: it pools keep-alive connections per (checked
address, port, host name), caches checked DNS answers briefly, and never retries on its own.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import os
import re
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

from urllib3 import PoolManager, Timeout
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.response import BaseHTTPResponse

from connector.outbound.check import TOO_SLOW, UNREACHABLE, check_static, resolve_target
from connector.outbound.connection import POOL_CLASSES, CallState, deadline_scope, tls_context
from connector.outbound.errors import (
    OutboundConnectError,
    OutboundError,
    OutboundRefusedError,
    OutboundTimeoutError,
    OutboundTooLargeError,
)
from connector.outbound.policy import OutboundPolicy
from connector.outbound.resolve import Resolver, system_resolver
from connector.outbound.response import OutboundResponse
from connector.outbound.urls import Target

USER_AGENT = "autotask-connector/0.1"
DEFAULT_DEADLINE_SECONDS = 30.0
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_REDIRECTS = 10
#: Never sent to another origin on a redirect, whatever the caller lists.
ALWAYS_SENSITIVE = frozenset({"authorization", "proxy-authorization", "cookie"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CHUNK = 64 * 1024
_DNS_CACHE_MAX = 1024

_clients: weakref.WeakSet[OutboundClient] = weakref.WeakSet()


class OutboundClient:
    """Thread-safe; see the package docstring for the rules every call follows."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        resolver: Resolver = system_resolver,
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pool_maxsize: int = 32,
        num_pools: int = 64,
        dns_cache_seconds: float = 30.0,
        ca_bundle: str | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.policy = policy
        self.deadline_seconds = deadline_seconds
        self.max_response_bytes = max_response_bytes
        self._resolver = resolver
        self._pool_args = {"num_pools": num_pools, "maxsize": pool_maxsize}
        self._dns_seconds = dns_cache_seconds
        self._tls = tls_context(ca_bundle)
        self._user_agent = user_agent
        self._reset()
        _clients.add(self)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._dns: dict[tuple[str, int], tuple[float, tuple[str, ...]]] = {}
        self._manager = PoolManager(block=False, retries=False, **self._pool_args)
        self._manager.pool_classes_by_scheme = POOL_CLASSES  # type: ignore[assignment]

    def close(self) -> None:
        """Close every pooled connection."""
        self._manager.clear()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        json: Any = None,
        deadline_seconds: float | None = None,
        max_response_bytes: int | None = None,
        follow_redirects: int = 0,
        sensitive_headers: Iterable[str] = (),
    ) -> OutboundResponse:
        """One call, answered in full; raises an OutboundError subclass on any failure.

        Any status is an answer (no raise for 4xx/5xx). `follow_redirects` is how many hops
        may be followed (each re-checked); past it the redirect itself is the answer.
        """
        started = time.perf_counter()
        seconds = self.deadline_seconds if deadline_seconds is None else deadline_seconds
        cap = max_response_bytes if max_response_bytes is not None else self.max_response_bytes
        if seconds <= 0 or cap < 0:
            raise ValueError("deadline_seconds must be positive and max_response_bytes >= 0")
        deadline = time.monotonic() + seconds
        if not 0 <= follow_redirects <= MAX_REDIRECTS:
            raise ValueError(f"follow_redirects must be 0..{MAX_REDIRECTS}")
        if body is not None and json is not None:
            raise ValueError("give body or json, not both")
        sent = _headers(headers, self._user_agent)
        payload = body.encode() if isinstance(body, str) else body
        if json is not None:
            payload = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
            sent.setdefault("Content-Type", "application/json")
        strip = ALWAYS_SENSITIVE | {name.lower() for name in sensitive_headers}
        target = check_static(url, self.policy).with_params(dict(params) if params else None)
        origin, hops = target.origin, 0
        while True:
            target = self._resolved(target, deadline)
            status, answer, data = self._exchange(target, method, sent, payload, deadline, cap)
            location = answer.get("Location")
            if status not in _REDIRECTS or hops >= follow_redirects or not location:
                elapsed = time.perf_counter() - started
                return OutboundResponse(status, answer, data, elapsed, target.url, hops)
            hops += 1
            target = check_static(urljoin(target.url, location), self.policy)
            if target.origin != origin:
                sent = {k: v for k, v in sent.items() if k.lower() not in strip}
            if status == 303 or (status in (301, 302) and method.upper() == "POST"):
                method = "GET" if method.upper() != "HEAD" else "HEAD"
                payload = None
                sent = {k: v for k, v in sent.items() if k.lower() != "content-type"}

    def _resolved(self, target: Target, deadline: float) -> Target:
        """`target` with checked addresses: a literal's own, a fresh cached answer, or DNS."""
        if target.addresses:
            return target
        key = (target.host, target.port)
        now = time.monotonic()
        with self._lock:
            cached = self._dns.get(key)
        if cached is not None and cached[0] > now:
            return replace(target, addresses=cached[1])
        checked = resolve_target(target, self.policy, self._resolver, deadline)
        with self._lock:
            if len(self._dns) >= _DNS_CACHE_MAX:
                self._dns.clear()
            self._dns[key] = (now + self._dns_seconds, checked.addresses)
        return checked

    def _exchange(
        self,
        target: Target,
        method: str,
        headers: dict[str, str],
        payload: bytes | None,
        deadline: float,
        cap: int,
    ) -> tuple[int, Mapping[str, str], bytes]:
        headers = {**headers, "Host": target.host_header}
        pool_kwargs: dict[str, Any] = {}
        if target.scheme == "https":
            pool_kwargs = {"server_hostname": target.host, "ssl_context": self._tls}
        last = len(target.addresses) - 1
        for index, address in enumerate(target.addresses):
            pool = self._manager.connection_from_host(
                address, target.port, target.scheme, pool_kwargs=pool_kwargs
            )
            with deadline_scope(deadline) as call:
                left = max(deadline - time.monotonic(), 0.001)
                try:
                    raw = pool.urlopen(
                        method,
                        target.target,
                        body=payload,
                        headers=headers,
                        retries=False,
                        redirect=False,
                        assert_same_host=False,
                        preload_content=False,
                        release_conn=False,
                        timeout=Timeout(connect=left, read=left),
                    )
                except NewConnectionError:
                    if index < last and time.monotonic() < deadline:
                        continue  # nothing was sent: the next checked address may answer
                    raise _failure(call) from None
                except (HTTPError, OSError, http.client.HTTPException) as exc:
                    raise _failure(call, exc) from None
                return raw.status, raw.headers, _read_body(raw, cap, call, method)
        raise OutboundConnectError(UNREACHABLE, request_sent=False)


def _read_body(raw: BaseHTTPResponse, cap: int, call: CallState, method: str) -> bytes:
    """The whole (decoded) body, at most `cap` bytes; the connection goes back to the pool
    only when the body was read to its end."""
    try:
        declared = raw.headers.get("Content-Length", "")
        if method.upper() != "HEAD" and declared.isdigit() and int(declared) > cap:
            raise OutboundTooLargeError("The upstream answer is larger than allowed.")
        parts: list[bytes] = []
        size = 0
        while chunk := raw.read(min(_CHUNK, cap - size + 1)):
            size += len(chunk)
            if size > cap:
                raise OutboundTooLargeError("The upstream answer is larger than allowed.")
            parts.append(chunk)
    except OutboundError:
        raw.close()
        raise
    except (HTTPError, OSError, http.client.HTTPException) as exc:
        raw.close()
        raise _failure(call, exc) from None
    finally:
        raw.release_conn()
    return b"".join(parts)


def _failure(call: CallState, exc: BaseException | None = None) -> OutboundError:
    if isinstance(exc, Urllib3Timeout | TimeoutError) or time.monotonic() >= call.deadline:
        return OutboundTimeoutError(TOO_SLOW, request_sent=call.sent)
    return OutboundConnectError(UNREACHABLE, request_sent=call.sent)


def _headers(given: Mapping[str, str] | None, user_agent: str) -> dict[str, str]:
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
    lowered = {"user-agent": "User-Agent", "accept-encoding": "Accept-Encoding"}
    for name, value in (given or {}).items():
        text = str(value)
        if (
            not _TOKEN.fullmatch(name)
            or name.lower() in _OWN_HEADERS
            or any(c in text for c in "\r\n\0")
        ):
            raise OutboundRefusedError("header", "A request header is not allowed.")
        headers.pop(lowered.get(name.lower(), ""), None)
        headers[name] = text
    return headers


def _after_fork() -> None:
    # A child must not share the parent's sockets: give every client fresh pools.
    for client in list(_clients):
        client._reset()


os.register_at_fork(after_in_child=_after_fork)
