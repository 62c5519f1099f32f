"""Real HTTP servers on loopback for the outbound client's tests (stdlib http.server).

Each server counts the TCP connections it accepted and records every request (path, headers,
body), so a test can assert what reached it and what did not.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real APIs do
    disable_nagle_algorithm = True  # else each answer waits out the client's delayed ACK

    def log_message(self, *args):  # keep test output clean
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.owner.record(self.path, dict(self.headers.items()), body)
        self.body = body
        route = self.server.owner.routes.get(urlsplit(self.path).path, not_found)
        route(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def query(self, name: str) -> str:
        return parse_qs(urlsplit(self.path).query)[name][0]

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def get_request(self):
        request = super().get_request()
        with self.owner.lock:
            self.owner.connections += 1
        return request


class _Server6(_Server):
    address_family = socket.AF_INET6


class LoopbackServer:
    def __init__(
        self,
        routes: dict[str, Route],
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.routes = routes
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.notes: dict[str, object] = {}
        self._server = (_Server6 if ":" in host else _Server)((host, port), Handler)
        self._server.owner = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.host, self.port = host, self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.daemon = True
        self._thread.start()

    def record(self, path: str, headers: dict[str, str], body: bytes) -> None:
        with self.lock:
            self.requests.append((path, headers, body))

    def note(self, key: str, value: object) -> None:
        with self.lock:
            self.notes[key] = value

    def wait_for_note(self, key: str, timeout: float = 5.0) -> object:
        """The note once written (bounded poll: the server thread writes it when done)."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            with self.lock:
                if key in self.notes:
                    return self.notes[key]
            time.sleep(0.01)
        raise AssertionError(f"the server never wrote {key!r}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def not_found(handler: Handler) -> None:
    handler.answer(404, b'{"error":"no route"}')


def echo(handler: Handler) -> None:
    """Answers what it received, as JSON-ish text the test can check."""
    handler.answer(200, handler.body or b'{"ok":true}', {"Content-Type": "application/json"})


def redirect(handler: Handler) -> None:
    """`?to=<url>&code=<status>`: a redirect wherever the test says."""
    code = int(parse_qs(urlsplit(handler.path).query).get("code", ["302"])[0])
    handler.answer(code, b"", {"Location": handler.query("to")})


def drip(what: str, total: int = 200, pause: float = 0.05) -> Route:
    """A server that sends `total` bytes of the headers or the body one at a time."""

    def route(handler: Handler) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n".encode()
        data = (head if what == "headers" else b"") + b"x" * total
        written = 0
        try:
            if what == "body":
                handler.wfile.write(head)
                handler.wfile.flush()
            for i in range(len(data)):
                handler.wfile.write(data[i : i + 1])
                handler.wfile.flush()
                written += 1
                time.sleep(pause)  # the drip itself: the fault this server plays
        except OSError:
            pass
        handler.close_connection = True
        handler.server.owner.note(f"drip-{what}", written)

    return route


def big(size: int, declare: bool) -> Route:
    """A body of `size` bytes, with its Content-Length or delimited by closing."""

    def route(handler: Handler) -> None:
        handler.send_response(200)
        if declare:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if handler.command == "HEAD":
            return
        try:
            for _ in range(size // 65536):
                handler.wfile.write(b"y" * 65536)
        except OSError:
            pass

    return route


def gzip_bomb(size: int) -> Route:
    packed = gzip.compress(b"\0" * size)

    def route(handler: Handler) -> None:
        handler.answer(200, packed, {"Content-Encoding": "gzip"})

    return route
