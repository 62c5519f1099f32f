"""Bounded polls (connector.events.polling.scan and poller): a bulk update read page by page
over several polls, each poll at most MAX_POLL_ROWS rows, the next one queued at once; rows of
one change value split across polls by id, none lost, none twice; the watermark moves when the
scan is done; a record changed during the scan comes again with its later value, after."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest

from connector.events.polling import poller as poller_module
from connector.events.polling import scan as scan_module
from connector.events.polling import schedules as polling
from connector.events.polling.scan import Scan, capped, edge_after
from connector.events.polling.watermark import Watermarks, format_time, parse_time, utc_now
from connector.sandbox.store import quote

QUERIES = "Opportunities/query"


def stamp_every_row(box, entity: str, field: str, value: str) -> int:
    """What a bulk update in Autotask leaves: every row stamped with one change value."""
    definition = box.catalog.entity(entity)
    column = quote(definition.field(field).name)
    with box.store.write() as conn:
        sql = f"UPDATE {quote(definition.table)} SET {column} = ?"  # noqa: S608 - catalog names
        return conn.execute(sql, (value,)).rowcount


def intake(env, instance_id) -> list[dict]:
    rows = env.redis.xrange(env.keys.events_intake(instance_id), "-", "+")
    return [
        json.loads(fields[b"change"] if b"change" in fields else fields["change"])
        for _, fields in rows
    ]


def follow_up(env, instance_id, after) -> object:
    return env.jobs.pending(
        env.jobs.job_id(f"events-poll-more:{instance_id}:opportunities:{after}")
    )


def test_a_bulk_update_of_one_change_value_is_read_over_several_bounded_polls(
    events_instance, sandbox, monkeypatch
):
    monkeypatch.setattr(poller_module, "MAX_POLL_ROWS", 500)
    sandbox.reseed(seed_counts={"Opportunities": 1203})
    inst = events_instance(**{"event.objects": "opportunities"})
    env, marks = inst.env, Watermarks(inst.env.redis, inst.env.keys)
    total = sandbox.count("Opportunities")
    assert total > 1000
    # the bulk update is older than MAX_SKEW + OVERLAP when the next scan starts: not read again
    stamp = format_time(utc_now() - scan_module.MAX_SKEW - timedelta(seconds=60))
    assert stamp_every_row(sandbox, "Opportunities", "lastActivity", stamp) == total
    started = "2000-01-01T00:00:00.000Z"
    marks.put(inst.id, "opportunities", started, {})
    sandbox.clear_requests()

    assert polling.run_poll(env, inst.id, "opportunities") == 500  # one poll: 500 rows
    state = marks.get(inst.id, "opportunities")
    assert state["watermark"] == started  # not done: the watermark stays
    first_cursor = state["scan"]["after"]
    assert follow_up(env, inst.id, first_cursor) is not None  # the next poll comes now
    # a record the scan read already changes meanwhile
    changed = sandbox.ids("Opportunities")[0]
    answer = sandbox.call("PATCH", "Opportunities", json={"id": changed, "title": "Later"})
    assert answer.status_code == 200, answer.text

    assert polling.run_poll(env, inst.id, "opportunities") == 500
    assert polling.run_poll(env, inst.id, "opportunities") == total - 1000
    assert len(sandbox.requests(path_contains=QUERIES)) == math.ceil(total / 500)
    state = marks.get(inst.id, "opportunities")
    assert "scan" not in state and state["watermark"] == stamp
    found = intake(env, inst.id)
    assert sorted(c["object_id"] for c in found) == sandbox.ids("Opportunities")  # each once
    assert {c["version"] for c in found} == {stamp}

    # the next scan: the change made meanwhile, once, after its earlier version; the bulk
    # rows stamped before the last scan began are not read again (one call)
    sandbox.clear_requests()
    assert polling.run_poll(env, inst.id, "opportunities") == 1
    assert len(sandbox.requests(path_contains=QUERIES)) == 1
    assert "scan" not in marks.get(inst.id, "opportunities")  # that one call read the scan
    versions = [c["version"] for c in intake(env, inst.id) if c["object_id"] == changed]
    assert versions == [stamp, sandbox.record("Opportunities", changed)["lastActivity"]]
    assert polling.run_poll(env, inst.id, "opportunities") == 0  # the overlap: suppressed


def test_a_poll_that_dies_mid_scan_goes_on_from_the_last_page_it_handed_on(
    events_instance, sandbox, monkeypatch
):
    monkeypatch.setattr(poller_module, "MAX_POLL_ROWS", 500)
    sandbox.reseed(seed_counts={"Opportunities": 1100})
    inst = events_instance(**{"event.objects": "opportunities"})
    env, marks = inst.env, Watermarks(inst.env.redis, inst.env.keys)
    total = sandbox.count("Opportunities")
    marks.put(inst.id, "opportunities", "2000-01-01T00:00:00.000Z", {})
    assert polling.run_poll(env, inst.id, "opportunities") == 500
    saved = marks.get(inst.id, "opportunities")
    assert polling.run_poll(env, inst.id, "opportunities") == 500
    # the worker died after the second poll handed its page on, before it saved its cursor
    marks.put(inst.id, "opportunities", saved["watermark"], saved["edge"], scan=saved["scan"])
    assert polling.run_poll(env, inst.id, "opportunities") == 500  # the same page again
    assert polling.run_poll(env, inst.id, "opportunities") == total - 1000
    ids = [c["object_id"] for c in intake(env, inst.id)]
    assert sorted(set(ids)) == sandbox.ids("Opportunities")  # none lost
    assert len(ids) == total + 500  # the page repeated: the same eventIds, logged once


def test_a_poll_that_reads_its_whole_scan_leaves_nothing_for_a_follow_up(events_instance, sandbox):
    assert scan_module.MAX_POLL_ROWS % scan_module.PAGE_ROWS == 0  # polls stop at a page's end
    inst = events_instance(**{"event.objects": "opportunities"})
    env = inst.env
    for opportunity_id in sandbox.ids("Opportunities")[:3]:
        answer = sandbox.call("PATCH", "Opportunities", json={"id": opportunity_id, "title": "X"})
        assert answer.status_code == 200, answer.text
    result = poller_module.Poller(env).poll(
        env.instance(inst.id), env.settings_of(env.instance(inst.id)).poller["opportunities"]
    )
    assert (result.changes, result.more, result.after) == (3, False, None)


ROWS = {"1": "2026-01-01T00:00:10.000Z", "2": "2026-01-01T00:00:01.000Z"}


@pytest.mark.parametrize(
    ("rows", "expected_latest", "expected_edge"),
    [
        pytest.param(
            [{"id": 1, "at": ROWS["1"]}, {"id": 2, "at": ROWS["2"]}],
            ROWS["1"],
            {"1": ROWS["1"]},
            id="the greatest change value is the latest; only rows in the next overlap are edge",
        ),
        pytest.param(
            [{"id": 3, "at": None}], None, {}, id="a row with no change value moves the cursor only"
        ),
    ],
)
def test_a_scan_advances_its_cursor_latest_and_edge(rows, expected_latest, expected_edge):
    until = parse_time("2026-01-01T00:01:07Z")  # the edge: from until - MAX_SKEW - OVERLAP on
    scan = Scan.start(parse_time("2026-01-01T00:00:00Z"), until, "at")
    moved = scan.advanced(rows, until)
    assert moved.after == max(row["id"] for row in rows)
    assert (moved.latest, moved.edge) == (expected_latest, expected_edge)
    assert Scan.load(moved.dump()) == moved


def test_the_edge_keeps_the_latest_rows_up_to_its_cap(monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_EDGE", 2)
    edge = {"5": "2026-01-01T00:00:03Z", "6": "2026-01-01T00:00:01Z", "7": "2026-01-01T00:00:03Z"}
    assert capped(edge) == {"5": "2026-01-01T00:00:03Z", "7": "2026-01-01T00:00:03Z"}
    scan = Scan.start(parse_time("2026-01-01T00:00:00Z"), parse_time("2026-01-01T00:01:07Z"), "f")
    assert edge_after({"1": "2026-01-01T00:00:01Z", "2": "2026-01-01T00:00:02Z"}, scan) == {
        "2": "2026-01-01T00:00:02Z"
    }  # the next scan starts at 00:00:02 (until - MAX_SKEW - OVERLAP: it read no row)


def test_an_unreadable_scan_state_starts_a_new_scan():
    assert Scan.load({"since": "x"}) is None
    assert Scan.load("not a dict") is None
