"""The first scan after events are turned on, with the connector's clock ahead of Autotask's:
its start moment is the connector's clock, the rows are stamped by Autotask's, so a change
made just after the start looks older than the start. The first scan reads back MAX_SKEW
more, and loses no such change."""

from __future__ import annotations

from datetime import timedelta

from connector.events.polling import poller as poller_module
from connector.events.polling import schedules as polling
from connector.events.polling import watermark as watermark_module
from connector.events.polling.scan import MAX_SKEW, OVERLAP
from connector.events.polling.watermark import utc_now
from tests.events.polling.test_clock import intake_ids, rename

AHEAD = timedelta(seconds=30)  # the connector's clock ahead of Autotask's (the sandbox's)


def test_a_change_just_after_the_start_is_reported_with_the_clock_ahead(
    events_instance, sandbox, monkeypatch
):
    assert AHEAD + OVERLAP <= MAX_SKEW
    ahead = lambda: utc_now() + AHEAD  # noqa: E731 - the connector's clock, both modules
    monkeypatch.setattr(poller_module, "utc_now", ahead)
    monkeypatch.setattr(watermark_module, "utc_now", ahead)
    inst = events_instance(**{"event.objects": "opportunities"})  # the start: from now on
    first = sandbox.ids("Opportunities")[0]
    rename(sandbox, first, "Just after the start")  # stamped 30 s before the start moment
    assert polling.run_poll(inst.env, inst.id, "opportunities") == 1
    assert polling.run_poll(inst.env, inst.id, "opportunities") == 0  # reported once
    assert intake_ids(inst.env, inst.id) == [first]
