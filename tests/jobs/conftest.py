"""One deployment (its own key prefix) and three real job workers per module."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from cryptography.fernet import Fernet

from connector.config import Settings
from connector.jobs import Jobs, Schedules
from connector.storage.keys import Keys
from tests.fixtures.jobs import JobWorkers, wait_for
from tests.fixtures.redis import RUN_PREFIX


class JobsEnv:
    def __init__(self, redis_url: str) -> None:
        self.settings = Settings(
            redis_url=redis_url,
            key_prefix=f"{RUN_PREFIX}jobs-{secrets.token_hex(3)}:",
            data_dir="/tmp/atc-jobs-tests",  # noqa: S108 - nothing is written there by tests
            secret_key=Fernet.generate_key().decode(),
        )
        self.keys = Keys(self.settings.key_prefix)
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.jobs = Jobs(redis_url, self.keys)
        self.schedules = Schedules(self.jobs, self.redis)
        self.workers = JobWorkers()

    def key(self, name: str) -> str:
        return f"{self.settings.key_prefix}test:{name}"

    def runs(self, name: str) -> list[Any]:
        return [json.loads(raw) for raw in self.redis.lrange(self.key(name), 0, -1)]

    def wait_runs(self, name: str, count: int, timeout: float = 30.0) -> list[Any]:
        return wait_for(
            lambda: (found := self.runs(name)) and len(found) >= count and found,
            what=f"{count} runs of {name}",
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def env(redis_url: str) -> Iterator[JobsEnv]:
    jobs_env = JobsEnv(redis_url)
    for _ in range(3):
        jobs_env.workers.start(jobs_env.settings)
    try:
        yield jobs_env
    finally:
        jobs_env.workers.stop()
        jobs_env.redis.close()
