"""A real HTTP server on loopback that records the requests formulas send it.

`answers` lets a test script replies per path: a list of (status, body) popped in order (the
last one stays), and `hold(path)` makes requests to a path wait until `release(path)`.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Receiver:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answers: dict[str, list[tuple[int, Any]]] = {}
        self._held: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def _app(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body.decode("utf-8", "replace")
        with self._lock:
            self.received.append(
                {
                    "path": request.path,
                    "method": request.method,
                    "headers": dict(request.headers),
                    "json": parsed,
                }
            )
            queue = self.answers.get(request.path) or [(200, {"ok": True})]
            status, answer = queue.pop(0) if len(queue) > 1 else queue[0]
            held = self._held.get(request.path)
        if held is not None:
            held.wait(30)
        response = Response(json.dumps(answer), status=status, mimetype="application/json")
        return response(environ, start_response)

    def to(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.received if r["path"] == path]

    def hold(self, path: str) -> None:
        self._held[path] = threading.Event()

    def release(self, path: str) -> None:
        self._held.pop(path).set()

    def wait_for(self, path: str, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(found := self.to(path)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {len(found)} requests, wanted {count}")
            time.sleep(0.02)
        return found

    def stop(self) -> None:
        for event in self._held.values():
            event.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
