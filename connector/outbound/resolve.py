"""Name resolution under a deadline, through an injectable resolver.

A resolver is any `(host, port) -> sequence of IP address strings` callable; it raises OSError
when the name does not resolve. `system_resolver` asks the system (getaddrinfo). Resolution
runs on a small thread pool so a slow DNS server cannot outlast the call's deadline.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

Resolver = Callable[[str, int], Sequence[str]]

_WORKERS = 4
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def system_resolver(host: str, port: int) -> list[str]:
    """Every TCP address of `host`, in the system's order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    found: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in found:
            found.append(address)
    return found


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        # A forked child has the parent's executor but none of its threads: build anew.
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="outbound-dns")
            _pool_pid = os.getpid()
        return _pool


def resolve_within(resolver: Resolver, host: str, port: int, timeout: float) -> list[str]:
    """`resolver(host, port)` within `timeout` seconds: TimeoutError past it, OSError if none."""
    if timeout <= 0:
        raise TimeoutError("deadline")
    future = _executor().submit(resolver, host, port)
    try:
        answer = list(future.result(timeout=timeout))
    except FutureTimeout:
        future.cancel()
        raise TimeoutError("deadline") from None
    except (OSError, UnicodeError, ValueError) as exc:
        raise OSError("name did not resolve") from exc
    if not answer:
        raise OSError("name did not resolve")
    return answer
