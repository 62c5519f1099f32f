"""The sandbox as a child server process (`python -m connector.sandbox`), for `serve`.

It must be its own process: it plays a remote Autotask, so the connector's calls to it never
wait on the connector's own workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import requests

from connector.storage.processes import child_preexec


class SandboxProcess:
    """Start the sandbox on `host:port` and wait until it answers; `stop()` ends it."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        data_dir: str | None,
        records: int | None = None,
        reseed: bool = False,
        workers: int = 2,
        extra_args: list[str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.url = f"http://{host}:{port}"
        self.args = [
            sys.executable,
            "-m",
            "connector.sandbox",
            "--quiet",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        self.args += ["--data-dir", data_dir] if data_dir else ["--memory"]
        if records is not None:
            self.args += ["--records", str(records)]
        if reseed:
            self.args.append("--reseed")
        self.args += extra_args or []
        self.process: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()

    def start(self, timeout: float = 120.0) -> SandboxProcess:
        self._owner_pid = os.getpid()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.args, stdin=subprocess.DEVNULL, preexec_fn=child_preexec
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the sandbox exited with status {self.process.returncode} at start"
                )
            try:
                if requests.get(f"{self.url}/_sandbox/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox did not answer on {self.url} in {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self, timeout: float = 3.0) -> None:
        """SIGQUIT, then SIGKILL to its whole process group; only from the process that
        started it.

        SIGQUIT is gunicorn's quick shutdown: a graceful one would wait out idle keep-alive
        connections, and a worker busy in a thread can still hold the arbiter up to its
        graceful timeout, hence the group kill after `timeout`. Nothing is lost: SQLite
        commits are durable, an open write rolls back.
        """
        if os.getpid() != self._owner_pid:
            return
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # child_preexec made it a group leader
            process.wait(timeout)
