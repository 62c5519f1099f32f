"""An organization's kept executions have a count and a byte budget (issue #11): past either,
its oldest ended executions are dropped first; when only unended ones remain a new one is a 429
with Retry-After, and a running one that grows past the budget fails at that step. Listing
pages summaries. Over real HTTP; the executions run in this process through the engine (a
worker's code path) so the test decides when each ends. The budgets are set small on the
web's store for the test (their configured floor is far above what a test can fill)."""

from __future__ import annotations

import pytest
import requests

from connector.formulas import execution_budget
from connector.formulas.engine import Engine
from connector.formulas.executions import ExecutionStore
from tests.formulas.conftest import BASE, calling, install_formula


@pytest.fixture
def hostile(live_server, tenant, make_instance, receiver, formulas_env):
    _, instance = make_instance(calling(receiver.url + "/in"), receiver.url + "/in")
    url = f"{live_server.url}{BASE}/formulas/instances/{instance['id']}/executions"
    return url, formulas_env


def _start(url: str, tenant, n: int = 1) -> requests.Response:
    return requests.post(url, json={"n": n}, headers=tenant.headers(), timeout=30)


def _get(live_server, tenant, execution_id: int) -> requests.Response:
    return requests.get(
        f"{live_server.url}{BASE}/formulas/instances/executions/{execution_id}",
        headers=tenant.headers(),
        timeout=30,
    )


def test_past_the_count_the_oldest_ended_go_and_only_unended_ones_refuse(
    hostile, tenant, live_server
):
    url, env = hostile
    env.executions.max_count = 3
    ids = []
    for n in range(3):
        started = _start(url, tenant, n)
        assert started.status_code == 202, started.text
        ids.append(started.json()["id"])
    refused = _start(url, tenant)  # three kept, none ended: no room
    assert refused.status_code == 429, refused.text
    assert refused.headers["Retry-After"].isdigit()
    assert "3 formula executions" in refused.json()["message"]
    assert "ended" in refused.json()["message"]
    for execution_id in ids[:2]:
        Engine(env).run(execution_id)  # they end
    assert _get(live_server, tenant, ids[0]).json()["status"] == "SUCCESS"
    admitted = _start(url, tenant)
    assert admitted.status_code == 202, admitted.text
    assert _get(live_server, tenant, ids[0]).status_code == 404  # the oldest ended went
    assert _get(live_server, tenant, ids[1]).status_code == 200
    assert _get(live_server, tenant, ids[2]).json()["status"] == "QUEUED"  # unended: kept
    listed = requests.get(url, headers=tenant.headers(), timeout=30).json()
    assert [e["id"] for e in listed] == [admitted.json()["id"], ids[2], ids[1]]


def test_another_organizations_budget_is_its_own(
    hostile, tenant, make_tenant, live_server, client, receiver
):
    url, env = hostile
    env.executions.max_count = 2
    assert _start(url, tenant).status_code == 202
    assert _start(url, tenant).status_code == 202
    assert _start(url, tenant).status_code == 429
    other = make_tenant("Other org")
    target = receiver.url + "/in"
    _, instance = install_formula(client, other, calling(target), target)
    theirs = f"{live_server.url}{BASE}/formulas/instances/{instance['id']}/executions"
    assert _start(theirs, other).status_code == 202


def test_past_the_bytes_a_running_execution_fails_at_the_step_that_grew_it(
    hostile, tenant, live_server
):
    url, env = hostile
    first = _start(url, tenant).json()["id"]
    sizes = env.redis.hgetall(env.keys.formula_org_executions(tenant.organization_id, "sizes"))
    one = int(sizes[str(first)].split(":")[0])
    env.executions.max_bytes = int(one * 2.6)  # two queued ones fit; their steps do not
    second = _start(url, tenant).json()["id"]
    Engine(env).run(second)
    failed = _get(live_server, tenant, second).json()
    assert failed["status"] == "FAILED", failed
    assert "FORMULA_EXECUTIONS_MAX_BYTES" in failed["error"]
    total = int(
        env.redis.hget(env.keys.formula_org_executions(tenant.organization_id, "sizes"), "_total")
    )
    assert total <= env.executions.max_bytes * 1.5  # the failed one was written small
    assert _get(live_server, tenant, first).json()["status"] == "QUEUED"


def test_listing_pages_summaries_newest_first(hostile, tenant):
    url, _ = hostile
    ids = [_start(url, tenant, n).json()["id"] for n in range(5)]
    seen, token, pages = [], None, 0
    while True:
        params = {"pageSize": 2, **({"nextPage": token} if token else {})}
        page = requests.get(url, params=params, headers=tenant.headers(), timeout=30)
        assert page.status_code == 200, page.text
        assert page.headers["Elements-Returned-Count"] == str(len(page.json()))
        assert all("steps" not in e for e in page.json())  # summaries, never documents
        seen += [e["id"] for e in page.json()]
        pages += 1
        token = page.headers.get("Elements-Next-Page-Token")
        if token is None:
            break
    assert seen == ids[::-1] and pages == 3
    bad = requests.get(url, params={"nextPage": "x"}, headers=tenant.headers(), timeout=30)
    assert bad.status_code == 400, bad.text


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        pytest.param("max_count", 99, id="a count under 100 is refused at start"),
        pytest.param("max_bytes", 2 * 1024 * 1024, id="a byte budget under 16 MiB is refused"),
        pytest.param("max_count", 2_000_000, id="a count over 1,000,000 is refused"),
    ],
)
def test_the_budgets_are_bounded(redis_client, setting, value):
    from connector.storage.keys import Keys

    with pytest.raises(ValueError, match="FORMULA_EXECUTIONS_MAX_"):
        ExecutionStore(redis_client, Keys("x:"), **{setting: value})
    assert execution_budget.DEFAULT_MAX_COUNT == 10_000
