"""The reconcile sweep (connector.events.deletions.reconcile): ids only, ceil(N/500) calls;
ids that disappeared since the last sweep become DELETED changes with source `reconcile`."""

from __future__ import annotations

import math

import pytest

from connector.events.config import reconcile_problem
from connector.events.deletions import status
from connector.events.deletions.reconcile import ReconcileSweep

CONTACTS = 1203  # three pages of 500


def set_configuration(env, instance_id: int, values: dict[str, str]) -> None:
    instance = env.instances.get(instance_id)
    for key, value in values.items():
        instance.set_config(key, value, env.box)
    env.instances.save(instance)


def test_contacts_deleted_between_sweeps_are_reported_once(make_sandbox, make_instance, env):
    box = make_sandbox(seed_counts={"Contacts": CONTACTS})
    instance, _ = make_instance(box)
    set_configuration(env, instance["id"], {"event.objects": "contacts"})
    sweep, found = ReconcileSweep(env), []
    assert sweep.sweep(env.instances.get(instance["id"]), found.extend) == {"contacts": -1}
    doomed = [box.record("Contacts", i) for i in box.ids("Contacts")[5:7]]
    for contact in doomed:
        path = f"Companies/{contact['companyID']}/Contacts/{contact['id']}"
        assert box.call("DELETE", path).status_code == 200
    box.clear_requests()
    assert sweep.sweep(env.instances.get(instance["id"]), found.extend) == {"contacts": 2}
    queries = box.requests(path_contains="Contacts/query")
    assert len(queries) == math.ceil((CONTACTS - 2) / 500)
    assert [(c.resource, c.object_id, c.event_type, c.source) for c in found] == [
        ("contacts", contact["id"], "DELETED", "reconcile") for contact in doomed
    ]
    assert sweep.sweep(env.instances.get(instance["id"]), found.extend) == {"contacts": 0}
    assert len(found) == 2


def test_what_each_resource_relies_on_for_deletions(box, make_instance, env):
    instance, _ = make_instance(box)
    found = status(env, instance["id"])
    assert {r: s["deletions"] for r, s in found.items()} == {
        "accounts": "none",
        "contacts": "reconcile",
        "opportunities": "reconcile",
        "incidents": "DeletedTicketLogs",
    }
    assert "deactivation is an UPDATED event" in found["accounts"]["deletionsReason"]
    assert found["contacts"]["deletionsReason"] == (
        "an id sweep every 1440 minutes (event.poller.reconcile_interval)"
    )
    set_configuration(env, instance["id"], {"event.poller.reconcile_interval": "0"})
    off = status(env, instance["id"])["contacts"]
    assert off["deletions"] == "none" and "is 0" in off["deletionsReason"]
    box.clear_requests()
    assert ReconcileSweep(env).sweep(env.instances.get(instance["id"]), []) == {}
    assert box.requests() == []


RANGE = "must be 0 (off) or minutes from 60 to 43200"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("1440", None, id="a day"),
        pytest.param("0", None, id="off"),
        pytest.param("90.5", None, id="decimals"),
        pytest.param("60", None, id="the lowest"),
        pytest.param("43200", None, id="the highest"),
        pytest.param("59.999", RANGE, id="just too often"),
        pytest.param("43200.001", RANGE, id="just too rarely"),
        pytest.param("1", RANGE, id="too often"),
        pytest.param("1e9", RANGE, id="too rarely"),
        pytest.param("nan", RANGE, id="not a number"),
        pytest.param("daily", RANGE, id="a word"),
    ],
)
def test_the_reconcile_interval_is_bounded(value, problem):
    assert reconcile_problem(value) == problem
