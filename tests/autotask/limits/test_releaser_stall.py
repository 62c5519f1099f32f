"""The releaser (limits/releaser.py) under a stalled connection: with one sender thread, one
stalled connection held back the slots of every call after it (found by a hostile review).

The stall is a loopback TCP proxy in front of the test's Redis that stops forwarding the
first connection to send a ZREM (the releaser's pipeline), as a half-open connection does
until the socket timeout (5 s in production, redis_conn.connect), the rest flowing as usual.
Before, each call released its own slot: a stalled connection held back one slot.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import redis

from connector.autotask.errors import LimitWaitError
from connector.autotask.limits import releaser
from connector.storage.keys import Keys
from tests.autotask.limits.test_one_trip import make_limits

ZREM = b"$4\r\nZREM\r\n"  # the command as sent (the scripts' text quotes it: 'ZREM')


class StallingProxy:
    """Forwards loopback connections to Redis; the first one to send `pattern` is stalled
    (nothing more forwarded either way) until `thaw`."""

    def __init__(self, host: str, port: int, pattern: bytes) -> None:
        self.target = (host, port)
        self.pattern = pattern
        self.stalled = threading.Event()
        self._thawed = threading.Event()
        self._claimed = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, watch: bool) -> None:
        try:
            while data := source.recv(65536):
                if watch and self.pattern in data and self._claimed.acquire(blocking=False):
                    self.stalled.set()
                    self._thawed.wait()
                sink.sendall(data)
        except OSError:
            pass

    def thaw(self) -> None:
        self._thawed.set()

    def close(self) -> None:
        self.thaw()
        self._listener.close()
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def proxy(redis_url: str) -> Iterator[StallingProxy]:
    parsed = urlparse(redis_url)
    stalling = StallingProxy(parsed.hostname or "127.0.0.1", parsed.port or 6379, ZREM)
    yield stalling
    stalling.close()


def test_one_stalled_release_does_not_hold_back_the_slots_of_calls_that_ended(
    redis_url, redis_client, key_prefix, proxy
):
    """Three calls end, one after the other, on an endpoint of three slots. The first one's
    release is stalled on its connection; the other two are queued behind it, so all three
    slots stay taken in Redis, for every worker and host on this integration code, until
    the stall ends (at the socket timeout the releases of the stalled batch are lost, their
    slots held out their lifetime, 2 * AUTOTASK_TIMEOUT + 5 s; those queued behind it go
    then). Another call, which should find the two slots of the calls that ended free, is
    refused."""
    keys = Keys(key_prefix)
    with make_limits(redis_client, keys).admit("Companies"):  # loads the scripts, directly
        pass
    parsed = urlparse(redis_url)  # the test Redis's database and password, via the proxy
    userinfo = parsed.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@127.0.0.1:{proxy.port}" if userinfo else f"127.0.0.1:{proxy.port}"
    via_proxy = parsed._replace(netloc=netloc).geturl()
    stalling = redis.Redis.from_url(via_proxy, socket_timeout=30, decode_responses=True)
    limits = make_limits(stalling, keys, slots=3)
    try:
        for _ in range(3):
            with limits.admit("Companies", release_later=True):
                pass
        assert proxy.stalled.wait(10)  # the first release is on the stalled connection
        another = make_limits(redis_client, keys, slots=3)  # another caller, Redis direct
        try:
            with another.admit("Companies", slot_wait=1.0, max_wait=1.0):
                pass
        except LimitWaitError as exc:
            pytest.fail(f"two of the three calls had ended, yet: {exc}")
    finally:
        proxy.thaw()
        assert releaser.flush(10)
        stalling.close()
    assert limits.semaphore("Companies").holders() == 0
