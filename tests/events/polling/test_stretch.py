"""Polls give way to the customer's budget (connector.events.polling.stretch): with the
sandbox's ThresholdInformation past AUTOTASK_THRESHOLD_SHARE, a poll makes its resource rest
for STRETCH - 1 ticks (no upstream call, shown in the event status), and a scan with rows left
waits for its tick instead of going on at once; below the share, every tick polls."""

from __future__ import annotations

import pytest

from connector.events import status
from connector.events.polling import poller as poller_module
from connector.events.polling import schedules as polling
from connector.events.polling import stretch
from connector.events.polling.watermark import Watermarks

QUERIES = "Opportunities/query"
THRESHOLD = 100


def another_integration_uses(sandbox, share: float) -> int:
    """Requests of someone else on the database, up to `share` of the sandbox's threshold."""
    sandbox.configure(threshold=THRESHOLD, latency_at_50=0, latency_at_75=0)
    used = 0
    while True:
        answer = sandbox.call("GET", "ThresholdInformation")
        assert answer.status_code == 200, answer.text
        used = answer.json()["currentTimeframeRequestCount"]
        if used >= share * THRESHOLD:
            return used


def test_polls_rest_while_the_threshold_use_is_past_the_share(events_instance, sandbox):
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    client = env.client(env.instance(inst.id))
    sandbox.configure(threshold=THRESHOLD)
    client.threshold()  # the connector's snapshot of the sandbox's figures
    assert client.caller.limits.current().share < env.settings.autotask_threshold_share
    sandbox.clear_requests()
    for _ in range(2):  # below the share: every tick polls
        polling.run_poll(env, inst.id, "opportunities")
    assert len(sandbox.requests(path_contains=QUERIES)) == 2
    assert not stretch.resting(env, inst.id, "opportunities")

    used = another_integration_uses(sandbox, 0.6)
    client.threshold()
    assert client.caller.limits.current().share >= 0.6 > env.settings.autotask_threshold_share
    assert used < THRESHOLD
    sandbox.clear_requests()
    polling.run_poll(env, inst.id, "opportunities")  # polls, then rests
    polling.run_poll(env, inst.id, "opportunities")  # the next tick: resting, no call
    assert len(sandbox.requests(path_contains=QUERIES)) == 1
    assert status.read(env, inst.id)["opportunities"]["stretched"] is True
    interval = env.settings_of(env.instance(inst.id)).interval_seconds
    ttl = env.redis.pttl(stretch.rest_key(env, inst.id, "opportunities")) / 1000
    assert (stretch.STRETCH - 1) * interval < ttl <= (stretch.STRETCH - 0.5) * interval


def test_a_scan_with_rows_left_waits_for_its_tick_past_the_share(
    events_instance, sandbox, monkeypatch
):
    monkeypatch.setattr(poller_module, "MAX_POLL_ROWS", 500)
    sandbox.reseed(seed_counts={"Opportunities": 700})
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    Watermarks(env.redis, env.keys).put(inst.id, "opportunities", "2000-01-01T00:00:00.000Z", {})
    another_integration_uses(sandbox, 0.6)
    env.client(env.instance(inst.id)).threshold()
    assert polling.run_poll(env, inst.id, "opportunities") == 500
    after = Watermarks(env.redis, env.keys).get(inst.id, "opportunities")["scan"]["after"]
    name = env.jobs.job_id(f"events-poll-more:{inst.id}:opportunities:{after}")
    assert env.jobs.pending(name) is None  # no poll at once: the scan waits for its tick
    assert stretch.resting(env, inst.id, "opportunities")


@pytest.mark.parametrize(
    ("share", "rests"),
    [
        pytest.param(None, False, id="no ThresholdInformation known: no rest"),
        pytest.param(0.5, False, id="at the share exactly: no rest"),
        pytest.param(0.51, True, id="past the share: rest"),
    ],
)
def test_after_poll_rests_only_past_the_share(events_instance, share, rests):
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    assert env.settings.autotask_threshold_share == 0.5
    assert stretch.after_poll(env, inst.id, "opportunities", share, 60.0) is rests
    assert stretch.resting(env, inst.id, "opportunities") is rests
