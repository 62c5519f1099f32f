"""Queued callouts: duplicate suppression merges only into an event no worker holds."""

from __future__ import annotations

import json
import threading

from tests.fixtures.sandbox import WebhookReceiver
from tests.sandbox.test_webhooks import FAST, make_webhook


class HeldReceiver(WebhookReceiver):
    """Answers the first callout only once `release` is set, so it stays in flight."""

    def __init__(self) -> None:
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        super().__init__()

    def _app(self, environ, start_response):
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            self.release.wait(5)
        return super()._app(environ, start_response)


def test_a_change_while_the_previous_callout_is_in_flight_is_sent_after_it(make_sandbox):
    box = make_sandbox(**FAST)
    receiver = HeldReceiver()
    try:
        make_webhook(box, receiver)
        company_id = box.ids("Companies")[1]
        box.call("PATCH", "Companies", json={"id": company_id, "companyName": "First"})
        assert receiver.first_arrived.wait(5)
        box.call("PATCH", "Companies", json={"id": company_id, "companyName": "Second"})
        receiver.release.set()
        calls = receiver.wait_for(2)
    finally:
        receiver.release.set()
        receiver.stop()
    payloads = [json.loads(call["body"]) for call in calls]
    assert [p["Fields"]["CompanyName"] for p in payloads] == ["First", "Second"]
    assert [p["SequenceNumber"] for p in payloads] == [1, 2]


def test_changes_before_the_first_callout_is_claimed_are_merged_into_it(
    make_sandbox, webhook_receiver
):
    box = make_sandbox(**FAST, deliver_webhooks=False)  # nothing claims: the event waits
    make_webhook(box, webhook_receiver, fields=(7, 24))
    company_id = box.ids("Companies")[1]
    box.call("PATCH", "Companies", json={"id": company_id, "companyName": "First"})
    box.call("PATCH", "Companies", json={"id": company_id, "companyType": 2})
    (event,) = box.webhook_events()
    assert json.loads(event["payload"])["Fields"] == {"CompanyName": "First", "CompanyType": "2"}
