"""Executions as durable RQ jobs: start, run (resuming), retry, wait, and recover.

An execution is a Redis document checkpointed after every step. Its job (`jobs.run_execution`,
the "formulas" queue) takes a lock with a lease, runs from the execution's `next` step, and
renews the lease at each checkpoint. A worker that dies leaves the lease to run out; `sweep`
(a periodic job) enqueues such executions again and they go on after their last finished step
(the step that was running when the worker died runs again: steps run at least once).

Executions started for one record (`record`, e.g. "incidents:7") wait in a per-record list
and run one at a time, in the order they were started.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from connector.errors import ConflictError, ConnectorError
from connector.formulas import execution_budget as budget
from connector.formulas import limits, resumes, runner
from connector.formulas.environment import FormulaEnv
from connector.formulas.ports import ExecutionPorts

QUEUED = "QUEUED"
JOB_TIMEOUT = 300  # RQ stops a job running longer than this
LEASE_SECONDS = JOB_TIMEOUT  # so an execution whose lease ran out has no live job
JOB_RETRIES = (5, 30, 120)  # a job that crashed (or was abandoned) runs again, resuming
PENDING_MAX_AGE = 24 * 3600  # an execution still unended after a day no longer counts

log = logging.getLogger("connector.formulas")


class TooManyExecutionsError(ConnectorError):
    """The organization has MAX_PENDING_EXECUTIONS executions not yet ended: an httpRequest
    step calling the service's own manual trigger (its public URL is a public address) would
    otherwise start executions that start executions, without end, for every tenant's workers.
    """

    status = 429
    code = "too_many_executions"


class Engine:
    def __init__(self, env: FormulaEnv) -> None:
        self.env = env
        self.keys = env.keys
        self.redis = env.redis

    # -- starting ------------------------------------------------------------------------
    def start(
        self,
        instance: dict[str, Any],
        trigger_name: str,
        value: dict[str, Any],
        *,
        record: str | None = None,
        dedup: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any] | None:
        """A new execution, stored and enqueued; None when `dedup` was seen already.
        TooManyExecutionsError when the organization has `limit` (by default
        MAX_PENDING_EXECUTIONS, a manual trigger's) not yet ended."""
        self._admit(instance["organizationId"], limit)
        if dedup is not None:
            seen = self.keys.formula_event_seen(instance["id"], dedup)
            if not self.redis.set(seen, "1", nx=True, ex=self.env.executions.ttl):
                return None
        doc = self.env.store.template_doc(instance["formulaId"])
        if doc is None:
            raise ConflictError(f"Formula {instance['formulaId']} was deleted")
        template = self.env.store.compiled(doc)
        execution = runner.new_execution(template, trigger_name, value, instance["configuration"])
        execution.update(
            id=self.env.executions.new_id(),
            formulaInstanceId=instance["id"],
            formulaId=instance["formulaId"],
            organizationId=instance["organizationId"],
            status=QUEUED,
            record=record,
        )
        self.env.executions.create(execution)
        self._pending(execution)
        if record is None:
            self._enqueue(execution)
            return execution
        queue = self.keys.formula_record_queue(instance["id"], record)
        with self.redis.pipeline() as pipe:
            pipe.rpush(queue, execution["id"])
            pipe.expire(queue, self.env.executions.ttl)
            length = pipe.execute()[0]
        if length == 1:  # first in line: run now; otherwise the one ahead hands over
            self._enqueue(execution)
        return execution

    # -- the organization's executions not yet ended --------------------------------------
    def _pending_key(self, organization_id: int) -> str:
        return f"{self.keys.formulas_running()}:org:{int(organization_id)}"

    def _admit(self, organization_id: int, limit: int | None = None) -> None:
        limit = limits.MAX_PENDING_EXECUTIONS if limit is None else limit
        key = self._pending_key(organization_id)
        with self.redis.pipeline() as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time() - PENDING_MAX_AGE)
            pipe.zcard(key)
            count = pipe.execute()[1]
        if count >= limit:
            raise TooManyExecutionsError(
                f"Your organization has {limit} formula executions "
                "not yet ended; try again when some have",
                headers={"Retry-After": "30"},
            )

    def _pending(self, execution: dict[str, Any]) -> None:
        key = self._pending_key(execution["organizationId"])
        with self.redis.pipeline() as pipe:
            pipe.zadd(key, {str(execution["id"]): time.time()})
            pipe.expire(key, PENDING_MAX_AGE)
            pipe.execute()

    def _enqueue(self, execution: dict[str, Any], delay: float = 0.0, tag: str = "") -> None:
        from connector.formulas import jobs

        if self.env.jobs is None:
            raise ConflictError("Formula executions need REDIS_URL and a worker")
        # the job's id names the run it is for: a run asked for from inside a job (a retry
        # step, a step's backoff) must not carry that job's own id, which is still pending
        attempt = execution["attempt"] + (1 if execution.get("restart") else 0)
        tag = tag or f"a{attempt}s{execution.get('stepAttempt', 1)}"
        self.env.jobs.enqueue(
            "formulas",
            jobs.run_execution,
            execution["id"],
            job_id=f"formula-exec-{execution['id']}-{tag}",
            delay=delay,
            retry=list(JOB_RETRIES),
            timeout=JOB_TIMEOUT,
        )

    # -- running (inside the job) --------------------------------------------------------
    def run(self, execution_id: int) -> None:
        """Run an execution from where it stands. Idempotent: a finished one is left alone,
        a running one (lock held) too, and one waiting for its record's turn as well."""
        execution = self.env.executions.get(execution_id)
        if execution is None:
            return
        if execution["status"] in runner.FINAL:
            self._finish(execution)  # a handover that did not happen (worker died after end)
            return
        if execution.get("record") and not self._first_in_line(execution):
            return
        lock = self.keys.formula_execution_lock(execution_id)
        if not self.redis.set(lock, "1", nx=True, ex=LEASE_SECONDS):
            return
        try:
            self._run_locked(execution)
        finally:
            self.redis.delete(lock)

    def _run_locked(self, execution: dict[str, Any]) -> None:
        instance = self.env.store.instance(execution["formulaInstanceId"])
        problem = blocked(instance)
        doc = self.env.store.template_doc(execution["formulaId"]) if instance else None
        if problem is None and doc is None:
            problem = f"formula {execution['formulaId']} was deleted"
        if problem is not None:
            execution.update(status=runner.FAILED, next=None, error=problem)
            self.env.executions.save(execution, force=True)
            self._finish(execution)
            return
        template = self.env.store.compiled(doc)
        if execution.get("restart"):
            runner.restart(execution, template)
        execution["status"] = runner.RUNNING
        ports = ExecutionPorts(self.env, instance)
        lock = self.keys.formula_execution_lock(execution["id"])

        def checkpoint(current: dict[str, Any]) -> None:
            current["elementCalls"] = current.get("elementCalls", 0) + ports.element_calls
            ports.element_calls = 0
            if not self.env.executions.save(current):
                budget.fail_over_budget(current, self.env.executions.max_bytes)
                self.env.executions.save(current, force=True)
            with self.redis.pipeline() as pipe:
                pipe.zadd(
                    self.keys.formulas_running(), {str(current["id"]): time.time() + LEASE_SECONDS}
                )
                pipe.expire(lock, LEASE_SECONDS)
                pipe.execute()

        checkpoint(execution)
        runner.run(template, execution, ports, checkpoint)
        self.redis.zrem(self.keys.formulas_running(), str(execution["id"]))
        if execution["status"] == runner.RETRYING:
            self._enqueue(execution, delay=float(execution.get("retryIn") or 0))
            self._signal(execution)
        else:
            self._finish(execution)

    def _first_in_line(self, execution: dict[str, Any]) -> bool:
        queue = self.keys.formula_record_queue(execution["formulaInstanceId"], execution["record"])
        head = self.redis.lindex(queue, 0)
        return head is None or str(head) == str(execution["id"])

    def _finish(self, execution: dict[str, Any]) -> None:
        """An ended execution: wake a sync caller; hand the record over to the next one."""
        self.redis.zrem(self._pending_key(execution["organizationId"]), str(execution["id"]))
        self._signal(execution)
        if not execution.get("record"):
            return
        queue = self.keys.formula_record_queue(execution["formulaInstanceId"], execution["record"])
        self.redis.lrem(queue, 1, execution["id"])
        following = self.redis.lindex(queue, 0)
        if following is not None:
            waiting = self.env.executions.get(following)
            if waiting is not None:
                self._enqueue(waiting)
            else:  # expired: skip it
                self.redis.lrem(queue, 1, following)

    def _signal(self, execution: dict[str, Any]) -> None:
        done = self.keys.formula_execution_done(execution["id"])
        with self.redis.pipeline() as pipe:
            pipe.rpush(done, execution["status"])
            pipe.expire(done, 120)
            pipe.execute()

    # -- after the fact ------------------------------------------------------------------
    def retry(self, execution: dict[str, Any]) -> dict[str, Any]:
        """Run a failed execution again from its failed step; replay any other ended one."""
        if execution["status"] not in runner.FINAL:
            raise ConflictError(f"Execution {execution['id']} is {execution['status']}")
        self._admit(execution["organizationId"])
        failed = None
        if execution["status"] == runner.FAILED:
            failed = next(
                (s["name"] for s in reversed(execution["steps"]) if s["status"] == runner.FAILED),
                None,
            )
        if failed is not None:
            execution.update(next=failed, stepAttempt=1)
        else:
            execution["restart"] = True
        execution.update(error=None, reason=None)
        execution["status"] = QUEUED
        execution["record"] = None  # a replay runs beside newer events of its record
        execution["retries"] = execution.get("retries", 0) + 1
        if not self.env.executions.save(execution):  # no longer ended: counts as running
            raise budget.ExecutionStorageError(
                "Your organization's kept executions are at their budget and none of the "
                "others has ended; try again when some have",
                headers={"Retry-After": "30"},
            )
        self._pending(execution)
        self._enqueue(execution, tag=f"retry{execution['retries']}")
        return execution

    def wait(self, execution_id: int, timeout: float) -> dict[str, Any] | None:
        """The execution once it ends or waits to retry, or as it stands after `timeout`."""
        done = self.keys.formula_execution_done(execution_id)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            # short blocking reads: the client's socket timeout is a few seconds
            if self.redis.blpop([done], timeout=max(1, min(2, int(left)))):
                break
        return self.env.executions.get(execution_id)

    def sweep(self, now: float | None = None) -> list[int]:
        """Enqueue again the running executions whose lease ran out (their worker died)."""
        return resumes.sweep(self, time.time() if now is None else now)

    def enqueue_resumed(self, execution: dict[str, Any]) -> None:
        self._enqueue(execution, tag=f"resume{execution['resumes']}")

    def finish_given_up(self, execution: dict[str, Any]) -> None:
        """An execution the sweep failed ends like any other (`_finish`): it leaves the
        pending count, a sync caller wakes, and the next one of its record gets its turn."""
        self._finish(execution)


def blocked(instance: dict[str, Any] | None) -> str | None:
    """Why a formula instance cannot run now, or None."""
    if instance is None:
        return "the formula instance was deleted"
    lost = instance.get("deletedElementInstanceIds")
    if lost:
        return (
            f"element instance {', '.join(str(i) for i in lost)} was deleted; "
            "the formula instance is stopped"
        )
    return None
