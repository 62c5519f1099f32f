"""Resuming the executions whose worker died: the sweep (formulas/jobs.py runs it a minute).

An execution whose lease ran out while RUNNING lost its job (RQ ends a job at JOB_TIMEOUT, or
the worker died): the sweep takes its lock and enqueues it again, from the step it was at.
One that dies at the same step every run (a step that outlasts JOB_TIMEOUT, or kills its
worker) is resumed MAX_RESUMES_WITHOUT_PROGRESS times in a row at most, then fails with an
error naming the step: resumed for ever, it cost a worker every lease and kept its place in
its organization's execution budget. A resume obeys that budget like any checkpoint: one
the budget refuses fails as a refused checkpoint does (only a failure's small final record
is written past it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from connector.formulas import execution_budget as budget
from connector.formulas import limits, runner

if TYPE_CHECKING:
    from connector.formulas.engine import Engine

log = logging.getLogger("connector.formulas")


def sweep(engine: Engine, now: float) -> list[int]:
    from connector.formulas.engine import LEASE_SECONDS

    redis, keys = engine.redis, engine.keys
    resumed = []
    for raw in redis.zrangebyscore(keys.formulas_running(), "-inf", now, 0, 200):
        execution = engine.env.executions.get(raw)
        if execution is None or execution["status"] != runner.RUNNING:
            redis.zrem(keys.formulas_running(), raw)
            continue
        # past the lease its job is gone (RQ ends a job at JOB_TIMEOUT): take its lock
        redis.delete(keys.formula_execution_lock(raw))
        if _stalled(execution) > limits.MAX_RESUMES_WITHOUT_PROGRESS:
            _give_up(engine, execution, raw)  # it dies at the same step every run
            continue
        execution["resumes"] = execution.get("resumes", 0) + 1
        if not engine.env.executions.save(execution):  # its organization's budget is full
            budget.fail_over_budget(execution, engine.env.executions.max_bytes)
            _end(engine, execution, raw)  # as a refused checkpoint: failed, a small record
            continue
        redis.zadd(keys.formulas_running(), {raw: now + LEASE_SECONDS})
        engine.enqueue_resumed(execution)
        resumed.append(int(raw))
    return resumed


def _stalled(execution: dict[str, Any]) -> int:
    """Count this resume among those in a row with no step finished since the last one."""
    done = len(execution.get("steps") or [])
    same = execution.get("resumedAtSteps") == done
    execution["stalledResumes"] = execution.get("stalledResumes", 0) + 1 if same else 1
    execution["resumedAtSteps"] = done
    return execution["stalledResumes"]


def _give_up(engine: Engine, execution: dict[str, Any], raw: str) -> None:
    step = execution.get("next")
    execution.update(
        status=runner.FAILED,
        next=None,
        updatedDate=runner.now_iso(),
        error=(
            f"step '{step}': its worker died or ran past its time limit "
            f"{execution['stalledResumes']} times in a row; not resumed again"
        ),
    )
    _end(engine, execution, raw)
    log.warning("formula execution %s failed: not resumed again", raw)


def _end(engine: Engine, execution: dict[str, Any], raw: str) -> None:
    engine.env.executions.save(execution, force=True)  # a small final record
    engine.redis.zrem(engine.keys.formulas_running(), raw)
    engine.finish_given_up(execution)  # else its record's line and pending place stay taken
