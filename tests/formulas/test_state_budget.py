"""A formula instance's `state` values are bounded in count and bytes (issue #11): a put past
either fails its step saying which bound and what to do, nothing is written, a delete or an
expiry makes room again, and another formula instance's state is its own. Through a manual
trigger over real HTTP, the execution run in this process through the engine."""

from __future__ import annotations

import pytest
import requests

from connector.formulas import limits
from connector.formulas.engine import Engine
from tests.formulas.conftest import BASE


def keeper(action: str = "put") -> dict:
    """A manual template: `state` put (or delete) of key `trigger.body.k`."""
    properties = {"action": action, "key": "k-${trigger.body.k}"}
    if action == "put":
        properties["value"] = "trigger.body.v"
    return {
        "name": f"keeper-{action}",
        "triggers": [{"type": "manual", "properties": {"required": ["k"]}}],
        "steps": [{"name": "keep", "type": "state", "properties": properties}],
    }


@pytest.fixture
def run_state(live_server, tenant, client, formulas_env):
    h = tenant.headers()

    def install(template: dict) -> int:
        formula = client.post(f"{BASE}/formulas", json=template, headers=h).get_json()
        made = client.post(
            f"{BASE}/formulas/{formula['id']}/instances",
            json={"name": "s", "configuration": {}},
            headers=h,
        )
        assert made.status_code == 200, made.get_data(as_text=True)
        return made.get_json()["id"]

    def run(instance_id: int, **body) -> dict:
        url = f"{live_server.url}{BASE}/formulas/instances/{instance_id}/executions"
        started = requests.post(url, json=body, headers=h, timeout=30)
        assert started.status_code == 202, started.text
        Engine(formulas_env).run(started.json()["id"])
        return formulas_env.executions.get(started.json()["id"])

    return install, run


def test_past_the_key_count_a_put_fails_its_step_and_a_delete_makes_room(
    run_state, monkeypatch, formulas_env
):
    monkeypatch.setattr(limits, "MAX_STATE_KEYS", 3)
    install, run = run_state
    puts = install(keeper())
    for n in range(3):
        assert run(puts, k=n, v="x")["status"] == "SUCCESS"
    assert run(puts, k=1, v="again")["status"] == "SUCCESS"  # a key it has: no new room
    refused = run(puts, k=9, v="x")
    assert refused["status"] == "FAILED"
    assert "properties.key" in refused["error"] and "3 values at most" in refused["error"]
    found = formulas_env.redis.exists(formulas_env.keys.formula_state(puts, "k-9"))
    assert not found  # nothing written
    other = install(keeper())  # another formula instance: its own room
    assert run(other, k=9, v="x")["status"] == "SUCCESS"
    # a delete of the same formula instance's state frees one
    from connector.formulas.ports import ExecutionPorts

    ports = ExecutionPorts(formulas_env, formulas_env.store.instance(puts))
    assert ports.state_delete("k-0") is True
    assert run(puts, k=9, v="x")["status"] == "SUCCESS"


def test_past_the_bytes_a_put_fails_naming_the_value(run_state, monkeypatch, formulas_env):
    monkeypatch.setattr(limits, "MAX_STATE_BYTES", 600)
    install, run = run_state
    puts = install(keeper())
    assert run(puts, k=1, v="a" * 200)["status"] == "SUCCESS"
    assert run(puts, k=2, v="b" * 200)["status"] == "SUCCESS"
    refused = run(puts, k=3, v="c" * 200)
    assert refused["status"] == "FAILED"
    assert "properties.value" in refused["error"] and "600 bytes" in refused["error"]
    sizes = formulas_env.keys.formula_state_index(puts, "sizes")
    assert int(formulas_env.redis.hget(sizes, "_total")) <= 600


def test_expired_values_leave_the_count(run_state, monkeypatch, formulas_env):
    monkeypatch.setattr(limits, "MAX_STATE_KEYS", 1)
    install, run = run_state
    puts = install(keeper())
    assert run(puts, k=1, v="x")["status"] == "SUCCESS"
    key = formulas_env.keys.formula_state(puts, "k-1")
    expiry = formulas_env.keys.formula_state_index(puts, "expiry")
    formulas_env.redis.zadd(expiry, {key: 1})  # as if its TTL had run out (ms 1)
    formulas_env.redis.delete(key)
    assert run(puts, k=2, v="x")["status"] == "SUCCESS"
