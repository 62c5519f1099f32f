"""Keep the embedded redis-server alive for as long as `serve` runs.

A thread in the serving process waits on the child. When it dies, it is restarted on the same
port and password (`EmbeddedRedis.restart`), so every worker's pooled client reconnects by
itself and the requests in between answer 503 with Retry-After. If it cannot be brought back
(it will not start, or it keeps dying), the supervisor gives up and calls `on_give_up`, which
`serve` uses to stop gunicorn and exit non-zero: the service's own supervisor (systemd, a
container runtime) then restarts everything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from connector.storage.embedded_redis import EmbeddedRedis

log = logging.getLogger("connector.storage")

START_ATTEMPTS = 3  # tries to start a dead server again, with a pause between them
CRASH_LIMIT = 5  # deaths within CRASH_WINDOW seconds that make it give up (a crash loop)
CRASH_WINDOW = 60.0


class RedisSupervisor:
    def __init__(
        self,
        server: EmbeddedRedis,
        on_give_up: Callable[[], None],
        *,
        pause: float = 1.0,
    ) -> None:
        self.server = server
        self.on_give_up = on_give_up
        self.pause = pause
        self.restarts = 0
        self.gave_up = False
        self._stopping = threading.Event()
        self._deaths: list[float] = []
        self._thread = threading.Thread(target=self._watch, name="redis-supervisor", daemon=True)

    def start(self) -> RedisSupervisor:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Before the server is stopped on purpose, so that stop is not taken for a death."""
        self._stopping.set()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self.server.process
            if process is None:
                return
            status = process.wait()
            if self._stopping.is_set():
                return
            log.warning("embedded Redis exited (status %s); starting it again", status)
            if not self._bring_back():
                self.gave_up = True
                log.error("embedded Redis cannot be restarted; stopping the service")
                self.on_give_up()
                return

    def _bring_back(self) -> bool:
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < CRASH_WINDOW] + [now]
        if len(self._deaths) > CRASH_LIMIT:
            return False
        for attempt in range(START_ATTEMPTS):
            if self._stopping.wait(self.pause * attempt):
                return True
            try:
                self.server.restart()
            except RuntimeError as error:
                log.warning("embedded Redis restart %d failed: %s", attempt + 1, error)
                continue
            self.restarts += 1
            log.warning("embedded Redis is back on the same port")
            return True
        return False
