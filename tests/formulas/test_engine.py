"""Executions on a real job worker: manual (sync and not), event and schedule triggers, retries
with backoff and from the failed step, and the limits that hold at run time."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from connector.config import Settings
from connector.formulas import limits
from connector.formulas.events import on_event
from connector.formulas.schedule import cron_tick
from tests.fixtures.app import deployment_settings
from tests.fixtures.jobs import JobWorkers, WorkerProcess, wait_for
from tests.fixtures.redis import RUN_PREFIX
from tests.formulas.conftest import (
    BASE,
    calling,
    event_template,
    install_formula,
    post_execution,
    run_sync,
    run_wait,
)


@pytest.fixture(scope="module")
def settings(redis_url, tmp_path_factory) -> Settings:
    """One deployment for the module, so that one job worker serves all its tests (a worker
    process takes a second or two to start and as long to stop); each test has a tenant
    (an organization) and a receiver of its own."""
    prefix = f"{RUN_PREFIX}engine-{secrets.token_hex(3)}:"
    made = deployment_settings(redis_url, prefix, tmp_path_factory.mktemp("engine"))
    # the receivers run on loopback, which formula URLs may reach only when the operator allows
    return replace(made, formulas_allow_private_urls=True)


@pytest.fixture(scope="module")
def worker(settings) -> Iterator[WorkerProcess]:
    workers = JobWorkers()
    try:
        yield workers.start(settings, queues="formulas")
    finally:
        workers.stop()


def test_a_sync_manual_execution_answers_every_step(
    client, tenant, make_instance, receiver, worker
):
    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    execution = run_sync(client, tenant, instance["id"], {"n": 4})
    assert execution["status"] == "SUCCESS"
    assert [(s["name"], s["status"]) for s in execution["steps"]] == [
        ("compute", "SUCCESS"),
        ("send", "SUCCESS"),
    ]
    compute = execution["steps"][0]
    assert compute["output"] == {"double": 8} and compute["durationMs"] >= 0
    assert execution["steps"][1]["input"]["body"] == {"value": 8}
    assert [r["json"] for r in receiver.to("/in")] == [{"value": 8}]


def test_a_5xx_is_retried_with_backoff_then_succeeds(
    client, tenant, make_instance, receiver, worker
):
    receiver.answers["/flaky"] = [(503, {"busy": True}), (200, {"ok": True})]
    _, instance = make_instance(calling(receiver.url + "/flaky"), receiver.url + "/flaky")
    started = post_execution(client, tenant, instance["id"], {"n": 1})
    assert started.status_code == 202
    execution = run_wait(client, tenant, started.get_json()["id"])
    assert execution["status"] == "SUCCESS", execution
    sends = [s for s in execution["steps"] if s["name"] == "send"]
    assert [(s["attempt"], s["status"]) for s in sends] == [(1, "RETRYING"), (2, "SUCCESS")]
    assert len(receiver.to("/flaky")) == 2


def test_a_retry_runs_again_from_the_failed_step(client, tenant, make_instance, receiver, worker):
    receiver.answers["/strict"] = [(400, {"error": "no"}), (200, {"ok": True})]
    _, instance = make_instance(calling(receiver.url + "/strict"), receiver.url + "/strict")
    started = post_execution(client, tenant, instance["id"], {"n": 5})
    failed = run_wait(client, tenant, started.get_json()["id"])
    assert failed["status"] == "FAILED"  # a 4xx is the step's answer, not retried
    assert "send" in failed["error"]
    retried = client.put(
        f"{BASE}/formulas/instances/executions/{failed['id']}/retries", headers=tenant.headers()
    )
    assert retried.status_code == 200, retried.get_data(as_text=True)
    wait_for(
        lambda: (
            client.get(
                f"{BASE}/formulas/instances/executions/{failed['id']}", headers=tenant.headers()
            ).get_json()["status"]
            == "SUCCESS"
        ),
        what="the retried execution to succeed",
    )
    again = run_wait(client, tenant, failed["id"])
    names = [s["name"] for s in again["steps"]]
    assert names == ["compute", "send", "send"]  # compute is not run again
    assert [r["json"] for r in receiver.to("/strict")] == [{"value": 10}, {"value": 10}]


def test_events_start_one_execution_each_in_event_order_per_record(
    client, tenant, element_instance, receiver, formulas_env, worker
):
    target = receiver.url + "/ev"
    install_formula(client, tenant, event_template(target), target, crm=element_instance["id"])

    def event(event_id: str, object_type: str = "contacts", kind: str = "UPDATED") -> dict:
        return {"eventId": event_id, "objectType": object_type, "objectId": 7, "eventType": kind}

    element = element_instance["id"]
    started = [on_event(formulas_env, element, event(f"e{n}")) for n in range(5)]
    assert all(len(ids) == 1 for ids in started)
    assert on_event(formulas_env, element, event("e2")) == []  # a redelivery starts nothing
    assert on_event(formulas_env, element, event("x1", object_type="accounts")) == []
    assert on_event(formulas_env, element, event("x2", kind="DELETED")) == []
    assert on_event(formulas_env, element + 1000, event("x3")) == []  # another element instance
    for (execution_id,) in started:
        assert run_wait(client, tenant, execution_id)["status"] == "SUCCESS"
    assert [r["json"]["event"] for r in receiver.to("/ev")] == [f"e{n}" for n in range(5)]


def test_a_schedule_tick_starts_one_execution_however_many_look(
    app, settings, client, tenant, receiver, formulas_env, worker
):
    from connector.app import create_app

    template = {
        "name": "every-minute",
        "configuration": [{"key": "target", "type": "value"}],
        "triggers": [{"type": "schedule", "properties": {"cron": "* * * * *"}}],
        "steps": [
            {
                "name": "send",
                "type": "httpRequest",
                "properties": {
                    "method": "POST",
                    "url": "${config.target}",
                    "body": {"at": "${trigger.scheduledTime}"},
                },
            }
        ],
    }
    h = tenant.headers()
    formula = client.post(f"{BASE}/formulas", json=template, headers=h)
    assert formula.status_code == 200, formula.get_data(as_text=True)
    body = {"name": "s", "configuration": {"target": receiver.url + "/tick"}}
    made = client.post(
        f"{BASE}/formulas/{formula.get_json()['id']}/instances", json=body, headers=h
    )
    assert made.status_code == 200
    created = datetime.fromisoformat(made.get_json()["createdDate"])
    # its first look, as it is made: the minute's tick passed before the instance existed
    assert cron_tick(formulas_env, created) == []
    # a tick two hours on: the module's worker looks at the real clock every 30 s and so can
    # never claim it first (the next minute's tick it could, as the test looks)
    tick = (created + timedelta(hours=2)).replace(second=0)
    other = create_app(settings)  # a second process looking at the same moment
    try:
        other_env = other.extensions["connector.formulas"]["env"]
        now = tick + timedelta(seconds=30)
        started = cron_tick(formulas_env, now) + cron_tick(other_env, now)
        assert len(started) == 1
        assert cron_tick(formulas_env, now.replace(second=50)) == []  # the same tick
    finally:
        other.extensions["connector.deps"].local.close()
    assert run_wait(client, tenant, started[0])["status"] == "SUCCESS"
    at = tick.isoformat().replace("+00:00", "Z")
    assert [r["json"] for r in receiver.to("/tick")] == [{"at": at}]


def test_limits_hold_at_run_time(client, tenant, make_instance, receiver, worker):
    items = "[" + ",".join(["1"] * 40) + "]"
    runaway = {
        "name": "runaway",
        "triggers": [{"type": "manual", "properties": {}}],
        "steps": [
            {
                "name": "spin",
                "type": "set",
                "properties": {
                    "values": {"x": f"{items}.map(a, {items}.map(b, {items}.map(c, a + b + c)))"}
                },
            }
        ],
    }
    h = tenant.headers()
    formula = client.post(f"{BASE}/formulas", json=runaway, headers=h)
    assert formula.status_code == 200, formula.get_data(as_text=True)
    made = client.post(
        f"{BASE}/formulas/{formula.get_json()['id']}/instances", json={"name": "r"}, headers=h
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    execution = run_sync(client, tenant, made.get_json()["id"], {})
    assert execution["status"] == "FAILED"
    assert "step 'spin'" in execution["error"] and "expression stopped" in execution["error"]

    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    huge = post_execution(
        client, tenant, instance["id"], {"n": 1, "pad": "x" * limits.MAX_TRIGGER_BYTES}
    )
    assert huge.status_code in (400, 413)
    assert huge.get_json()["message"]
    too_many = {
        **runaway,
        "name": "long",
        "steps": [
            {"name": f"s{n}", "type": "set", "properties": {"values": {"v": "1"}}}
            for n in range(limits.MAX_STEPS + 1)
        ],
    }
    refused = client.post(f"{BASE}/formulas", json=too_many, headers=h)
    assert refused.status_code == 400 and "steps" in refused.get_json()["message"]
    assert receiver.to("/in") == []  # nothing ran


def amplifying(levels: int) -> str:
    """A short expression whose string grows eightfold at each nested macro: a node count
    does not see it (each level is a few dozen nodes), only what the values weigh does."""
    names = "abcdefgh"
    expression = f"size({'+'.join([names[levels - 1]] * 8)})"
    for level in range(levels - 1, 0, -1):
        grown = "+".join([names[level - 1]] * 8)
        expression = f"[{grown}].map({names[level]}, {expression})"
    return f"['{'x' * 64}'].map(a, {expression})"


def test_an_expression_building_huge_values_is_stopped_before_it_eats_the_worker(
    client, tenant, make_instance, receiver, worker
):
    # 6 levels: a 16 MB string from 228 characters (each more level multiplies it by 8, so
    # 9 would be 8 GB in one worker); the worker must stop it at the values' weight
    source = amplifying(6)
    assert len(source) < limits.MAX_EXPRESSION_LENGTH
    template = calling(receiver.url + "/in")
    template["steps"][0]["properties"]["values"] = {"double": source}
    _, instance = make_instance(template, receiver.url + "/in")
    execution = run_sync(client, tenant, instance["id"], {"n": 1})
    assert execution["status"] == "FAILED", execution
    assert "step 'compute'" in execution["error"]
    assert f"larger than {limits.MAX_EVALUATION_BYTES} bytes" in execution["error"]
    assert receiver.to("/in") == []  # the step after it never ran


def saved_instance(client, tenant, template: dict) -> dict:
    h = tenant.headers()
    formula = client.post(f"{BASE}/formulas", json=template, headers=h)
    assert formula.status_code == 200, formula.get_data(as_text=True)
    made = client.post(
        f"{BASE}/formulas/{formula.get_json()['id']}/instances", json={"name": "x"}, headers=h
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    return made.get_json()


def test_references_repeating_a_large_answer_stop_at_the_rendered_limit(
    client, tenant, receiver, worker
):
    # one 200 KB answer (the tenant's own server), referred to 10 times in the next body: 2 MB
    receiver.answers["/big"] = [(200, {"blob": "z" * 200_000})]
    template = {
        "name": "amplifier",
        "triggers": [{"type": "manual", "properties": {}}],
        "steps": [
            {"name": "fetch", "type": "httpRequest", "properties": {"url": receiver.url + "/big"}},
            {
                "name": "send",
                "type": "httpRequest",
                "properties": {
                    "method": "POST",
                    "url": receiver.url + "/out",
                    "body": {"copies": ["${steps.fetch.body}"] * 10},
                },
            },
        ],
    }
    execution = run_sync(client, tenant, saved_instance(client, tenant, template)["id"], {})
    assert execution["status"] == "FAILED", execution["status"]
    assert "step 'send'" in execution["error"]
    assert f"more than {limits.MAX_RENDERED_BYTES} bytes" in execution["error"]
    assert receiver.to("/out") == []
    fetched = execution["steps"][0]
    assert fetched["output"] == {"truncated": True, "bytes": fetched["output"]["bytes"]}
    assert fetched["output"]["bytes"] > limits.MAX_STEP_RECORD_BYTES  # the record is cut


def test_an_execution_outgrowing_its_bound_fails_instead_of_filling_redis(
    client, tenant, receiver, worker, formulas_env
):
    # 5 set steps of 30 values of 60 KB each: 9 MB of outputs from a 30 KB manual body
    values = {f"v{n}": "trigger.body.pad + trigger.body.pad" for n in range(30)}
    template = {
        "name": "hoarder",
        "triggers": [{"type": "manual", "properties": {}}],
        "steps": [
            *[{"name": f"s{n}", "type": "set", "properties": {"values": values}} for n in range(5)],
            {"name": "after", "type": "httpRequest", "properties": {"url": receiver.url + "/x"}},
        ],
    }
    instance = saved_instance(client, tenant, template)
    execution = run_sync(client, tenant, instance["id"], {"pad": "p" * 30_000})
    assert execution["status"] == "FAILED", execution["status"]
    assert f"larger than {limits.MAX_EXECUTION_BYTES} bytes" in execution["error"]
    assert receiver.to("/x") == []  # nothing ran after it
    stored = formulas_env.redis.get(formulas_env.keys.formula_execution(execution["id"]))
    assert len(stored) <= limits.MAX_EXECUTION_BYTES
