"""Run a WSGI app factory under gunicorn, in this process (the production server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """gunicorn with options given in code; each worker calls `factory()` after the fork."""

    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def serve(
    factory: Callable[[], Any],
    host: str,
    port: int,
    *,
    workers: int = 3,
    threads: int = 4,
    timeout: int = 360,
    access_log: bool = False,
    child_exit: Callable[..., None] | None = None,
) -> None:
    """Block serving until SIGINT/SIGTERM; gunicorn then exits via SystemExit."""
    GunicornServer(
        factory,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # Autotask may hold a request for minutes near its thresholds; don't kill the worker.
            "timeout": timeout,
            "graceful_timeout": 10,
            "accesslog": "-" if access_log else None,
            "loglevel": "warning",
            "proc_name": "autotask-connector",
            "child_exit": child_exit,
        },
    ).run()
