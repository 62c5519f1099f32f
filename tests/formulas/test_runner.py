"""The runner: steps in order, jumps, filters, failures and retries, each step recorded."""

from __future__ import annotations

import pytest

from connector.formulas import runner
from connector.formulas.template import build_template
from tests.formulas.templates import minimal, with_step


def run_manual(body, trigger_body):
    template = build_template(body)
    execution = runner.new_execution(template, "manual0", {"body": trigger_body}, {})
    saved = []
    runner.run(template, execution, ports=None, checkpoint=lambda e: saved.append(e["next"]))
    return execution, saved


def test_steps_run_in_order_following_the_switch_and_each_is_recorded():
    execution, saved = run_manual(minimal(), {"n": 60})
    assert execution["status"] == "SUCCESS", execution
    assert [s["name"] for s in execution["steps"]] == ["double", "big", "route", "huge"]
    assert execution["outputs"]["huge"] == {"kind": "huge"}
    assert all(s["status"] == "SUCCESS" and s["durationMs"] >= 0 for s in execution["steps"])
    assert saved[:4] == ["big", "route", "huge", None]  # a checkpoint after every step


def test_an_empty_on_success_ends_the_execution():
    execution, _ = run_manual(minimal(), {"n": 6})
    assert [s["name"] for s in execution["steps"]][-1] == "normal"
    assert execution["status"] == "SUCCESS", execution


def test_a_false_filter_stops_the_execution():
    execution, _ = run_manual(minimal(), {"n": 2})
    assert execution["status"] == "STOPPED", execution
    assert execution["reason"] == "step 'big': filter condition false"
    assert [s["name"] for s in execution["steps"]] == ["double", "big"]


def test_a_failing_step_fails_the_execution_naming_step_and_field():
    execution, _ = run_manual(minimal(), {"n": "x"})
    assert execution["status"] == "FAILED", execution
    assert execution["error"].startswith("step 'double': properties.values.n: expression failed")
    assert execution["steps"][0]["status"] == "FAILED"


def test_a_failure_path_runs_instead_of_failing():
    body = with_step(0, onFailure=["normal"])
    execution, _ = run_manual(body, {"n": "x"})
    assert execution["status"] == "SUCCESS", execution
    assert [s["name"] for s in execution["steps"]] == ["double", "normal"]
    assert "expression failed" in execution["outputs"]["double"]["error"]


def test_a_retry_step_asks_for_another_attempt_then_gives_up():
    body = with_step(0, onFailure=["huge"])
    body["steps"][4] = {
        "name": "huge",
        "type": "retry",
        "properties": {"maxAttempts": 2, "delaySeconds": 5},
    }
    template = build_template(body)
    execution = runner.new_execution(template, "manual0", {"body": {"n": "x"}}, {})
    runner.run(template, execution, None, lambda e: None)
    assert (execution["status"], execution["retryIn"], execution["restart"]) == (
        "RETRYING",
        5.0,
        True,
    )
    runner.restart(execution, template)
    runner.run(template, execution, None, lambda e: None)
    assert execution["status"] == "FAILED", execution
    assert execution["attempt"] == 2
    assert "gave up after 2 attempts" in execution["error"]


@pytest.mark.parametrize(
    ("wait", "status", "expected"),
    [
        pytest.param(3, "RETRYING", 3.0, id="a number of seconds"),
        pytest.param("4", "RETRYING", 4.0, id="a number given as text"),
        pytest.param(99999, "FAILED", "properties.delaySeconds", id="too long"),
        pytest.param(-1, "FAILED", "properties.delaySeconds", id="negative"),
        pytest.param("soon", "FAILED", "properties.delaySeconds", id="not a number"),
    ],
)
def test_a_retry_delay_given_by_reference_is_checked_when_it_runs(wait, status, expected):
    body = with_step(0, onFailure=["huge"])
    body["steps"][4] = {
        "name": "huge",
        "type": "retry",
        "properties": {"maxAttempts": 2, "delaySeconds": "${trigger.body.wait}"},
    }
    template = build_template(body)
    execution = runner.new_execution(template, "manual0", {"body": {"n": "x", "wait": wait}}, {})
    runner.run(template, execution, None, lambda e: None)
    assert execution["status"] == status
    if status == "RETRYING":
        assert execution["retryIn"] == expected
    else:
        assert expected in execution["error"]
