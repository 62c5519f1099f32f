"""Jobs on real RQ workers: JSON arguments, functions by reference, one copy per job id,
delays, retry intervals, the worker's runtime built once."""

from __future__ import annotations

import json
import time
import zlib

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from connector.jobs import KINDS
from tests.fixtures.jobs import wait_for
from tests.jobs import functions


def test_json_arguments_round_trip_and_are_stored_as_json(env):
    args = ("json", 7, 2.5, "näme", None, True, [1, {"a": [2, 3]}], {"nested": {"k": "v"}})
    job = env.jobs.enqueue("events", functions.record, *args)
    raw = env.jobs.connection.hget(f"rq:job:{job.id}", "data")
    stored = json.loads(zlib.decompress(raw))  # JSON, not a pickle
    assert stored[0] == "tests.jobs.functions.record"
    (run,) = env.wait_runs("json", 1)
    assert run["args"] == list(args[1:])
    done = Job.fetch(job.id, connection=env.jobs.connection, serializer=JSONSerializer)
    wait_for(lambda: done.get_status(refresh=True) == JobStatus.FINISHED, what="finished")


def test_a_function_by_dotted_path_runs_on_its_kind_queue(env):
    queue = env.jobs.queue("bulk")
    assert queue.name == f"{env.settings.key_prefix}jobs:bulk"
    env.jobs.enqueue("bulk", "tests.jobs.functions.record", "dotted", "x")
    assert [r["args"] for r in env.wait_runs("dotted", 1)] == [["x"]]


def test_what_json_cannot_carry_is_refused_at_enqueue(env):
    with pytest.raises(TypeError):
        env.jobs.enqueue("events", functions.record, "never", {1, 2})
    with pytest.raises(ValueError, match="unknown kind"):
        env.jobs.enqueue("nope", functions.record, "never")
    assert env.runs("never") == []


def test_a_job_id_still_queued_is_not_queued_twice(env):
    # the delay keeps the first copy queued while the second is enqueued
    first = env.jobs.enqueue("formulas", functions.record, "once", 1, job_id="once", delay=1)
    second = env.jobs.enqueue("formulas", functions.record, "once", 2, job_id="once", delay=1)
    assert first.id == second.id
    assert first.id.endswith("once") and first.id.startswith(env.jobs.id_prefix)
    (run,) = env.wait_runs("once", 1)
    assert run["args"] == [1]
    # ended: the same id may run again
    wait_for(
        lambda: env.jobs.pending(first.id) is None, what="the first copy to be recorded as done"
    )
    env.jobs.enqueue("formulas", functions.record, "once", 3, job_id="once")
    assert [r["args"] for r in env.wait_runs("once", 2)] == [[1], [3]]


def test_a_delayed_job_waits_its_delay(env):
    before = time.time()
    job = env.jobs.enqueue("events", functions.record, "delayed", "d", delay=1.0)
    assert job.get_status(refresh=True) == JobStatus.SCHEDULED
    (run,) = env.wait_runs("delayed", 1)
    assert run["at"] >= before + 1.0


def test_a_failing_job_is_retried_after_each_interval_then_succeeds(env):
    before = time.time()
    job = env.jobs.enqueue("bulk", functions.fail_first, "flaky", 2, retry=[1, 2])
    runs = env.wait_runs("flaky", 3)
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, what="the third run")
    times = [before] + [r["at"] for r in runs]
    assert times[2] - times[1] >= 1.0  # the first interval
    assert times[3] - times[2] >= 2.0  # the second
    assert len(env.runs("flaky")) == 3


def test_a_job_failing_more_often_than_its_retries_ends_failed(env):
    job = env.jobs.enqueue("bulk", functions.fail_first, "doomed", 5, retry=[1])
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FAILED, what="the job to fail")
    assert len(env.runs("doomed")) == 2  # the run and its one retry


def test_a_worker_builds_its_runtime_once_for_all_its_jobs(env):
    for n in range(12):
        env.jobs.enqueue(KINDS[n % len(KINDS)], functions.record, "warm", n)
    runs = env.wait_runs("warm", 12)
    assert sorted(r["args"][0] for r in runs) == list(range(12))
    apps: dict[int, set[int]] = {}
    for run in runs:
        apps.setdefault(run["pid"], set()).add(run["app"])
    assert set(apps) <= {w.pid for w in env.workers.running}
    assert all(len(ids) == 1 for ids in apps.values())  # one app per worker process
