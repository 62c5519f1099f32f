"""Redis killed under a running app: 503s with Retry-After meanwhile, recovery without a restart.

The tests own their redis-server (persistent, in tmp_path): killing the suite's shared one
would fail every other test.
"""

from __future__ import annotations

import logging
import signal
import threading

import pytest
import redis
import requests

from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.redis_supervisor import RedisSupervisor
from tests.fixtures.hub import instance_api, instance_body
from tests.fixtures.jobs import wait_for
from tests.fixtures.own_redis import serving


def _kill(server: EmbeddedRedis) -> None:
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def test_a_redis_outage_answers_503_everywhere_and_the_app_recovers_by_itself(
    own_redis, settings, sandbox, caplog
):
    with serving(own_redis, settings) as served:
        tenant, base = served.tenant, served.base
        api = instance_api(served.url, tenant, sandbox)
        instance, hub = api.instance, api.headers
        contact = api.ok("GET", "contacts")[0]
        calls = [
            ("GET", "/health", {}, None),
            ("GET", "/instances", tenant.headers(), None),
            ("GET", f"/instances/{instance['id']}", tenant.headers(), None),
            ("POST", "/instances", tenant.headers(), instance_body(sandbox)),
            ("GET", "/hubs/crm/ping", hub, None),
            ("GET", "/hubs/crm/objects", hub, None),
            ("GET", "/hubs/crm/contacts", hub, None),
            ("GET", f"/hubs/crm/contacts/{contact['id']}", hub, None),
            ("POST", "/hubs/crm/contacts", hub, {"firstName": "Ada", "lastName": "Lovelace"}),
            ("GET", "/formulas", tenant.headers(), None),
        ]
        before = {
            path: requests.request(m, base + path, headers=h, timeout=30).status_code
            for m, path, h, _ in calls
            if m == "GET"
        }
        assert set(before.values()) == {200}, before

        _kill(own_redis)
        upstream_before = len(sandbox.requests())
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="connector"):
            for method, path, headers, body in calls:
                answer = requests.request(
                    method, base + path, headers=headers, json=body, timeout=30
                )
                assert answer.status_code == 503, f"{method} {path}: {answer.text}"
                assert answer.headers["Retry-After"].isdigit(), f"{method} {path}"
                assert "Redis" in answer.json()["message"]
                assert answer.json()["requestId"]
            scrape = requests.get(served.url + "/metrics", timeout=30)
            assert scrape.status_code == 200  # metrics need no Redis; a queue depth is skipped
        assert len(sandbox.requests()) == upstream_before  # nothing went upstream uncounted
        assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
        failures = [r for r in caplog.records if r.name == "connector.errors"]
        assert len(failures) == len(calls)  # one line per failed request
        assert all("storage_unavailable" in r.getMessage() for r in failures)

        own_redis.restart()  # same port and password, as the supervisor does

        def healthy():
            return requests.get(base + "/health", timeout=30).status_code == 200

        wait_for(healthy, what="/health to answer 200 again", timeout=20)
        for method, path, headers, _ in calls:
            if method == "GET":
                again = requests.request(method, base + path, headers=headers, timeout=30)
                assert again.status_code == 200, f"{path}: {again.text}"
        listed = requests.get(base + "/instances", headers=tenant.headers(), timeout=30).json()
        assert [i["id"] for i in listed] == [instance["id"]]  # nothing lost, nothing half-made


def test_the_supervisor_restarts_a_killed_redis_on_its_port_with_its_data(own_redis):
    given_up = threading.Event()
    supervisor = RedisSupervisor(own_redis, on_give_up=given_up.set, pause=0.05).start()
    client = redis.Redis.from_url(own_redis.url, socket_timeout=2)
    try:
        client.set("kept", "yes")
        port, first_pid = own_redis.port, own_redis.process.pid
        own_redis.process.send_signal(signal.SIGKILL)

        def answering():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(
            lambda: supervisor.restarts == 1 and answering(), what="the restarted Redis", timeout=20
        )
        assert own_redis.port == port and own_redis.process.pid != first_pid
        assert client.get("kept") == b"yes"  # acknowledged writes survive a SIGKILL
        assert not given_up.is_set()
    finally:
        supervisor.stop()
        client.close()


def test_the_supervisor_gives_up_when_redis_will_not_start_again(own_redis):
    given_up = threading.Event()
    supervisor = RedisSupervisor(own_redis, on_give_up=given_up.set, pause=0.05)
    client = redis.Redis.from_url(own_redis.url)
    client.set("a", "1")
    client.close()
    aof = own_redis.data_dir / "appendonly.aof"
    with aof.open("ab") as handle:
        handle.write(b"this is not a Redis command\r\n")  # a real fault: the file won't load
    supervisor.start()
    own_redis.process.send_signal(signal.SIGKILL)
    assert given_up.wait(30), "the supervisor kept trying"
    assert supervisor.gave_up and supervisor.restarts == 0
