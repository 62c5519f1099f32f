"""The sweep: a job whose worker died is handed to another worker, from its checkpoint.

A running job's worker keeps its lease alive (see runtime.JobRun); a job still RUNNING with
no lease lost its worker (kill -9, a lost host). The sweep, run periodically under a lock so
one worker does it per tick, enqueues such a job again; `JobRun.start` then takes the lease
and the job continues from its checkpoint. A paused job (waiting for RQ's retry) is left
alone until its `resumeAt`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from connector.bulk import queueing
from connector.bulk.store import TERMINAL

log = logging.getLogger("connector.bulk")


def sweep(runtime: Any) -> list[int]:
    """Enqueue again every job that lost its worker; answers their ids."""
    store = runtime.store
    resumed = []
    for job_id in store.active_ids():
        job = store.get(job_id)
        if job is None or job["status"] in TERMINAL:
            store.forget_active(job_id)
            continue
        if job["status"] != "RUNNING" or store.lease_held(job_id):
            continue
        if float(job.get("resumeAt") or 0) > time.time():
            continue
        log.info("bulk job %s lost its worker; resuming it from its checkpoint", job_id)
        # one copy per sweep: the next sweep waits for this one to start
        store.update(job_id, resumeAt=time.time() + 2 * runtime.settings.bulk_lease_seconds)
        queueing.enqueue_job(runtime, job["kind"], job_id)
        resumed.append(job_id)
    return resumed


def run_sweep() -> list[int]:
    """RQ job (periodic): one sweep. Idempotent: a job enqueued twice runs once (its lease)."""
    from connector.bulk.runtime import worker_runtime

    return sweep(worker_runtime())
