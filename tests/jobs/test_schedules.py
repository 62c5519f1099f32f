"""Schedules: once per tick however many workers look, cheap with thousands, put and remove."""

from __future__ import annotations

import secrets
import time

import pytest

from connector.jobs import Jobs, Schedules
from connector.storage.keys import Keys
from tests.fixtures.redis import RUN_PREFIX
from tests.jobs import functions


def test_a_schedule_runs_once_per_tick_with_three_workers(env):
    assert len(env.workers.running) == 3
    env.schedules.put("beat", "events", functions.ticked, every=1.0)
    try:
        ids = [str(i) for i in env.wait_runs("ticks", 4, timeout=60)]
    finally:
        env.schedules.remove("beat")
    prefix = f"{env.jobs.id_prefix}schedule-beat-"
    assert all(i.startswith(prefix) for i in ids)
    ticks = [int(i[len(prefix) :]) for i in ids]
    assert len(ticks) == len(set(ticks))  # no tick ran twice
    assert "beat" not in env.schedules.names()
    assert "beat" not in env.schedules.run_due(time.time() + 10)  # removed: never due again


def test_thousands_of_schedules_each_run_once_per_tick(env):
    keys = Keys(f"{RUN_PREFIX}idle-{secrets.token_hex(3)}:")
    jobs = Jobs(env.settings.redis_url, keys)
    schedules = Schedules(jobs, env.redis)
    names = [f"poll-{n}" for n in range(2000)]
    for name in names:
        schedules.put(name, "events", functions.ticked, every=3600.0)
    try:
        now = time.time()
        first = _look_until_idle(schedules, now)
        assert sorted(first) == sorted(names)
        assert jobs.queue("events").count == 2000
        assert _look_until_idle(schedules, now + 1) == []  # nothing is due within the tick
        # a due time seen again (a put meanwhile, a second host): the tick's lock holds
        env.redis.zadd(keys.jobs_schedules_due(), {"poll-7": now})
        assert schedules.run_due(now + 2) == []
        assert sorted(_look_until_idle(schedules, now + 3600)) == sorted(names)  # next tick
    finally:
        jobs.queue("events").empty()
        for name in names:
            schedules.remove(name)
    assert schedules.names() == []


def test_a_put_replaces_and_bad_schedules_are_refused(env):
    keys = Keys(f"{RUN_PREFIX}idle-{secrets.token_hex(3)}:")
    jobs = Jobs(env.settings.redis_url, keys)
    schedules = Schedules(jobs, env.redis)
    schedules.put("one", "bulk", functions.ticked, every=60.0)
    schedules.put("one", "formulas", "tests.jobs.functions.record", "polls", 7, every=120.0)
    try:
        assert schedules.names() == ["one"]
        now = time.time()
        assert schedules.run_due(now) == ["one"]
        assert jobs.queue("bulk").count == 0
        (job,) = jobs.queue("formulas").get_jobs()
        assert job.func_name == "tests.jobs.functions.record"
        assert job.args == ["polls", 7]  # a schedule's arguments reach its job, as JSON
        assert job.id == f"{jobs.id_prefix}schedule-one-{int(now // 120)}"
        for bad in (0.0, 0.5, float("nan"), float("inf"), -1.0):
            with pytest.raises(ValueError, match="at most every"):
                schedules.put("bad", "bulk", functions.ticked, every=bad)
        with pytest.raises(ValueError, match="unknown kind"):
            schedules.put("bad", "nope", functions.ticked, every=60.0)
        assert schedules.names() == ["one"]
    finally:
        jobs.queue("formulas").empty()
        schedules.remove("one")


def _look_until_idle(schedules: Schedules, now: float) -> list[str]:
    started: list[str] = []
    for _ in range(20):
        found = schedules.run_due(now)
        if (
            not found
            and schedules.redis.zcount(schedules.keys.jobs_schedules_due(), "-inf", now) == 0
        ):
            break
        started += found
    return started
