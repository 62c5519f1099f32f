"""What a bulk job runs with: the app's services, the job's hub, its lease and checkpoints.

A worker builds the same app a web worker builds (settings from the environment, the maps,
the virtual-resource resolver), once per process, so a job reads and writes exactly as the
hub does. `JobRun` wraps one execution: the lease (one worker per job), the status moves, the
counting of upstream calls, and what a failure means for the job (below).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask

from connector.bulk.store import TERMINAL, BulkStore, now_iso
from connector.errors import (
    ConnectorError,
    ProviderError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
    StorageUnavailableError,
)

log = logging.getLogger("connector.bulk")

# failures that pass: the job is handed back to RQ, whose retry resumes it from its checkpoint
TRANSIENT = (
    ProviderRateLimitedError,
    ProviderUnavailableError,
    StorageUnavailableError,
    redis.RedisError,
)


PAUSE_SECONDS = 5  # the sweep leaves a paused job to RQ's retry this long


class JobInterrupted(Exception):  # noqa: N818 - RQ retries it; never shown to a client
    """A transient failure: the job resumes from its checkpoint when RQ runs it again."""


@dataclass
class Runtime:
    """The parts a bulk job or request needs, built once by the composition root."""

    settings: Any
    deps: Any  # connector.tenancy.services.Services
    registry: Any
    tokens: Any
    store: BulkStore
    jobs: Any  # connector.jobs.Jobs

    @classmethod
    def build(
        cls, services: Any, registry: Any, tokens: Any, client: redis.Redis, jobs: Any
    ) -> Runtime:
        settings = services.settings
        store = BulkStore(
            client, services.keys, retention_seconds=int(settings.bulk_retention_hours * 3600)
        )
        return cls(settings, services, registry, tokens, store, jobs)

    def hub(self, instance: Any) -> Any:
        from connector.hub.service import Hub

        return Hub(
            instance,
            deps=self.deps,
            redis_client=self.store.redis,
            registry=self.registry,
            tokens=self.tokens,
        )

    @staticmethod
    def of_app(app: Flask) -> Runtime:
        return app.extensions[EXTENSION]


EXTENSION = "connector.bulk"


def worker_runtime() -> Runtime:
    """The worker process's bulk runtime: the app connector.jobs built once per process."""
    from connector import jobs

    return Runtime.of_app(jobs.current().app)


class JobRun:
    def __init__(self, runtime: Runtime, job: dict[str, Any], owner: str) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.job = job
        self.id = int(job["id"])
        self.owner = owner
        instance = runtime.deps.instances.get(int(job["instanceId"]))
        if instance is None:
            raise ConnectorError("The instance of this job was deleted")
        self.instance = instance
        self.hub = runtime.hub(instance)
        self.client = self.hub.client
        self.client.background = True  # interactive hub calls keep a slot (see limits)
        self.lease_seconds = float(runtime.settings.bulk_lease_seconds)
        self._stop = threading.Event()
        self._heart = threading.Thread(target=self._beat, name=f"bulk-{self.id}", daemon=True)
        self._heart.start()

    def _beat(self) -> None:
        """Keep the lease while this process lives; a killed worker's lease runs out."""
        while not self._stop.wait(self.lease_seconds / 3):
            try:
                self.store.take_lease(self.id, self.owner, self.lease_seconds)
            except redis.RedisError as exc:
                log.debug("bulk lease renewal failed: %s", type(exc).__name__)

    def close(self) -> None:
        self._stop.set()

    @classmethod
    @contextmanager
    def start(
        cls, job_id: int, kind: str, runtime: Runtime | None = None
    ) -> Iterator[JobRun | None]:
        """The run of a job this worker may execute now, or None (done, or run elsewhere)."""
        runtime = runtime or worker_runtime()
        store = runtime.store
        job = store.get(job_id)
        if job is None or job.get("kind") != kind or job["status"] in TERMINAL:
            if job is not None and job["status"] in TERMINAL:
                _after(runtime, job_id)  # ended before it ran (cancelled): still announced
            yield None
            return
        owner = secrets.token_hex(8)
        if not store.take_lease(job_id, owner, float(runtime.settings.bulk_lease_seconds)):
            yield None  # a live worker runs it
            return
        try:
            if job["status"] == "CREATED":
                store.transition(job_id, ("CREATED",), "RUNNING", startDate=now_iso())
            store.update(job_id, workerPid=os.getpid())  # for operators: who runs it
            job = store.get(job_id) or job
            if job["status"] != "RUNNING":
                yield None
                return
            try:
                run = cls(runtime, job, owner)
            except ConnectorError as exc:
                _end(store, job_id, "ABORTED", str(exc))
                yield None
                return
            try:
                yield run
            except TRANSIENT as exc:
                store.update(
                    job_id,
                    statusMessage=f"Paused ({type(exc).__name__}); it resumes from its checkpoint",
                    resumeAt=time.time() + PAUSE_SECONDS,
                )
                raise JobInterrupted(str(exc)) from None
            except ProviderError as exc:
                _end(store, job_id, "ERROR", exc.provider_message or str(exc))
            except ConnectorError as exc:
                _end(store, job_id, "ERROR", str(exc))
            except Exception:
                log.exception("bulk job %s failed", job_id)
                _end(store, job_id, "ABORTED", "The connector failed running this job")
            finally:
                run.close()
        finally:
            store.release_lease(job_id, owner)
        _after(runtime, job_id)

    # -- progress -----------------------------------------------------------------------
    def calls(self) -> int:
        return self.client.stats.calls

    def checkpoint(self, *, expected: str, new: str, position: str = "cursor", **kw: Any) -> bool:
        applied = self.store.checkpoint(
            self.id, position=position, expected=expected, new=new, owner=self.owner, **kw
        )
        if applied:
            self.job[position] = new
        return applied

    def finish(self, message: str = "") -> None:
        self.store.transition(
            self.id, ("RUNNING",), "COMPLETED", endDate=now_iso(), statusMessage=message
        )

    def fail(self, status: str, message: str) -> None:
        _end(self.store, self.id, status, message)


def _end(store: BulkStore, job_id: int, status: str, message: str) -> None:
    store.transition(
        job_id, ("CREATED", "RUNNING"), status, endDate=now_iso(), statusMessage=message
    )


def _after(runtime: Runtime, job_id: int) -> None:
    """A job that ended here announces it to its callback URL, if it has one."""
    job = runtime.store.get(job_id)
    if job and job["status"] in TERMINAL and job.get("callbackUrl") and not job.get("notified"):
        from connector.bulk import queueing

        runtime.store.update(job_id, notified=True)
        queueing.enqueue_callback(runtime, job_id)
