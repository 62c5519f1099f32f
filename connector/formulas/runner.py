"""Run an execution's steps one at a time, recording each, from wherever it stands.

The runner knows no Redis and no RQ: it takes an `Execution` (plain JSON data), runs steps
until the execution ends or must wait (a retry with backoff), and calls `checkpoint` after
every step so the caller can persist it. Run again on a checkpointed execution, it goes on
from the last finished step: that is what makes executions resumable after a worker dies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connector.formulas import limits
from connector.formulas.steps.base import END, Outcome, Ports, StepFailed, StepRun
from connector.formulas.template import CompiledTemplate

RUNNING, SUCCESS, FAILED, STOPPED, RETRYING = "RUNNING", "SUCCESS", "FAILED", "STOPPED", "RETRYING"
FINAL = frozenset({SUCCESS, FAILED, STOPPED})
BACKOFF_SECONDS = (1.0, 5.0, 30.0, 120.0)  # before the 2nd, 3rd... attempt of a step
_QUIET_HEADERS = {"accept", "content-type", "user-agent"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_execution(
    template: CompiledTemplate, trigger_name: str, trigger_value: dict[str, Any], config: dict
) -> dict[str, Any]:
    """A fresh execution record at its trigger's start step (not yet persisted)."""
    trigger = template.trigger(trigger_name)
    start = trigger.start if trigger else template.steps[0].name
    return {
        "status": RUNNING,
        "trigger": {"name": trigger_name, "type": trigger.type if trigger else "", **trigger_value},
        "config": config,
        "attempt": 1,
        "next": start,
        "stepAttempt": 1,
        "outputs": {},
        "steps": [],
        "retryIn": 0.0,
        "error": None,
        "createdDate": now_iso(),
        "updatedDate": now_iso(),
    }


def run(
    template: CompiledTemplate,
    execution: dict[str, Any],
    ports: Ports,
    checkpoint: Callable[[dict[str, Any]], None],
    *,
    max_steps: int = 200,
) -> dict[str, Any]:
    """Advance `execution` until it ends or waits; returns it (also passed to `checkpoint`)."""
    if execution["status"] == RETRYING:
        execution["status"] = RUNNING
    for _ in range(max_steps):  # jumps go forward, so this bound is never reached by a template
        name = execution.get("next")
        if execution["status"] != RUNNING or not name:
            break
        _run_one(template, execution, name, ports)
        _bound(execution, name)
        execution["updatedDate"] = now_iso()
        checkpoint(execution)
    if execution["status"] == RUNNING:
        execution["status"] = SUCCESS
        execution["next"] = None
        execution["updatedDate"] = now_iso()
        checkpoint(execution)
    return execution


def _variables(execution: dict[str, Any]) -> dict[str, Any]:
    trigger = {k: v for k, v in execution["trigger"].items()}
    return {
        "trigger": trigger,
        "steps": execution["outputs"],
        "config": execution["config"],
        "execution": {"id": execution.get("id"), "attempt": execution["attempt"]},
    }


def _run_one(template: CompiledTemplate, execution: dict[str, Any], name: str, ports: Ports):
    step = template.step(name)
    run = StepRun(_variables(execution), ports, attempt=execution["attempt"])
    record: dict[str, Any] = {
        "name": name,
        "type": step.type,
        "attempt": execution["stepAttempt"],
        "startedDate": now_iso(),
        "input": _input(step, run),
    }
    started = time.perf_counter()
    try:
        outcome = step.run(run)
    except StepFailed as exc:
        outcome = Outcome(output=exc.output, status=FAILED, reason=exc.message)
        if exc.transient and execution["stepAttempt"] < getattr(step, "max_attempts", 1):
            outcome.status = "BACKOFF"
        if exc.field:
            outcome.reason = f"properties.{exc.field}: {exc.message}"
    record["durationMs"] = round((time.perf_counter() - started) * 1000, 3)
    record["endedDate"] = now_iso()
    record["input"] = _shown(record["input"])
    record["output"] = _shown(outcome.output)
    _apply(template, execution, name, outcome, record)
    execution["steps"].append(record)


def _apply(template, execution, name: str, outcome: Outcome, record: dict[str, Any]) -> None:
    if outcome.status == "BACKOFF":
        record.update(status=RETRYING, error=outcome.reason)
        attempt = execution["stepAttempt"]
        execution.update(status=RETRYING, retryIn=BACKOFF_SECONDS[min(attempt, 4) - 1])
        execution["stepAttempt"] = attempt + 1
        return
    execution["stepAttempt"] = 1
    if outcome.status == "RETRY":
        record.update(status=SUCCESS)
        execution.update(status=RETRYING, retryIn=outcome.retry_in, next=None, restart=True)
        return
    if outcome.status == FAILED:
        record.update(status=FAILED, error=outcome.reason)
        execution["outputs"][name] = {"error": outcome.reason, "output": outcome.output}
        following = template.following(name, succeeded=False)
        if following is None:
            execution.update(status=FAILED, next=None, error=f"step '{name}': {outcome.reason}")
        else:
            execution["next"] = following
        return
    record["status"] = outcome.status
    if outcome.status == STOPPED:
        record["reason"] = outcome.reason
        execution.update(status=STOPPED, next=None, reason=f"step '{name}': {outcome.reason}")
        return
    execution["outputs"][name] = outcome.output
    if outcome.next == END:
        execution["next"] = None
    elif outcome.next is not None:
        execution["next"] = outcome.next
    else:
        execution["next"] = template.following(name, succeeded=True)


def _shown(value: Any) -> Any:
    """A step's input or output as its record keeps it: cut and marked when too large (the
    output itself is kept for the steps after it, within the execution's bound)."""
    size = len(json.dumps(value, default=str))
    if size > limits.MAX_STEP_RECORD_BYTES:
        return {"truncated": True, "bytes": size}
    return value


def _bound(execution: dict[str, Any], name: str) -> None:
    """An execution whose document outgrows MAX_EXECUTION_BYTES fails at the step that grew
    it (its output dropped): it is rewritten to Redis after every step and kept for days, so
    its size is every tenant's memory, not only its own."""
    if len(json.dumps(execution, default=str)) <= limits.MAX_EXECUTION_BYTES:
        return
    execution["outputs"].pop(name, None)
    if execution["steps"]:
        execution["steps"][-1]["output"] = None
    execution.update(
        status=FAILED,
        next=None,
        error=f"step '{name}': the execution is larger than {limits.MAX_EXECUTION_BYTES} bytes",
    )


def restart(execution: dict[str, Any], template: CompiledTemplate) -> None:
    """Prepare an execution a retry step asked for: from its trigger's start, next attempt."""
    trigger = template.trigger(execution["trigger"].get("name"))
    execution.update(
        status=RUNNING,
        attempt=execution["attempt"] + 1,
        next=trigger.start if trigger else template.steps[0].name,
        outputs={},
        stepAttempt=1,
        restart=False,
    )


def _input(step: Any, run: StepRun) -> dict[str, Any]:
    """What the step was given: its properties, references rendered where they resolve.

    Header values are not kept (they may carry the tenant's credentials), nor URL queries.
    """
    shown: dict[str, Any] = {}
    for key, value in step.properties.items():
        try:
            shown[key] = run.render(value, key)
        except StepFailed:
            shown[key] = value
    if isinstance(shown.get("headers"), dict):
        shown["headers"] = {
            k: (v if k.lower() in _QUIET_HEADERS else "****") for k, v in shown["headers"].items()
        }
    if isinstance(shown.get("url"), str):
        shown["url"] = shown["url"].split("?", 1)[0]
    return shown
