"""#11, found by a hostile review: an execution whose worker dies at the same step on every run (a
step that outlasts JOB_TIMEOUT, or kills its worker) is resumed by the sweep without end.
Each resume writes it again (forced past the organization's budget), and dfc0f6d scores an
execution by its last write, so those writes keep it in the figures for ever (before, the
forced write re-created it after the age drop: not bounded either). Nothing bounds how many
times it is resumed: a poison execution costs a worker every lease (300 s) for as long as
the service runs, and holds its place in its organization's budget while it does.

Real Redis and the app's formula environment; the worker deaths are the state a dead worker
leaves (the execution RUNNING, its lease run out, no step finished since), and the resumed
run's jobs are left in the queue: they would die the same way. Time passes on the sweep's
own `now` and on a fake clock the execution store reads (named FakeClock), as in
test_execution_age.py."""

from __future__ import annotations

import time

import pytest

from connector.formulas import executions
from connector.formulas.engine import LEASE_SECONDS, Engine
from tests.formulas.conftest import calling

DEATHS = 20  # far more than any transient fault: the step kills its worker every run


class FakeClock:
    """Stands in for the `time` module in connector.formulas.executions: days cannot pass."""

    now = time.time()

    @classmethod
    def time(cls) -> float:
        return cls.now


@pytest.fixture
def clock(monkeypatch) -> type[FakeClock]:
    FakeClock.now = time.time()
    monkeypatch.setattr(executions, "time", FakeClock)
    return FakeClock


def test_an_execution_that_kills_its_worker_every_run_is_not_resumed_for_ever(
    formulas_env, make_instance, receiver, clock
):
    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    engine = Engine(formulas_env)
    stored = formulas_env.store.instance(instance["id"])
    execution = engine.start(stored, "manual0", {"body": {"n": 1}})
    assert execution is not None
    # its first run took the execution and died in its step: RUNNING, a lease that runs out
    execution["status"] = "RUNNING"
    assert formulas_env.executions.save(execution)
    running = formulas_env.keys.formulas_running()
    formulas_env.redis.zadd(running, {str(execution["id"]): clock.now + LEASE_SECONDS})

    resumed = 0
    for _ in range(DEATHS):
        clock.now += 36 * 3600  # a day and a half between sweeps: 30 days in all
        if engine.sweep(now=clock.now) == [execution["id"]]:
            resumed += 1
        # the resumed run dies at the same step again: nothing else changes

    final = formulas_env.executions.get(execution["id"])
    assert resumed < DEATHS, f"resumed {resumed} times in 30 days without finishing a step"
    assert final is not None and final["status"] == "FAILED"


def test_an_execution_given_up_hands_its_record_over_and_leaves_the_pending_count(
    formulas_env, make_instance, receiver, clock
):
    """A given-up execution ends like any other: the next one of its record runs (it waited
    for its turn behind it, for ever before) and it no longer counts as pending."""
    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    engine = Engine(formulas_env)
    stored = formulas_env.store.instance(instance["id"])
    poison = engine.start(stored, "manual0", {"body": {"n": 1}}, record="incidents:7")
    following = engine.start(stored, "manual0", {"body": {"n": 2}}, record="incidents:7")
    assert poison is not None and following is not None
    poison["status"] = "RUNNING"
    assert formulas_env.executions.save(poison)
    running = formulas_env.keys.formulas_running()
    formulas_env.redis.zadd(running, {str(poison["id"]): clock.now + LEASE_SECONDS})
    line = formulas_env.keys.formula_record_queue(instance["id"], "incidents:7")
    pending = engine._pending_key(poison["organizationId"])
    assert formulas_env.redis.zscore(pending, str(poison["id"])) is not None

    for _ in range(DEATHS):
        clock.now += 36 * 3600
        engine.sweep(now=clock.now)

    assert formulas_env.executions.get(poison["id"])["status"] == "FAILED"
    assert [int(i) for i in formulas_env.redis.lrange(line, 0, -1)] == [following["id"]]
    assert formulas_env.redis.zscore(pending, str(poison["id"])) is None


def test_a_resume_the_budget_refuses_fails_as_a_refused_checkpoint_does(
    formulas_env, make_instance, receiver, clock
):
    """Its organization's kept executions at their budget with none ended: the resume's
    write is refused, and the execution fails with a small final record naming the budget,
    instead of being tried at every sweep until its record aged out with no word."""
    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    engine = Engine(formulas_env)
    execution = engine.start(formulas_env.store.instance(instance["id"]), "manual0", {})
    assert execution is not None
    execution["status"] = "RUNNING"
    assert formulas_env.executions.save(execution)
    running = formulas_env.keys.formulas_running()
    formulas_env.redis.zadd(running, {str(execution["id"]): clock.now + LEASE_SECONDS})
    kept = formulas_env.executions.max_bytes
    formulas_env.executions.max_bytes = 1  # the budget: full of this unended one
    try:
        clock.now += LEASE_SECONDS + 1
        assert engine.sweep(now=clock.now) == []
    finally:
        formulas_env.executions.max_bytes = kept
    final = formulas_env.executions.get(execution["id"])
    assert final["status"] == "FAILED" and "FORMULA_EXECUTIONS_MAX_BYTES" in final["error"]
    assert formulas_env.redis.zscore(running, str(execution["id"])) is None
