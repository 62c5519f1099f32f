"""Putting work on the job queues: `Jobs.enqueue`, RQ underneath with its JSON serializer."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from connector.storage.keys import Keys

# the kinds of work, in the order a worker takes them (events are the most urgent)
KINDS = ("events", "formulas", "bulk")
DEFAULT_TIMEOUT = 3600
PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED)


def dotted(func: Callable[..., Any] | str) -> str:
    """A job's function as RQ stores it: `package.module.function`."""
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def binary(client: redis.Redis) -> redis.Redis:
    """RQ keeps bytes: a client on the same pool settings without decoding."""
    kwargs = dict(client.connection_pool.connection_kwargs)
    kwargs["decode_responses"] = False
    pool = redis.ConnectionPool(connection_class=client.connection_pool.connection_class, **kwargs)
    return redis.Redis(connection_pool=pool)


class Jobs:
    """The job queues of one deployment (one key prefix)."""

    def __init__(
        self, redis_url: str | None, keys: Keys, connection: redis.Redis | None = None
    ) -> None:
        if connection is None:
            if not redis_url:
                raise ValueError("Jobs need a Redis URL")
            connection = redis.Redis.from_url(redis_url)
        self.connection = connection
        self.keys = keys
        self._queues: dict[str, Queue] = {}
        # RQ's job ids are global to the Redis server: each deployment's are its own
        self.id_prefix = re.sub(r"[^A-Za-z0-9_-]", "_", keys.prefix)

    def job_id(self, name: str) -> str:
        """The RQ id of the job a feature calls `name` (letters, digits, `_`, `-` only)."""
        return self.id_prefix + re.sub(r"[^A-Za-z0-9_-]", "_", name)

    def queue(self, kind: str) -> Queue:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of job: {kind!r} (one of {', '.join(KINDS)})")
        if kind not in self._queues:
            self._queues[kind] = Queue(
                self.keys.jobs_queue(kind),
                connection=self.connection,
                serializer=JSONSerializer,
                default_timeout=DEFAULT_TIMEOUT,
            )
        return self._queues[kind]

    def queues(self, kinds: tuple[str, ...] | list[str] = KINDS) -> list[Queue]:
        return [self.queue(kind) for kind in kinds]

    def pending(self, job_id: str) -> Job | None:
        """The job of RQ id `job_id` while it is still to run (queued, delayed, retrying,
        running)."""
        try:
            job = Job.fetch(job_id, connection=self.connection, serializer=JSONSerializer)
        except NoSuchJobError:
            return None
        return job if job.get_status(refresh=False) in PENDING else None

    def enqueue(
        self,
        kind: str,
        func: Callable[..., Any] | str,
        *args: Any,
        job_id: str | None = None,
        delay: float = 0.0,
        retry: list[float] | None = None,
        timeout: float | None = None,
    ) -> Job:
        """Queue `func(*args)` on `kind`'s queue; a `job_id` still pending is not queued again
        (that job is answered). `retry`: the seconds to wait before each retry of a failure;
        `delay` and the intervals are never shortened, and may run up to a second longer."""
        queue = self.queue(kind)
        if job_id is not None:
            job_id = self.job_id(job_id)
            existing = self.pending(job_id)
            if existing is not None:
                return existing
        options: dict[str, Any] = {"job_id": job_id}
        if retry:
            # RQ schedules a retry at a whole second, dropping the fraction: one more second
            # makes an interval never shorter than asked (up to a second longer)
            intervals = [math.ceil(max(1.0, float(s))) + 1 for s in retry]
            options["retry"] = Retry(max=len(retry), interval=intervals)
        if timeout is not None:
            options["job_timeout"] = int(max(1, timeout))
        if delay > 0:
            # RQ's scheduler keeps whole seconds (it drops the fraction): round up, never early
            at = datetime.fromtimestamp(math.ceil(time.time() + delay), UTC)
            return queue.enqueue_at(at, dotted(func), *args, **options)
        return queue.enqueue(dotted(func), *args, **options)
