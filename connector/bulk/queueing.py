"""Handing bulk work to the workers (connector.jobs, the `bulk` kind): a download, an upload,
a completion callback, and the periodic sweep that resumes a dead worker's job."""

from __future__ import annotations

from typing import Any

KIND = "bulk"
# a paused job (Autotask's budget or an outage) resumes from its checkpoint on each retry
RESUME = [5, 15, 30, 60, 120, 300, 600, 900]
CALLBACK_RETRIES = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144]
JOB_TIMEOUT = 6 * 3600
SWEEP = "bulk-sweep"
FUNCTIONS = {
    "download": "connector.bulk.download.run_download",
    "upload": "connector.bulk.upload.run_upload",
}


def enqueue_job(runtime: Any, kind: str, job_id: int) -> None:
    runtime.jobs.enqueue(KIND, FUNCTIONS[kind], int(job_id), retry=RESUME, timeout=JOB_TIMEOUT)


def enqueue_callback(runtime: Any, job_id: int) -> None:
    runtime.jobs.enqueue(
        KIND, "connector.bulk.callback.deliver_callback", int(job_id), retry=CALLBACK_RETRIES
    )


def schedule_sweep(runtime: Any, client: Any) -> None:
    """The sweep, once per tick across all workers, every `BULK_LEASE_SECONDS`/2 (>= 1 s)."""
    from connector.jobs import Schedules

    every = max(1.0, float(runtime.settings.bulk_lease_seconds) / 2)
    Schedules(runtime.jobs, client).put(
        SWEEP, KIND, "connector.bulk.recovery.run_sweep", every=every
    )
