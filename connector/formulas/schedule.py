"""Schedule triggers: each formula instance's cron runs at most once per tick, whoever looks.

A periodic job (`jobs.cron_tick`, every CRON_CHECK_SECONDS under the jobs' per-tick lock) asks
every scheduled formula instance whether a cron tick passed since it last looked; the tick is
claimed with `SET NX` on a key per (instance, trigger, tick), so two workers that both look
start one execution. Ticks missed while no worker ran are not caught up (the latest one runs);
a tick from before the instance was made never runs (made at 02:03, a 02:00 cron waits a day).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from connector.formulas import limits
from connector.formulas.engine import Engine, TooManyExecutionsError, blocked
from connector.formulas.environment import FormulaEnv
from connector.formulas.execution_budget import ExecutionStorageError

log = logging.getLogger("connector.formulas")

CRON_CHECK_SECONDS = 30.0
CLAIM_TTL = 2 * 86400
LOOK_BACK = timedelta(minutes=5)  # a first look, or a late one, covers this much at most


def cron_tick(env: FormulaEnv, now: datetime | None = None) -> list[int]:
    """The ids of the executions started for the ticks due by `now`."""
    now = now or datetime.now(UTC)
    engine = Engine(env)
    started = []
    for raw in sorted(env.redis.smembers(env.keys.formulas_scheduled())):
        instance = env.store.instance(raw)
        if instance is None:
            env.redis.srem(env.keys.formulas_scheduled(), raw)
            continue
        if not instance["active"] or blocked(instance):
            continue
        doc = env.store.template_doc(instance["formulaId"])
        if doc is None:
            continue
        for trigger in env.store.compiled(doc).triggers:
            if trigger.type != "schedule":
                continue
            field = f"{instance['id']}:{trigger.name}"
            last = env.redis.hget(env.keys.formula_cron_last(), field)
            after = datetime.fromtimestamp(float(last), UTC) if last else _created(instance)
            after = max(after, now - LOOK_BACK)
            env.redis.hset(env.keys.formula_cron_last(), field, now.timestamp())
            tick = trigger.due_between(after, now)
            if tick is None:
                continue
            claim = env.keys.formula_cron_tick(instance["id"], trigger.name, int(tick.timestamp()))
            if not env.redis.set(claim, "1", nx=True, ex=CLAIM_TTL):
                continue
            value = {"scheduledTime": tick.isoformat().replace("+00:00", "Z")}
            try:
                execution = engine.start(
                    instance, trigger.name, value, limit=limits.MAX_PENDING_EVENT_EXECUTIONS
                )
            except (
                TooManyExecutionsError,
                ExecutionStorageError,
            ):  # that organization's; the others' ticks go on
                log.warning(
                    "formulas: instance %s skipped a tick: too many executions", instance["id"]
                )
                continue
            if execution is not None:
                started.append(execution["id"])
    return started


def _created(instance: dict) -> datetime:
    """When the instance was made (to the second): its first look starts there."""
    try:
        return datetime.fromisoformat(instance["createdDate"])  # store.utc_now's, in UTC
    except (KeyError, TypeError, ValueError):
        return datetime.fromtimestamp(0, UTC)  # bounded by LOOK_BACK all the same


def index(env: FormulaEnv, instance: dict, has_schedule: bool) -> None:
    """Keep the set of scheduled formula instances in step with an instance's template."""
    if has_schedule and instance.get("active"):
        env.redis.sadd(env.keys.formulas_scheduled(), instance["id"])
    else:
        env.redis.srem(env.keys.formulas_scheduled(), instance["id"])
