"""The first scan after events are turned on, with the connector's clock ahead of Autotask's:
its start moment is the connector's clock, the rows are stamped by Autotask's, so a change
made just after the start looks older than the start. The first scan reads back MAX_SKEW
more, and loses no such change, and tells CREATED from UPDATED against the same read-back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from connector.events import pipeline
from connector.events.polling import poller as poller_module
from connector.events.polling import schedules as polling
from connector.events.polling import watermark as watermark_module
from connector.events.polling.scan import MAX_SKEW, OVERLAP
from connector.events.polling.watermark import parse_time, utc_now
from tests.events.polling.test_clock import intake_ids, rename
from tests.events.polling.test_polling import events_of, opportunity

AHEAD = timedelta(seconds=30)  # the connector's clock ahead of Autotask's (the sandbox's)


@pytest.fixture
def ahead(events_instance, monkeypatch):
    """An opportunities events instance turned on with the connector's clock AHEAD."""
    assert AHEAD + OVERLAP <= MAX_SKEW
    clock = lambda: utc_now() + AHEAD  # noqa: E731 - the connector's clock, both modules
    monkeypatch.setattr(poller_module, "utc_now", clock)
    monkeypatch.setattr(watermark_module, "utc_now", clock)
    return events_instance(**{"event.objects": "opportunities"})  # the start: from now on


def test_a_change_just_after_the_start_is_reported_with_the_clock_ahead(ahead, sandbox):
    inst = ahead
    first = sandbox.ids("Opportunities")[0]
    rename(sandbox, first, "Just after the start")  # stamped 30 s before the start moment
    assert polling.run_poll(inst.env, inst.id, "opportunities") == 1
    assert polling.run_poll(inst.env, inst.id, "opportunities") == 0  # reported once
    assert intake_ids(inst.env, inst.id) == [first]


def test_a_record_created_just_after_the_start_is_reported_created(ahead, sandbox):
    """Found by a hostile review: the first scan told CREATED from UPDATED against the start
    moment (the connector's clock), so a record made just after it and changed before the
    first scan was UPDATED; it is told against the same read-back now."""
    inst = ahead
    company = sandbox.ids("Companies")[1]
    made = sandbox.call("POST", "Opportunities", json=opportunity(company, title="Brand new"))
    assert made.status_code == 200, made.text
    new_id = made.json()["itemId"]
    # changed after it was made (Autotask's stamps differ), before the first scan
    deadline = time.monotonic() + 10
    while True:
        renamed = sandbox.call("PATCH", "Opportunities", json={"id": new_id, "title": "Renamed"})
        assert renamed.status_code == 200, renamed.text
        record = sandbox.record("Opportunities", new_id)
        if parse_time(record["lastActivity"]) > parse_time(record["createDate"]):
            break
        assert time.monotonic() < deadline, "the sandbox's stamps did not move"
        time.sleep(0.05)

    assert polling.run_poll(inst.env, inst.id, "opportunities") == 1
    assert pipeline.run_render(inst.env, inst.id) == 1
    events = events_of(inst.env, inst.id)
    assert [(e["objectId"], e["eventType"]) for e in events] == [(str(new_id), "CREATED")]
