"""What `serve` checks before it prints, makes or starts anything.

Each check raises `StartupError` with one line: what is wrong and how to fix it. `serve`
prints that line and exits with status 2, leaving nothing running. The data-folder lock is
held (an flock on `{data}/serve.lock`) for as long as `serve` runs, so a second `serve` on
the same folder stops here instead of sharing its Redis data or sandbox database.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from pathlib import Path
from typing import IO

LOCK_FILE = "serve.lock"


class StartupError(Exception):
    """A reason `serve` cannot start, as the one line to print."""


def check_port(host: str, port: int, what: str, option: str) -> None:
    """`port` must be free to bind on `host` (as gunicorn binds: SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"{what} port {port} on {host} is already in use; stop what listens there "
                    f"or choose another port with {option}"
                ) from None
            raise StartupError(
                f"cannot listen on {host}:{port} for {what} ({error.strerror}); "
                f"choose another address or port with {option}"
            ) from None


def lock_data_dir(data_dir: str) -> IO[str]:
    """Hold the data folder for this run; the returned file keeps the lock until closed."""
    folder = Path(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole run
    except OSError as error:
        raise StartupError(
            f"cannot use the data folder {folder} ({error.strerror}); "
            "set CONNECTOR_DATA_DIR to a folder you can write"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StartupError(
            f"another autotask-connector serve is using the data folder {folder}; stop it "
            "first, or give this one its own folder with CONNECTOR_DATA_DIR"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def check_maps(transformations_dir: str) -> None:
    from connector.errors import MappingError
    from connector.mapping import load_maps

    try:
        load_maps(transformations_dir)
    except MappingError as error:
        message = " ".join(error.message.split())  # one line, whatever the YAML parser said
        raise StartupError(
            f"{message}; fix the map (see the README's map format) or point "
            "CONNECTOR_TRANSFORMATIONS_DIR at a folder of good maps"
        ) from None


def check_redis(url: str, shown: str) -> None:
    """The Redis at REDIS_URL answers a PING within a few seconds."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    except ValueError as error:
        raise StartupError(f"REDIS_URL={shown} is not a Redis URL ({error})") from None
    try:
        client.ping()
    except redis.AuthenticationError:
        raise StartupError(
            f"Redis at {shown} refused the password; fix REDIS_URL (redis://:PASSWORD@host:port/db)"
        ) from None
    except (redis.RedisError, OSError) as error:
        raise StartupError(
            f"no Redis answers at REDIS_URL={shown} ({type(error).__name__}); start it, fix "
            "REDIS_URL, or unset REDIS_URL to use the embedded Redis"
        ) from None
    finally:
        client.close()
