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


def test_an_organizations_formula_instances_share_one_state_budget(
    run_state, monkeypatch, formulas_env
):
    """1,000 formula instances of 16 MiB each would be 16 GiB: the organization's instances
    together stay within MAX_ORG_STATE_BYTES, and deleting values or a formula instance makes
    room again."""
    install, run = run_state
    first, second = install(keeper()), install(keeper())
    one = 602 + len(formulas_env.keys.formula_state(first, "k-1"))  # a value of 600 and its key
    monkeypatch.setattr(limits, "MAX_ORG_STATE_BYTES", 2 * one + 300)
    assert run(first, k=1, v="a" * 600)["status"] == "SUCCESS"
    assert run(second, k=1, v="b" * 600)["status"] == "SUCCESS"
    refused = run(second, k=2, v="c" * 600)  # each instance within its own bound, not together
    assert refused["status"] == "FAILED"
    assert "properties.value" in refused["error"] and "organization" in refused["error"]
    assert not formulas_env.redis.exists(formulas_env.keys.formula_state(second, "k-2"))
    assert run(second, k=1, v="b")["status"] == "SUCCESS"  # a smaller value: room again
    assert run(second, k=2, v="c" * 600)["status"] == "SUCCESS"
    assert run(first, k=3, v="d" * 600)["status"] == "FAILED"
    from connector.formulas.ports import ExecutionPorts

    assert ExecutionPorts(formulas_env, formulas_env.store.instance(second)).state_delete("k-2")
    assert run(first, k=3, v="d" * 600)["status"] == "SUCCESS"
    formulas_env.store.delete_instance(formulas_env.store.instance(first))
    third = install(keeper())
    assert run(third, k=1, v="e" * 800)["status"] == "SUCCESS"  # the deleted one's room is free


def test_a_delete_of_a_value_never_put_answers_false(run_state, formulas_env):
    """Lua's -0 is not an integer to HINCRBY: a delete of an unknown key once failed so."""
    install, _ = run_state
    from connector.formulas.ports import ExecutionPorts

    ports = ExecutionPorts(formulas_env, formulas_env.store.instance(install(keeper())))
    assert ports.state_delete("never-put") is False
