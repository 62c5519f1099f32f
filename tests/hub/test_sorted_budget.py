"""Sorted results (orderBy on a field other than id) within byte budgets (issue #11): an
instance keeps at most its budget, dropping its own oldest results (whose next pages then say
the result expired); an organization's instances together keep at most theirs, past which a
new sorted first page is a 429 that says to narrow the query, while another organization sorts
on. Over real HTTP against the sandbox, with the budgets set small for the test."""

from __future__ import annotations

import requests

from connector.hub import sorted_budget
from tests.fixtures.hub import HubApi, instance_api


def _sorted(hub: HubApi, **extra) -> requests.Response:
    return hub.get("accounts", orderBy="name", pageSize=2, **extra)


def _sizes(redis_client, key_prefix: str, hub: HubApi) -> dict[str, str]:
    """The instance's results' sizes, without their running `_total`."""
    sizes = redis_client.hgetall(f"{key_prefix}sorted-budget:{hub.instance['id']}:sizes")
    total = int(sizes.pop("_total"))
    assert total == sum(int(v) for v in sizes.values())
    return sizes


def _one_result_bytes(redis_client, key_prefix: str, hub: HubApi) -> int:
    sizes = _sizes(redis_client, key_prefix, hub)
    assert len(sizes) == 1
    return int(next(iter(sizes.values())))


def test_an_instance_keeps_its_budget_dropping_its_own_oldest_results(
    connect_hub, sandbox, redis_client, key_prefix, monkeypatch
):
    hub = connect_hub(sandbox)
    first = _sorted(hub)
    assert first.status_code == 200, first.text
    one = _one_result_bytes(redis_client, key_prefix, hub)
    monkeypatch.setattr(sorted_budget, "INSTANCE_BYTES", int(one * 2.5))  # room for two
    tokens = [first.headers["Elements-Next-Page-Token"]]
    for _ in range(3):
        answer = _sorted(hub)
        assert answer.status_code == 200, answer.text
        tokens.append(answer.headers["Elements-Next-Page-Token"])
    for gone in tokens[:2]:  # the oldest went to make room: a clear 400, never a 500
        later = _sorted(hub, nextPage=gone)
        assert later.status_code == 400, later.text
        assert "expired" in later.json()["message"]
    for kept in tokens[2:]:
        assert _sorted(hub, nextPage=kept).status_code == 200
    sizes = _sizes(redis_client, key_prefix, hub)
    assert len(sizes) == 2 and sum(int(v) for v in sizes.values()) <= one * 2.5


def test_past_the_organizations_budget_a_sorted_first_page_is_a_429_and_others_sort_on(
    connect_hub, live_server, make_tenant, sandbox, redis_client, key_prefix, monkeypatch
):
    tenant = make_tenant()
    filler = instance_api(live_server.url, tenant, sandbox)
    assert _sorted(filler).status_code == 200
    one = _one_result_bytes(redis_client, key_prefix, filler)
    monkeypatch.setattr(sorted_budget, "ORGANIZATION_BYTES", int(one * 2.5))
    assert _sorted(filler).status_code == 200
    sibling = instance_api(live_server.url, tenant, sandbox)  # the same organization
    refused = _sorted(sibling)
    assert refused.status_code == 429, refused.text
    assert refused.headers["Retry-After"].isdigit()
    assert "narrow the where clause" in refused.json()["message"]
    assert sibling.get("accounts", pageSize=2).status_code == 200  # by id: no result kept
    assert _sorted(connect_hub(sandbox)).status_code == 200  # another organization
    org = f"{key_prefix}sorted-budget:org-{tenant.organization_id}"
    total = int(redis_client.hget(f"{org}:bytes", "_total"))
    assert total <= one * 2.5
    # the filler's results expire (their last one's expiry put in the past): room returns
    redis_client.zadd(f"{org}:expiry", {str(filler.instance["id"]): 1})
    assert _sorted(sibling).status_code == 200
