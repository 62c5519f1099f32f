"""What a job runs with: `current()`, the worker process's runtime, built once per process.

A worker builds it before its first job (settings from the environment, or those `serve`
hands over) and the app the web serves on first use, so every job of the process shares one
set of wired parts and starts at once. Features keep what they derive from it in `extras`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from connector.config import Settings


@dataclass
class WorkerRuntime:
    settings: Settings
    extras: dict[str, Any] = field(default_factory=dict)
    _app: Any = None

    @property
    def app(self) -> Any:
        """The Flask app a web worker serves, built on first use (its extensions are the
        features' parts: `app.extensions["connector.bulk"]`...)."""
        if self._app is None:
            from connector.app import create_app

            self._app = create_app(self.settings)
        return self._app


_process: tuple[int, WorkerRuntime] | None = None


def configure(settings: Settings | None = None) -> WorkerRuntime:
    """Make this process's runtime (again) from `settings`, else from the environment."""
    global _process
    _process = (os.getpid(), WorkerRuntime(settings or Settings.from_env()))
    return _process[1]


def current() -> WorkerRuntime:
    """This process's runtime; a forked child builds its own."""
    if _process is None or _process[0] != os.getpid():
        return configure()
    return _process[1]
