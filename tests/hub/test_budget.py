"""Budget headers: each hub answer says what it cost, counted against the sandbox's log."""

from __future__ import annotations

CALLS = "Autotask-Calls"
USED = "Autotask-Threshold-Used"
LIMIT = "Autotask-Threshold-Limit"


def logged(sandbox, action):
    sandbox.clear_requests()
    response = action()
    return response, len(sandbox.requests())


def test_the_headers_move_by_exactly_the_calls_each_request_made(hub, sandbox):
    warm = hub.get("contacts", pageSize=1)  # metadata and ThresholdInformation are read here
    assert int(warm.headers[CALLS]) >= 2
    contact_id = sandbox.ids("Contacts")[3]
    one, one_logged = logged(sandbox, lambda: hub.get(f"contacts/{contact_id}"))
    assert one.status_code == 200, one.text
    assert int(one.headers[CALLS]) == one_logged == 1
    assert int(one.headers[LIMIT]) == 10000  # the sandbox's hourly threshold
    counted, counted_logged = logged(
        sandbox, lambda: hub.get("contacts", pageSize=2, includeTotalCount="true")
    )
    assert int(counted.headers[CALLS]) == counted_logged == 2  # the page and the count
    assert int(counted.headers[USED]) - int(one.headers[USED]) == counted_logged
    missing, missing_logged = logged(sandbox, lambda: hub.get("contacts/999999999"))
    assert missing.status_code == 404
    assert int(missing.headers[CALLS]) == missing_logged == 1  # an error answer says it too
    assert int(missing.headers[USED]) - int(counted.headers[USED]) == missing_logged


def test_a_cache_hit_that_needed_no_client_carries_no_budget_headers(connect_hub, sandbox):
    hub = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=60)
    first = hub.get("contacts", pageSize=2)
    assert first.headers["Elements-Cache"] == "miss" and CALLS in first.headers
    again, again_logged = logged(sandbox, lambda: hub.get("contacts", pageSize=2))
    assert again.headers["Elements-Cache"] == "hit"
    assert again_logged == 0
    assert CALLS not in again.headers and USED not in again.headers
