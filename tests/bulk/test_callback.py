"""The completion callback: a loopback receiver gets the job's status, signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import requests

from connector.app import create_app
from tests.fixtures.app import LiveServer
from tests.fixtures.hub import BASE

KEY = "bulk-callback-key"


def give_signature_key(bulk) -> None:
    # the instance's event.notification.signature.key (the events work adds it to the
    # instance API; written through the instance store until then)
    deps = bulk.app.extensions["connector.deps"]
    instance = deps.instances.get(bulk.instance["id"])
    instance.set_config("event.notification.signature.key", KEY, deps.box)
    deps.instances.save(instance)


def test_a_receiver_gets_the_signed_final_status(bulk, webhook_receiver):
    give_signature_key(bulk)
    url = f"{webhook_receiver.url}/bulk-done"
    job = bulk.download(
        "select id from contacts where id < 0", **{"Elements-Async-Callback-Url": url}
    )
    calls = webhook_receiver.wait_for(1, timeout=20, path="/bulk-done")
    assert len(calls) == 1, calls
    call = calls[0]
    body = json.loads(call["body"])
    assert body["id"] == job["id"] and body["status"] == "COMPLETED"
    assert body == {k: v for k, v in bulk.status(job["id"]).items() if k in body}
    expected = base64.b64encode(hmac.new(KEY.encode(), call["body"], hashlib.sha256).digest())
    assert call["headers"]["Elements-Webhook-Signature"] == "sha256=" + expected.decode()
    assert call["headers"]["Elements-Webhook-Id"] == f"bulk-{job['id']}"


def test_a_failing_receiver_is_tried_again(bulk, webhook_receiver):
    webhook_receiver.status = 500
    job = bulk.download(
        "select id from contacts where id < 0",
        **{"Elements-Async-Callback-Url": f"{webhook_receiver.url}/flaky"},
    )
    first = webhook_receiver.wait_for(1, timeout=20, path="/flaky")
    assert len(first) == 1
    webhook_receiver.status = 200
    again = webhook_receiver.wait_for(2, timeout=20, path="/flaky")  # RQ's retry, 4 s later
    assert len(again) == 2 and again[0]["body"] == again[1]["body"]
    # the receiver answers before the worker records the outcome: wait for it, bounded
    deadline = time.monotonic() + 20
    while bulk.runtime().store.get(job["id"])["callbackStatus"] != "200":
        assert time.monotonic() < deadline, bulk.runtime().store.get(job["id"])
        time.sleep(0.02)


def test_a_private_callback_address_is_refused_unless_the_operator_allows_it(bulk):
    strict = create_app(bulk.settings.with_overrides(events_allow_private_callbacks=False))
    server = LiveServer(strict).start()
    try:
        url = f"{server.url}{BASE}/hubs/crm/bulk/query"
        for target in ("http://127.0.0.1:9/x", "http://10.0.0.1/x", "ftp://example.com/x"):
            response = requests.post(
                url,
                params={"q": "select id from contacts"},
                headers={**bulk.hub.headers, "Elements-Async-Callback-Url": target},
                timeout=30,
            )
            assert response.status_code == 400, (target, response.text)
    finally:
        server.stop()
        strict.extensions["connector.deps"].local.close()
