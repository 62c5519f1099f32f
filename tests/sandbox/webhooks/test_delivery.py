"""Delivery: consecutive failures, deactivation and switching back on; the error log's
30-day retention (reference section 9)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from connector.sandbox.values import format_datetime
from tests.sandbox.test_webhooks import FAST, make_webhook

ALL = {"filter": [{"op": "exist", "field": "id"}]}


def wait_until(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return value


def error_logs(box) -> list[dict]:
    return box.call("POST", "WebhookEventErrorLogs/query", json=ALL).json()["items"]


def test_a_webhook_switched_back_on_starts_counting_failures_afresh(make_sandbox, webhook_receiver):
    box = make_sandbox(**FAST, webhook_max_attempts=1, webhook_failure_limit=2)
    hook_id = make_webhook(box, webhook_receiver)
    company_id = box.ids("Companies")[1]
    webhook_receiver.status = 500
    box.call("PATCH", "Companies", json={"id": company_id, "companyName": "First"})
    assert wait_until(lambda: box.count("WebhookEventErrorLogs") == 1)
    box.call("PATCH", "Companies", json={"id": company_id, "companyName": "Second"})
    assert webhook_receiver.wait_for(1, path="/deactivated")
    assert box.record("CompanyWebhooks", hook_id)["isActive"] is False

    box.call("PATCH", "CompanyWebhooks", json={"id": hook_id, "isActive": True})
    box.call("PATCH", "Companies", json={"id": company_id, "companyName": "Third"})
    assert wait_until(lambda: box.count("WebhookEventErrorLogs") == 3)
    assert box.record("CompanyWebhooks", hook_id)["isActive"] is True
    assert len(webhook_receiver.wait_for(2, timeout=0.2, path="/deactivated")) == 1


def add_aged_logs(box, *days_old: float) -> list[int]:
    """Error-log entries as if written `days_old` days ago (no request can backdate one)."""
    logs = box.catalog.entity("WebhookEventErrorLogs")
    ids = []
    with box.store.write() as conn:
        for number, days in enumerate(days_old, start=1):
            created = format_datetime(datetime.now(UTC) - timedelta(days=days))
            conn.execute(
                'INSERT INTO "WebhookEventErrorLogs" (id, "accountWebhookID", "createDateTime", '
                '"errorMessage", payload, "sequenceNumber") VALUES (?, 1, ?, ?, ?, ?)',
                (logs.id_start + 100 + number, created, "HTTP 500", "{}", number),
            )
            ids.append(logs.id_start + 100 + number)
    return ids


def test_error_log_entries_older_than_30_days_are_not_read(sandbox):
    old, recent = add_aged_logs(sandbox, 31, 29)
    listed = [item["id"] for item in error_logs(sandbox)]
    counted = sandbox.call("POST", "WebhookEventErrorLogs/query/count", json=ALL).json()
    fetched = sandbox.call("GET", f"WebhookEventErrorLogs/{old}").json()
    assert listed == [recent] and counted == {"queryCount": 1} and fetched == {"item": None}
    assert sandbox.ids("WebhookEventErrorLogs") == [recent]


def test_writing_an_error_log_entry_prunes_those_older_than_30_days(make_sandbox, webhook_receiver):
    box = make_sandbox(**FAST, webhook_max_attempts=1)
    old, recent = add_aged_logs(box, 30.01, 29.9)
    make_webhook(box, webhook_receiver)
    webhook_receiver.status = 500
    box.call("PATCH", "Companies", json={"id": box.ids("Companies")[1], "companyName": "X"})
    assert wait_until(lambda: old not in box.ids("WebhookEventErrorLogs"))
    (written,) = [i for i in box.ids("WebhookEventErrorLogs") if i not in (old, recent)]
    assert recent in box.ids("WebhookEventErrorLogs")
    assert json.loads(box.record("WebhookEventErrorLogs", written)["payload"])["Fields"] == {
        "CompanyName": "X"
    }
