"""Sockets and connections that obey one call's total deadline and connect only where told.

A call sets its deadline with `deadline_scope`; every send and receive on a `DeadlineSocket`
(plain or TLS) made in that thread first sets the socket timeout to the time left, and fails
with TimeoutError once none is left. So a server that drips one byte a second, in the headers
or in the body, is cut at the deadline, not at one timeout per read.

`PinnedHTTPConnection` and `PinnedHTTPSConnection` connect to their `host`, which must be an IP
address literal already checked by the policy: they never resolve a name, so DNS rebinding
between the check and the connect is impossible. TLS still sends SNI for, and verifies the
certificate against, the URL's host name (the pool's `server_hostname`).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests.certs
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.ssl_ import create_urllib3_context

from connector.outbound.addresses import parse_ip

_local = threading.local()


class CallState:
    """One call's deadline (time.monotonic) and whether any request byte may have left."""

    __slots__ = ("deadline", "sent")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sent = False


@contextmanager
def deadline_scope(deadline: float) -> Iterator[CallState]:
    state = CallState(deadline)
    _local.call = state
    try:
        yield state
    finally:
        _local.call = None


def _arm(sock: socket.socket) -> CallState | None:
    """Set `sock`'s timeout to the time the current call has left (no call: leave it)."""
    call: CallState | None = getattr(_local, "call", None)
    if call is not None:
        left = call.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline")
        sock.settimeout(left)
    return call


class _DeadlineMixin:
    # Every I/O path of http.client and urllib3 goes through these four methods.
    def recv(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _arm(self)  # type: ignore[arg-type]
        return super().recv(*args, **kwargs)  # type: ignore[misc]

    def recv_into(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _arm(self)  # type: ignore[arg-type]
        return super().recv_into(*args, **kwargs)  # type: ignore[misc]

    def send(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        call = _arm(self)  # type: ignore[arg-type]
        if call is not None:
            call.sent = True  # before: a send that times out may have sent part of it
        return super().send(*args, **kwargs)  # type: ignore[misc]

    def sendall(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        call = _arm(self)  # type: ignore[arg-type]
        if call is not None:
            call.sent = True
        return super().sendall(*args, **kwargs)  # type: ignore[misc]


class DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """Verifying TLS context (requests' CA bundle unless given) whose sockets obey deadlines."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.check_hostname = True
    context.sslsocket_class = DeadlineSSLSocket
    context.load_verify_locations(cafile=ca_bundle or requests.certs.where())
    return context


def _pinned_socket(conn: HTTPConnection) -> socket.socket:
    address = parse_ip(conn._dns_host)
    if address is None:  # a name here would be resolved again: never
        raise NewConnectionError(conn, "not a checked address")
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = DeadlineSocket(family, socket.SOCK_STREAM)
    try:
        for option in conn.socket_options or ():
            sock.setsockopt(*option)
        if _arm(sock) is None and isinstance(conn.timeout, int | float):
            sock.settimeout(conn.timeout)
        sock.connect((address.compressed, conn.port))
        _arm(sock)  # the TLS handshake gets what is left, as one total
    except TimeoutError:
        sock.close()
        raise ConnectTimeoutError(conn, "connect timed out") from None
    except OSError:
        sock.close()
        raise NewConnectionError(conn, "connection failed") from None
    return sock


class PinnedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _pinned_socket(self)


class PinnedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _pinned_socket(self)


class PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


POOL_CLASSES = {"http": PinnedHTTPConnectionPool, "https": PinnedHTTPSConnectionPool}
