"""`autotask-connector worker` (and so the worker `serve` starts) keeps RQ's own job lines
(a job started, a job OK, its result kept) at WARNING by default: the 1-second callout drain
printed three INFO lines a second. RQ_LOG_LEVEL or --rq-log-level shows them again."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
import redis
from cryptography.fernet import Fernet

from connector.config import Settings
from connector.jobs import Jobs
from connector.storage.keys import Keys
from tests.fixtures.redis import RUN_PREFIX
from tests.jobs import functions


def _run_one_job(redis_url: str, *flags: str, **env: str) -> tuple[str, list]:
    """Enqueue one job, run a burst worker on its queue; the worker's output and the runs."""
    settings = Settings(
        redis_url=redis_url,
        key_prefix=f"{RUN_PREFIX}rqlog-{secrets.token_hex(3)}:",
        secret_key=Fernet.generate_key().decode(),
    )
    keys = Keys(settings.key_prefix)
    Jobs(redis_url, keys).enqueue("events", functions.record, "logged", 1)
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "connector.cli", "worker", "--burst", "--queues", "events", *flags],
        env={**os.environ, **settings.environment(), "LOG_LEVEL": "INFO", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    runs = client.lrange(f"{settings.key_prefix}test:logged", 0, -1)
    client.close()
    return done.stdout + done.stderr, runs


@pytest.mark.parametrize(
    "flags, env, shown",
    [
        pytest.param((), {}, False, id="by default RQ's job lines are not printed"),
        pytest.param((), {"RQ_LOG_LEVEL": "info"}, True, id="RQ_LOG_LEVEL=info prints them"),
        pytest.param(("--rq-log-level", "INFO"), {}, True, id="so does --rq-log-level INFO"),
    ],
)
def test_rq_job_lines_follow_the_rq_log_level(redis_url, flags, env, shown):
    output, runs = _run_one_job(redis_url, *flags, **env)
    assert len(runs) == 1  # the job ran either way
    assert ("Job OK" in output) is shown, output
