"""/formulas over the app: templates, formula instances and their rules, bad input."""

from __future__ import annotations

from tests.formulas.conftest import BASE
from tests.formulas.templates import minimal, with_step


def post(client, path, headers, body=None, **kwargs):
    return client.post(f"{BASE}{path}", json=body, headers=headers, **kwargs)


def test_a_template_is_saved_listed_read_changed_and_deleted(client, tenant):
    h = tenant.headers()
    created = post(client, "/formulas", h, minimal())
    assert created.status_code == 200, created.get_data(as_text=True)
    formula = created.get_json()
    assert (formula["name"], formula["version"], formula["system"]) == ("minimal", 1, False)
    listed = client.get(f"{BASE}/formulas", headers=h).get_json()
    assert formula["id"] in [f["id"] for f in listed]
    replaced = client.put(f"{BASE}/formulas/{formula['id']}", json=formula, headers=h)
    assert replaced.get_json()["version"] == 2  # a GET's answer PUTs back as it is
    patched = client.patch(f"{BASE}/formulas/{formula['id']}", json={"description": "x"}, headers=h)
    assert patched.get_json()["description"] == "x"
    assert client.delete(f"{BASE}/formulas/{formula['id']}", headers=h).status_code == 200
    assert client.get(f"{BASE}/formulas/{formula['id']}", headers=h).status_code == 404


def test_shipped_templates_are_listed_read_only(client, tenant):
    h = tenant.headers()
    shipped = client.get(f"{BASE}/formulas?systemOnly=true", headers=h).get_json()
    assert {f["id"] for f in shipped} == {"ticket-to-alert", "nightly-export"}
    assert all(f["system"] for f in shipped)
    one = client.get(f"{BASE}/formulas/ticket-to-alert", headers=h).get_json()
    refused = client.put(f"{BASE}/formulas/ticket-to-alert", json=one, headers=h)
    assert refused.status_code == 403
    assert "POST a copy" in refused.get_json()["message"]


def test_an_invalid_template_is_a_400_naming_step_and_field(client, tenant):
    body = with_step(1, properties={"condition": "steps.double.n >"})
    response = post(client, "/formulas", tenant.headers(), body)
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert message.startswith("Invalid formula: steps[1] 'big' properties.condition:")
    assert post(client, "/formulas", tenant.headers(), ["not", "an", "object"]).status_code == 400


def test_templates_and_instances_of_another_organization_are_not_found(client, make_tenant):
    mine, theirs = make_tenant("Mine Inc"), make_tenant("Theirs Inc")
    formula = post(client, "/formulas", mine.headers(), minimal()).get_json()
    assert (
        client.get(f"{BASE}/formulas/{formula['id']}", headers=theirs.headers()).status_code == 404
    )
    assert (
        client.delete(f"{BASE}/formulas/{formula['id']}", headers=theirs.headers()).status_code
        == 404
    )
    assert client.get(f"{BASE}/formulas", headers={}).status_code == 401


def install(client, tenant, element_id, **configuration):
    body = {
        "name": "alerts",
        "configuration": {
            "autotask": element_id,
            "alertWebhookUrl": "http://127.0.0.1:9/a",
            **configuration,
        },
    }
    return post(client, "/formulas/ticket-to-alert/instances", tenant.headers(), body)


def test_a_formula_instance_names_element_instances_of_its_organization_only(
    client, tenant, make_tenant, element_instance
):
    ok = install(client, tenant, element_instance["id"])
    assert ok.status_code == 200, ok.get_data(as_text=True)
    doc = ok.get_json()
    assert doc["elementInstanceIds"] == [element_instance["id"]]
    assert doc["configuration"]["integrationKey"] == ""  # the template's default
    other = make_tenant("Other Inc")
    refused = install(client, other, element_instance["id"])
    assert refused.status_code == 400
    assert (
        f"no element instance {element_instance['id']} in your organization"
        in (refused.get_json()["message"])
    )
    listed = client.get(f"{BASE}/formulas/ticket-to-alert/instances", headers=other.headers())
    assert listed.get_json() == []


def test_a_formula_instance_configuration_is_checked(client, tenant, element_instance):
    unknown = install(client, tenant, element_instance["id"], colour="red")
    assert "configuration.colour: not a configuration entry" in unknown.get_json()["message"]
    body = {"name": "x", "configuration": {"autotask": element_instance["id"]}}
    missing = post(client, "/formulas/ticket-to-alert/instances", tenant.headers(), body)
    assert "configuration.alertWebhookUrl: required" in missing.get_json()["message"]


def test_a_formula_instance_on_a_deleted_element_instance_fails_clearly(
    client, tenant, element_instance
):
    doc = install(client, tenant, element_instance["id"]).get_json()
    h = tenant.headers()
    assert client.delete(f"{BASE}/instances/{element_instance['id']}", headers=h).status_code == 200
    after = client.get(f"{BASE}/formulas/ticket-to-alert/instances/{doc['id']}", headers=h)
    assert after.get_json()["active"] is False
    assert after.get_json()["deletedElementInstanceIds"] == [element_instance["id"]]
    run = post(
        client,
        f"/formulas/instances/{doc['id']}/executions",
        h,
        {"alertKey": "k", "status": "RESOLVED"},
    )
    assert run.status_code == 409
    assert f"element instance {element_instance['id']} was deleted" in run.get_json()["message"]
    assert (
        client.get(f"{BASE}/formulas/instances/{doc['id']}/executions", headers=h).get_json() == []
    )


def test_a_manual_trigger_with_a_bad_body_is_refused_and_nothing_runs(
    client, tenant, element_instance
):
    doc = install(client, tenant, element_instance["id"]).get_json()
    h, path = tenant.headers(), f"{BASE}/formulas/instances/{doc['id']}/executions"
    not_json = client.post(path, data="{nope", headers={**h, "Content-Type": "application/json"})
    assert not_json.status_code == 400
    missing = client.post(path, json={"alertKey": "k"}, headers=h)
    assert "misses required fields: status" in missing.get_json()["message"]
    wrong = client.post(path, json={"alertKey": "k", "status": "SNOOZED"}, headers=h)
    assert "fails the trigger condition" in wrong.get_json()["message"]
    assert client.get(path, headers=h).get_json() == []
