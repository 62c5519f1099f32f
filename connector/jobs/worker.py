"""The worker process: RQ's SimpleWorker on the job queues, RQ's scheduler (delays, retry
intervals) and the schedules' ticker.

Jobs run in the worker process itself, which built its runtime (and, on first use, the app)
once, so a job starts at once; a forked work horse would build the app again for every job.
A job that takes its worker down (SIGKILL, a lost host) is recovered by its feature's sweep
(bulk: the lease; formulas: the running set), which runs as a schedule.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.serializers import JSONSerializer

from connector.config import Settings
from connector.jobs import runtime as runtimes
from connector.jobs.queues import KINDS, Jobs
from connector.jobs.schedules import Schedules
from connector.observability import queues as metrics

log = logging.getLogger("connector.jobs")

TICKER_SECONDS = 0.5
OUTCOMES = {JobStatus.FINISHED: "done", JobStatus.FAILED: "failed"}


class MeasuredWorker(SimpleWorker):
    """A SimpleWorker that counts each job's outcome and time in the queue metrics."""

    kinds: dict[str, str] = {}

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
