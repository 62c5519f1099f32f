"""A worker's exit (a burst's end, a SIGTERM's warm shutdown) is not held up by RQ's pub/sub
thread: RQ lets it sleep 60 s, and once unsubscribed it waits out that sleep while redis-py's
stop() joins it, so about one exit in three took a minute (the suite's burst workers showed
it). Six `autotask-connector worker --burst` at once: once each has run its job, its exit is
waited for with a bound far below that minute (before the fix: 1 failure in 2 runs here)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet

from connector.config import Settings
from connector.jobs import Jobs
from connector.storage.keys import Keys
from tests.fixtures.jobs import wait_for
from tests.fixtures.redis import RUN_PREFIX
from tests.jobs import functions

WORKERS = 6  # the hold is a race (a third of exits in a row, fewer at once): six at once
EXIT_BOUND_SECONDS = 20.0  # from its job's end: far below the 60 s sleep


def _burst_worker(redis_url: str) -> tuple[subprocess.Popen, str]:
    """A burst worker on a deployment of its own with one job queued, and that job's key."""
    settings = Settings(
        redis_url=redis_url,
        key_prefix=f"{RUN_PREFIX}exit-{secrets.token_hex(3)}:",
        secret_key=Fernet.generate_key().decode(),
    )
    Jobs(redis_url, Keys(settings.key_prefix)).enqueue("events", functions.record, "exit")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "connector.cli", "worker", "--burst", "--queues", "events"],
        env={**os.environ, **settings.environment(), "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, f"{settings.key_prefix}test:exit"


def test_burst_workers_end_without_waiting_out_their_pubsub_sleep(redis_client, redis_url):
    started = [_burst_worker(redis_url) for _ in range(WORKERS)]
    try:
        for process, runs in started:
            wait_for(lambda key=runs: redis_client.llen(key), what="a worker's job", timeout=90)
            try:
                _, errors = process.communicate(timeout=EXIT_BOUND_SECONDS)
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"a worker still runs {EXIT_BOUND_SECONDS} s after its job ended"
                ) from None
            assert process.returncode == 0, errors
    finally:
        for process, _ in started:
            process.kill()
            process.wait()
