"""The two clocks of a poll (connector.events.polling.scan): the connector's fixes a scan's
`until`, Autotask's stamps the rows. The scan after starts at Autotask's clock as the rows
read show it (the greatest change value less the time the scan had run when it came), never
past `until` and never more than MAX_SKEW before it: a connector whose clock runs ahead of
Autotask's (up to MAX_SKEW) loses no change, and a poll still costs one call per page."""

from __future__ import annotations

import json
from datetime import timedelta

from connector.events.polling import poller as poller_module
from connector.events.polling import schedules as polling
from connector.events.polling.scan import MAX_SKEW, OVERLAP, Scan
from connector.events.polling.watermark import Watermarks, format_time, parse_time, utc_now

QUERIES = "Opportunities/query"
AHEAD = timedelta(seconds=30)  # the connector's clock ahead of Autotask's (the sandbox's)


def intake_ids(env, instance_id) -> list[int]:
    rows = env.redis.xrange(env.keys.events_intake(instance_id), "-", "+")
    found = []
    for _, fields in rows:
        raw = fields[b"change"] if b"change" in fields else fields["change"]
        found.append(json.loads(raw)["object_id"])
    return found


def rename(sandbox, opportunity_id: int, title: str) -> None:
    answer = sandbox.call("PATCH", "Opportunities", json={"id": opportunity_id, "title": title})
    assert answer.status_code == 200, answer.text


def test_a_connector_clock_ahead_of_autotask_loses_no_change(events_instance, sandbox, monkeypatch):
    assert AHEAD + OVERLAP <= MAX_SKEW
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    monkeypatch.setattr(poller_module, "utc_now", lambda: utc_now() + AHEAD)
    first, second = sandbox.ids("Opportunities")[:2]
    sandbox.clear_requests()
    assert polling.run_poll(env, inst.id, "opportunities") == 0  # idle: nothing to learn from
    rename(sandbox, first, "After an idle poll")  # stamped by Autotask's clock, 30 s behind
    assert polling.run_poll(env, inst.id, "opportunities") == 1
    rename(sandbox, second, "After a poll that read a row")
    assert polling.run_poll(env, inst.id, "opportunities") == 1
    assert polling.run_poll(env, inst.id, "opportunities") == 0  # the overlap: suppressed
    assert intake_ids(env, inst.id) == [first, second]
    assert len(sandbox.requests(path_contains=QUERIES)) == 4  # one call a poll
    state = Watermarks(env.redis, env.keys).get(inst.id, "opportunities")
    stamped = sandbox.record("Opportunities", second)["lastActivity"]
    assert parse_time(state["since"]) <= parse_time(stamped) - OVERLAP  # Autotask's clock


def test_a_row_changed_behind_the_cursor_while_the_scan_runs_is_the_next_scans():
    """Autotask 30 s behind: a scan starts at 12:00:30 (the connector's clock), Autotask's
    11:00:00. Its first page (read at once) shows a row of 11:59:00; while the scan runs a row
    behind the cursor changes at 12:00:05 and one ahead of it at 12:00:20, which the second
    page (read 20 s later) finds. The next scan must start at or before 12:00:05."""
    at = parse_time
    scan = Scan.start(at("2026-01-01T11:00:00Z"), at("2026-01-01T12:00:30Z"), "changed")
    scan = scan.advanced([{"id": 1, "changed": "2026-01-01T11:59:00Z"}], at("2026-01-01T12:00:30Z"))
    later = [{"id": 9, "changed": "2026-01-01T12:00:20Z"}]
    scan = scan.advanced(later, at("2026-01-01T12:00:50Z"))
    assert scan.next_since <= at("2026-01-01T12:00:05Z")
    assert scan.next_since >= at("2026-01-01T12:00:00Z") - OVERLAP  # and no earlier than needed


def test_the_next_scan_starts_no_earlier_than_max_skew_before_until():
    """A bulk update of long ago read in full is not read again: the next scan starts at
    until - MAX_SKEW - OVERLAP at the earliest, however old the rows it read."""
    at = parse_time
    until = at("2026-01-01T12:00:00Z")
    scan = Scan.start(at("2026-01-01T00:00:00Z"), until, "changed")
    scan = scan.advanced([{"id": 1, "changed": "2026-01-01T01:00:00Z"}], until)
    assert scan.next_since == until - MAX_SKEW - OVERLAP
    fresh = scan.advanced([{"id": 2, "changed": format_time(until - timedelta(seconds=2))}], until)
    assert fresh.next_since == until - timedelta(seconds=2) - OVERLAP
