"""Background work: one door for every feature (events, bulk, formulas).

    jobs = Jobs(settings.redis_url, keys)
    jobs.enqueue("bulk", run_download, job_id, retry=[5, 15, 60], timeout=3600)
    Schedules(jobs, redis).put("bulk-sweep", "bulk", run_sweep, every=30.0)

    def run_download(job_id):           # inside a worker
        runtime = connector.jobs.current()   # built once per worker process

Jobs are RQ jobs on the queue `{CONNECTOR_KEY_PREFIX}jobs:{kind}`, stored with RQ's JSON
serializer (arguments are ids and plain JSON, never pickles). `autotask-connector worker`
runs them (connector.jobs.worker).
"""

from __future__ import annotations

from connector.jobs.queues import KINDS, Jobs
from connector.jobs.runtime import WorkerRuntime, current
from connector.jobs.schedules import Schedules

__all__ = ["KINDS", "Jobs", "Schedules", "WorkerRuntime", "current"]
