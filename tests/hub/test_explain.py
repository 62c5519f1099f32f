"""The query plan of every list answer, and `explain=true`, against the sandbox's request log."""

from __future__ import annotations

import pytest


def sent_filters(sandbox, entity: str = "Contacts") -> list[list[dict]]:
    """The filter of every Autotask query since the log was cleared, in order."""
    return [
        r["body"]["filter"]
        for r in sandbox.requests(path_contains=f"{entity}/query")
        if "count" not in r["path"]
    ]


def calls_logged(sandbox) -> int:
    return len(sandbox.requests())


def explained(hub, sandbox, **params) -> tuple[dict, str]:
    hub.get("contacts", pageSize=1)  # metadata and the threshold are read here, not below
    sandbox.clear_requests()
    response = hub.get("contacts", explain="true", **params)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["Elements-Query-Plan"]


@pytest.fixture
def contact(sandbox) -> dict:
    return sandbox.record("Contacts", sandbox.ids("Contacts")[4])


def test_a_query_pushed_down_in_full(hub, sandbox, contact):
    where = f"lastName = '{contact['lastName']}' and accountId = {contact['companyID']}"
    document, header = explained(hub, sandbox, where=where)
    assert header == "pushed=lastName,accountId; local=; order=id; calls=1; cache=off"
    assert document["parsed"] == (
        f"(lastName = '{contact['lastName']}') AND (accountId = {contact['companyID']})"
    )
    assert document["pushed"] == [
        f"lastName = '{contact['lastName']}'",
        f"accountId = {contact['companyID']}",
    ]
    assert document["local"] == [] and document["residual"] is None
    assert [document["autotaskFilter"]] == sent_filters(sandbox)
    assert document["order"]["strategy"] == "id"
    assert document["calls"] == calls_logged(sandbox) == 1
    assert document["page"]["returned"] >= 1 and document["cache"] == "off"


def test_a_query_pushed_down_in_part(hub, sandbox, contact):
    where = f"accountId = {contact['companyID']} and lastName like '%a%e%'"
    document, header = explained(hub, sandbox, where=where)
    assert header.startswith("pushed=accountId; local=lastName; order=id; calls=")
    assert document["pushed"] == [f"accountId = {contact['companyID']}"]
    [local] = document["local"]
    assert local["condition"] == "lastName LIKE '%a%e%'"
    assert "no operator for this pattern" in local["reasons"][0]
    assert document["residual"] == "lastName LIKE '%a%e%'"
    sent = sent_filters(sandbox)
    assert sent[0] == document["autotaskFilter"]
    assert {"op": "contains", "field": "lastName", "value": "a"} in sent[0]  # the wider filter
    assert document["calls"] == calls_logged(sandbox) == len(sent)


def test_a_query_not_pushed_down_at_all_and_sorted_in_memory(hub, sandbox):
    where = "lastName not like 'Z%' or firstName not like 'Q%'"
    document, header = explained(hub, sandbox, where=where, orderBy="lastName desc")
    calls = calls_logged(sandbox)
    assert header == f"pushed=; local=lastName,firstName; order=memory; calls={calls}; cache=off"
    assert document["pushed"] == []
    [local] = document["local"]
    assert local["reasons"] == [
        "lastName NOT LIKE 'Z%': Autotask has no NOT LIKE",
        "firstName NOT LIKE 'Q%': Autotask has no NOT LIKE",
        "(lastName NOT LIKE 'Z%') OR (firstName NOT LIKE 'Q%'): an OR is sent to Autotask only "
        "when every branch can be sent exactly",
    ]
    assert document["autotaskFilter"] == [{"op": "gte", "field": "id", "value": 0}]
    assert sent_filters(sandbox)[0] == document["autotaskFilter"]
    assert document["order"] == {
        "orderBy": [{"field": "lastName", "descending": True}],
        "strategy": "memory",
        "how": document["order"]["how"],
    }
    assert document["calls"] == calls


def test_a_custom_field_name_is_encoded_in_the_header(hub, sandbox):
    _, header = explained(hub, sandbox, where="`customFields.Preferred Language` = 'German'")
    assert header.startswith("pushed=customFields.Preferred%20Language; local=; order=id;")


def test_every_list_answer_carries_the_plan_and_a_later_page_its_cursor(hub, sandbox):
    hub.get("contacts", pageSize=1)
    first = hub.get("contacts", pageSize=3, where="lastName like '%e%'")
    assert first.status_code == 200, first.text
    assert first.headers["Elements-Query-Plan"] == (
        "pushed=lastName; local=; order=id; calls=1; cache=off"
    )
    token = first.headers["Elements-Next-Page-Token"]
    sandbox.clear_requests()
    response = hub.get(
        "contacts", pageSize=3, where="lastName like '%e%'", nextPage=token, explain="true"
    )
    document = response.json()
    last_id = first.json()[-1]["id"]
    assert document["page"]["cursor"] == {"afterId": last_id}
    assert {"op": "gt", "field": "id", "value": last_id} in document["autotaskFilter"]
    assert sent_filters(sandbox) == [document["autotaskFilter"]]
    assert document["page"]["returned"] == 3 and document["page"]["nextPage"]


def test_explain_says_when_the_cache_answered(connect_hub, sandbox):
    hub = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=60)
    page = hub.get("contacts", pageSize=2, where="lastName like 'A%'")
    plan = page.headers["Elements-Query-Plan"]
    assert plan.startswith("pushed=lastName; local=; order=id; calls=") and plan.endswith("=miss")
    sandbox.clear_requests()
    again = hub.get("contacts", pageSize=2, where="lastName like 'A%'")
    assert again.headers["Elements-Query-Plan"] == (
        "pushed=lastName; local=; order=id; calls=0; cache=hit"
    )
    document = hub.get("contacts", pageSize=2, where="lastName like 'A%'", explain="true").json()
    assert document["cache"] == "hit" and document["calls"] == 0
    assert document["page"]["returned"] == len(page.json())
    assert calls_logged(sandbox) == 0
