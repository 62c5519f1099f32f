"""The worker process: RQ's SimpleWorker on the job queues, RQ's scheduler (delays, retry
intervals) and the schedules' ticker.

Jobs run in the worker process itself, which built its runtime (and, on first use, the app)
once, so a job starts at once; a forked work horse would build the app again for every job.
A job that takes its worker down (SIGKILL, a lost host) is recovered by its feature's sweep
(bulk: the lease; formulas: the running set), which runs as a schedule. A job that failed
because Redis is full (it evicts nothing, see connector/storage/full.py) is not failed: it is
scheduled again after STORAGE_FULL_RETRY_SECONDS without spending one of its retries, and if
even that cannot be written it stays in RQ's started registry, whose cleanup hands it back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.serializers import JSONSerializer

from connector.config import Settings
from connector.jobs import runtime as runtimes
from connector.jobs.queues import KINDS, Jobs
from connector.jobs.schedules import Schedules
from connector.observability import queues as metrics
from connector.storage.full import is_storage_full

log = logging.getLogger("connector.jobs")

TICKER_SECONDS = 0.5
OUTCOMES = {JobStatus.FINISHED: "done", JobStatus.FAILED: "failed"}
STORAGE_FULL_RETRY_SECONDS = 30.0  # a full Redis needs its caches' TTLs or an operator
PUBSUB_WAKE_SECONDS = 0.5  # the longest a worker's exit waits on its pub/sub thread: under
# RQ's join(timeout=1) before it closes the pub/sub itself, so the thread has closed it first
# (at 1.0 the two closes could cross: redis-py 7.1 raised in the thread, a warning in CI)


class MeasuredWorker(SimpleWorker):
    """A SimpleWorker that counts each job's outcome and time in the queue metrics."""

    kinds: dict[str, str] = {}

    def subscribe(self) -> None:
        """RQ's own, with its pub/sub thread waking every PUBSUB_WAKE_SECONDS instead of 60.
        Once RQ unsubscribes at the worker's exit the thread waits out its whole sleep on
        redis-py's "subscribed" event, and redis-py's stop() joins it without a bound: about
        one exit in three (a burst's end, a SIGTERM's warm shutdown) took a minute."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAKE_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    def execute_job(self, job: Job, queue: Queue) -> None:
        started = time.monotonic()
        try:
            super().execute_job(job, queue)
        finally:
            kind = self.kinds.get(queue.name, queue.name)
            try:
                status = job.get_status(refresh=True)
            except Exception:  # the job's hash expired or Redis went away
                status = None
            metrics.count_job(kind, OUTCOMES.get(status, "retried"))
            metrics.observe_job_seconds(kind, time.monotonic() - started)

    _storage_full_job: str | None = None

    def handle_exception(self, job: Job, *exc_info: Any) -> None:
        if exc_info[1] is not None and is_storage_full(exc_info[1]):
            self._storage_full_job = job.id  # one line, no traceback: nothing is wrong with it
            log.warning(
                "job %s: storage (Redis) is full; it runs again in %s s",
                job.id,
                STORAGE_FULL_RETRY_SECONDS,
            )
            return
        super().handle_exception(job, *exc_info)

    def handle_job_failure(
        self,
        job: Job,
        queue: Queue,
        started_job_registry: Any = None,
        exc_string: str = "",
        execution: Any = None,
    ) -> None:
        if self._storage_full_job != job.id:
            super().handle_job_failure(job, queue, started_job_registry, exc_string, execution)
            return
        self._storage_full_job = None
        try:
            with self.connection.pipeline() as pipe:  # MULTI: all of it or, when full, none
                self.cleanup_execution(job, pipeline=pipe, execution=execution)
                if STORAGE_FULL_RETRY_SECONDS > 0:
                    at = datetime.now(UTC) + timedelta(seconds=STORAGE_FULL_RETRY_SECONDS)
                    job.set_status(JobStatus.SCHEDULED, pipeline=pipe)
                    queue.schedule_job(job, at, pipeline=pipe)
                else:
                    queue._enqueue_job(job, pipeline=pipe)  # as RQ's own retry without a wait
                pipe.execute()
        except redis.RedisError as exc:
            log.warning(
                "job %s left in the started registry (%s); RQ's cleanup hands it back",
                job.id,
                type(exc).__name__,
            )


def tick_forever(schedules: Schedules, stop: threading.Event) -> None:
    while not stop.wait(TICKER_SECONDS):
        try:
            schedules.run_due()
        except Exception as exc:  # a failed look is tried again next look
            log.warning("schedules look failed: %s", type(exc).__name__)


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """`--queues a,b` as kinds; every kind when empty."""
    if not text:
        return KINDS
    kinds = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"unknown queue {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    return kinds


def run_worker(
    kinds: Sequence[str] = KINDS,
    *,
    burst: bool = False,
    settings: Settings | None = None,
    rq_log_level: str | None = None,
) -> None:
    """Work the queues of `kinds` until stopped (with `burst`, until they are empty). RQ's
    own lines (a job started, a job OK, its result kept) log at `rq_log_level`, else
    RQ_LOG_LEVEL (WARNING): the 1-second callout drain would print three INFO lines a
    second; a failed job still logs its error, and the connector's own lines keep LOG_LEVEL."""
    runtime = runtimes.configure(settings)
    app = runtime.app  # built once, before any job
    client = app.extensions["connector.redis"]["client"]
    keys = app.extensions["connector.redis"]["keys"]
    jobs = Jobs(runtime.settings.redis_url, keys)
    queues = jobs.queues(list(kinds))
    MeasuredWorker.kinds = {jobs.queue(k).name: k for k in kinds}
    stop = threading.Event()
    ticker = threading.Thread(
        target=tick_forever, args=(Schedules(jobs, client), stop), name="schedules", daemon=True
    )
    ticker.start()
    try:
        worker = MeasuredWorker(queues, connection=jobs.connection, serializer=JSONSerializer)
        level = (rq_log_level or runtime.settings.rq_log_level).upper()
        worker.work(with_scheduler=True, burst=burst, logging_level=level)
    finally:
        stop.set()
