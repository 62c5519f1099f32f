"""A job refused by a full Redis (issue #11) is not failed, nor does it spend a retry: the
worker schedules it again, and it runs once room is made. A real RQ worker (the service's own
class, in this process, in burst mode) on a redis-server of the test's own: its memory
ceiling is changed, which the suite's shared Redis must never see."""

from __future__ import annotations

import pytest
import redis
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.serializers import JSONSerializer

from connector.jobs import Jobs
from connector.jobs import worker as worker_module
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.keys import Keys
from tests.jobs import functions

PREFIX = "full-test:"


@pytest.fixture
def own_redis():
    server = EmbeddedRedis(None, persistent=False)
    server.start()
    yield server
    server.stop()


def _work(jobs: Jobs) -> None:
    worker = worker_module.MeasuredWorker(
        jobs.queues(["events"]), connection=jobs.connection, serializer=JSONSerializer
    )
    worker.work(burst=True)


@pytest.mark.parametrize(
    ("wait", "expected"),
    [
        pytest.param(0, JobStatus.FINISHED, id="with no wait it runs again at once and succeeds"),
        pytest.param(30, JobStatus.SCHEDULED, id="with a wait it is scheduled, not failed"),
    ],
)
def test_a_job_refused_by_a_full_redis_runs_again_and_is_never_failed(
    own_redis, monkeypatch, caplog, wait, expected
):
    monkeypatch.setattr(worker_module, "STORAGE_FULL_RETRY_SECONDS", wait)
    jobs = Jobs(own_redis.url, Keys(PREFIX))
    client = redis.Redis.from_url(own_redis.url, decode_responses=True)
    try:
        job = jobs.enqueue("events", functions.full_once, f"{PREFIX}marker")  # no retries
        _work(jobs)
        job = Job.fetch(job.id, connection=jobs.connection, serializer=JSONSerializer)
        assert job.get_status(refresh=True) == expected
        assert FailedJobRegistry(queue=jobs.queue("events")).count == 0
        assert client.get(f"{PREFIX}marker:runs") == ("2" if wait == 0 else "1")
        if wait == 0:
            assert client.get(f"{PREFIX}marker") == "written"
        else:
            assert job.id in ScheduledJobRegistry(queue=jobs.queue("events")).get_job_ids()
        assert not [r for r in caplog.records if r.exc_info and r.name == "connector.jobs"]
    finally:
        client.close()
