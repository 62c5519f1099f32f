"""An organization holds a bounded number of templates and of formula instances (#11): both
have no TTL, and formula instances start executions by events and schedules. A full count is
a 409 naming the limit; a delete makes room; another organization keeps its own count (a
shipped template's instances are counted per organization, not per template)."""

from __future__ import annotations

import pytest

from tests.fixtures.hub import instance_body
from tests.formulas.conftest import BASE
from tests.formulas.templates import minimal

CAP = 2


@pytest.fixture
def service(app):
    found = app.extensions["connector.formulas"]["service"]
    found.template_cap.limit = found.instance_cap.limit = CAP  # the shipped 200 and 1,000
    return found


def _install(client, tenant, element_id):
    body = {
        "name": "alerts",
        "configuration": {"autotask": element_id, "alertWebhookUrl": "http://127.0.0.1:9/a"},
    }
    return client.post(
        f"{BASE}/formulas/ticket-to-alert/instances", json=body, headers=tenant.headers()
    )


def test_templates_past_the_cap_are_a_409_until_one_is_deleted(client, tenant, service):
    h = tenant.headers()
    made = [client.post(f"{BASE}/formulas", json=minimal(), headers=h) for _ in range(CAP)]
    assert [m.status_code for m in made] == [200] * CAP
    refused = client.post(f"{BASE}/formulas", json=minimal(), headers=h)
    assert refused.status_code == 409
    assert f"holds {CAP} formulas" in refused.get_json()["message"]
    assert (
        client.delete(f"{BASE}/formulas/{made[0].get_json()['id']}", headers=h).status_code == 200
    )
    assert client.post(f"{BASE}/formulas", json=minimal(), headers=h).status_code == 200


def test_formula_instances_are_counted_per_organization(
    client, tenant, make_tenant, sandbox, element_instance, service
):
    mine = [_install(client, tenant, element_instance["id"]) for _ in range(CAP)]
    assert [m.status_code for m in mine] == [200] * CAP
    refused = _install(client, tenant, element_instance["id"])
    assert refused.status_code == 409
    assert f"limit {CAP}" in refused.get_json()["message"]

    other = make_tenant("Other Inc")
    theirs = client.post(f"{BASE}/instances", json=instance_body(sandbox), headers=other.headers())
    assert _install(client, other, theirs.get_json()["id"]).status_code == 200

    first = mine[0].get_json()["id"]
    gone = client.delete(
        f"{BASE}/formulas/ticket-to-alert/instances/{first}", headers=tenant.headers()
    )
    assert gone.status_code == 200
    assert _install(client, tenant, element_instance["id"]).status_code == 200
