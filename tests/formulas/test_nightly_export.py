"""The shipped nightly-export template on real workers: one bulk download per execution, its
link posted to a loopback receiver once the job completes, the result readable there."""

from __future__ import annotations

import json

from tests.fixtures.jobs import wait_for
from tests.formulas.conftest import BASE


def test_an_export_runs_one_bulk_download_and_posts_its_link(
    client, tenant, element_instance, receiver, sandbox, settings, job_workers
):
    job_workers.start(settings, allowed_hosts=sandbox.allowed_hosts)  # formulas and bulk
    h = tenant.headers()
    body = {
        "name": "export",
        "configuration": {
            "autotask": element_instance["id"],
            "objectName": "contacts",
            "where": "active = true",
            "exportWebhookUrl": receiver.url + "/export",
            "connectorUrl": "https://connector.example.com/elements/api-v2",
            "pollSeconds": 1,
        },
    }
    made = client.post(f"{BASE}/formulas/nightly-export/instances", json=body, headers=h)
    assert made.status_code == 200, made.get_data(as_text=True)
    path = f"{BASE}/formulas/instances/{made.get_json()['id']}/executions?trigger=now"
    started = client.post(path, json={}, headers=h)
    assert started.status_code == 202, started.get_data(as_text=True)

    def current():
        return client.get(
            f"{BASE}/formulas/instances/executions/{started.get_json()['id']}", headers=h
        ).get_json()

    def ended():
        doc = current()
        return doc if doc["status"] in ("SUCCESS", "FAILED", "STOPPED") else None

    try:
        execution = wait_for(ended, what="the export to end", timeout=90)
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}: {current()}") from None
    assert execution["status"] == "SUCCESS", execution
    (posted,) = [r["json"] for r in receiver.to("/export")]
    element = tenant.headers(element_instance["token"])
    jobs = client.get(f"{BASE}/hubs/crm/bulk/jobs", headers=element).get_json()
    assert [j["id"] for j in jobs] == [posted["jobId"]]  # one download, however many looks
    active = sandbox.count("Contacts", isActive=True)
    assert posted["recordsCount"] == active > 0
    assert posted["resultPath"] == f"/hubs/crm/bulk/{posted['jobId']}/contacts"
    assert (
        posted["resultUrl"]
        == "https://connector.example.com/elements/api-v2" + (posted["resultPath"])
    )
    assert posted["exportedFor"] == "now"
    result = client.get(
        BASE + posted["resultPath"], headers={**element, "Accept": "application/json"}
    )
    rows = [json.loads(line) for line in result.get_data(as_text=True).splitlines() if line]
    assert len(rows) == active and all(row["active"] is True for row in rows)
