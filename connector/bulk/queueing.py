"""Handing bulk work to the RQ workers: a download, an upload, a completion callback."""

from __future__ import annotations

from typing import Any

from rq import Queue, Retry

QUEUE = "bulk"
# a paused job (Autotask's budget or an outage) resumes from its checkpoint on each retry
RESUME = Retry(max=8, interval=[5, 15, 30, 60, 120, 300, 600, 900])
JOB_TIMEOUT = 6 * 3600


def queue(runtime: Any) -> Queue:
    settings = runtime.settings
    return Queue(
        f"{settings.key_prefix}{QUEUE}", connection=runtime.store.raw, default_timeout=JOB_TIMEOUT
    )


def enqueue_job(runtime: Any, kind: str, job_id: int) -> None:
    function = {
        "download": "connector.bulk.download.run_download",
        "upload": "connector.bulk.upload.run_upload",
    }[kind]
    queue(runtime).enqueue(function, job_id, retry=RESUME)


def enqueue_callback(runtime: Any, job_id: int) -> None:
    queue(runtime).enqueue(
        "connector.bulk.callback.deliver_callback",
        job_id,
        retry=Retry(max=9, interval=[4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144]),
    )
