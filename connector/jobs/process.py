"""One job worker as a child process, for `serve`: started beside gunicorn on the same
settings, stopped with it (Ctrl-C reaches both; `stop` ends it if it lingers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from connector.config import Settings

STOP_SECONDS = 10.0  # a job still running then is killed; its feature's sweep resumes it


class WorkerProcess:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        """The service's environment with the settings `serve` decided (embedded Redis, key)."""
        return {**os.environ, **self.settings.environment()}

    def start(self) -> WorkerProcess:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "connector.cli", "worker"], env=self.environment()
        )
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # RQ's warm shutdown: the job in hand ends
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_SECONDS)
