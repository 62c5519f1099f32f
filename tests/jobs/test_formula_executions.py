"""Formulas' manual executions run on the job workers (they answered 409 without them)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connector.config import Settings
from tests.fixtures.jobs import wait_for
from tests.formulas.conftest import BASE, calling
from tests.formulas.receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, formulas_allow_private_urls=True)  # the receiver is on loopback


def test_a_manual_execution_is_accepted_and_runs_on_a_worker(settings, client, tenant, job_workers):
    receiver = Receiver()
    job_workers.start(settings, queues="formulas")
    try:
        h = tenant.headers()
        formula = client.post(f"{BASE}/formulas", json=calling(receiver.url + "/in"), headers=h)
        assert formula.status_code == 200, formula.get_data(as_text=True)
        body = {"name": "t", "configuration": {"target": receiver.url + "/in"}}
        fid = formula.get_json()["id"]
        instance = client.post(f"{BASE}/formulas/{fid}/instances", json=body, headers=h)
        assert instance.status_code == 200, instance.get_data(as_text=True)
        path = f"{BASE}/formulas/instances/{instance.get_json()['id']}/executions"
        started = client.post(path, json={"n": 21}, headers=h)
        assert started.status_code == 202, started.get_data(as_text=True)
        execution_id = started.get_json()["id"]

        def ended():
            found = client.get(
                f"{BASE}/formulas/instances/executions/{execution_id}", headers=h
            ).get_json()
            return found if found["status"] in ("SUCCESS", "FAILED", "STOPPED") else None

        execution = wait_for(ended, what="the execution to end", timeout=60)
        assert execution["status"] == "SUCCESS", execution
        assert [r["json"] for r in receiver.received] == [{"value": 42}]
    finally:
        receiver.stop()
