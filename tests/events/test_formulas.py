"""Every normalized event reaches formulas' event triggers: one execution per event, none for
an event seen again."""

from __future__ import annotations

from connector.events import pipeline
from tests.events.test_pipeline import change
from tests.fixtures.hub import BASE

TEMPLATE = {
    "name": "On contact changes",
    "configuration": [{"key": "crm", "type": "elementInstance", "required": True}],
    "triggers": [
        {
            "type": "event",
            "properties": {"elementInstance": "${config.crm}", "objectType": ["contacts"]},
        }
    ],
    "steps": [
        {"name": "seen", "type": "set", "properties": {"values": {"id": "trigger.objectId"}}}
    ],
}


def test_an_event_starts_one_execution_and_a_repeat_none(events_instance, sandbox, client):
    inst = events_instance()
    formula = client.post(f"{BASE}/formulas", json=TEMPLATE, headers=inst.headers)
    assert formula.status_code == 200, formula.get_data(as_text=True)
    formula_id = formula.get_json()["id"]
    made = client.post(
        f"{BASE}/formulas/{formula_id}/instances",
        json={"name": "on contacts", "active": True, "configuration": {"crm": inst.id}},
        headers=inst.headers,
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    formula_instance = made.get_json()["id"]
    contact = sandbox.ids("Contacts")[0]
    contact_change = change(inst.id, contact, "v1", resource="contacts", entity="Contacts")
    account_change = change(inst.id, sandbox.ids("Companies")[0], "v1")
    pipeline.submit(inst.env, [contact_change, account_change])
    pipeline.run_render(inst.env, inst.id)
    pipeline.submit(inst.env, [contact_change])  # seen again: the same eventId
    pipeline.run_render(inst.env, inst.id)
    executions = client.get(
        f"{BASE}/formulas/instances/{formula_instance}/executions", headers=inst.headers
    ).get_json()
    assert len(executions) == 1  # contacts only, once
