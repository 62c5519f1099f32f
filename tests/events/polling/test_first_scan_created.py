"""Review of #11 (46178b4): the first scan after events are turned on reads back MAX_SKEW,
because its start moment is the connector's clock and the rows are stamped by Autotask's.
The event type is decided against the same start moment (`previous`), so with the
connector's clock ahead, a record created just after events were turned on and changed
before the first scan is stamped as made before the start, and is reported UPDATED: a
consumer (or a formula trigger on CREATED) never hears that it was created.

The sandbox over loopback as Autotask; the connector's clock is shifted as in
test_first_scan_clock.py (clock skew is what no real part here produces)."""

from __future__ import annotations

import time
from datetime import timedelta

from connector.events import pipeline
from connector.events.polling import poller as poller_module
from connector.events.polling import schedules as polling
from connector.events.polling import watermark as watermark_module
from connector.events.polling.scan import MAX_SKEW, OVERLAP
from connector.events.polling.watermark import parse_time, utc_now
from tests.events.polling.test_polling import events_of, opportunity

AHEAD = timedelta(seconds=30)  # the connector's clock ahead of Autotask's (the sandbox's)


def test_a_record_created_just_after_the_start_is_reported_created(
    events_instance, sandbox, monkeypatch
):
    assert AHEAD + OVERLAP <= MAX_SKEW
    ahead = lambda: utc_now() + AHEAD  # noqa: E731 - the connector's clock, both modules
    monkeypatch.setattr(poller_module, "utc_now", ahead)
    monkeypatch.setattr(watermark_module, "utc_now", ahead)
    inst = events_instance(**{"event.objects": "opportunities"})  # the start: from now on
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
