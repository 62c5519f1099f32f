"""The fast path's reads (api/fast_path.py) where its answer, log line or metrics once differed
from what the Flask route gives for the same request (found by a hostile review).

Each test first sends one read so that the caller is in this worker's copies (as in
production after the first request); otherwise the fast path falls through at once. Real
parts only: the sandbox over loopback HTTP, the app on a real socket where the request line
matters, the test Redis.
"""

from __future__ import annotations

import logging
import socket

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import Client

from connector.api.fast_path import ROUTE

HELD_SECONDS = 0.3  # how long the sandbox holds the failing answer (a `latency` fault)


@pytest.fixture
def warm(connect_hub, sandbox, app):
    """An instance (caching off) whose caller this worker has copied."""
    hub = connect_hub(sandbox)
    record = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[0]}"
    assert Client(app.wsgi_app).get(record, headers=hub.headers).status_code == 200
    return hub


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "connector.requests"]


def _hold_then_refuse(sandbox, contact: int) -> None:
    """The sandbox holds the read of `contact` HELD_SECONDS, then answers a 400."""
    sandbox.set_faults(
        {"kind": "latency", "seconds": HELD_SECONDS, "path_contains": f"Contacts/{contact}"},
        {"kind": "error", "status": 400, "path_contains": f"Contacts/{contact}"},
    )


def test_a_read_that_fails_is_logged_with_the_time_the_read_took(app, sandbox, warm, caplog):
    """The fast path reads, fails, and hands the error to Flask, whose clock (g.started) starts
    only then: the log line of a 400 that took HELD_SECONDS said 0.2 ms. An operator looking
    for slow or timed-out Autotask reads (504s after AUTOTASK_TIMEOUT) sees none."""
    contact = sandbox.ids("Contacts")[1]
    _hold_then_refuse(sandbox, contact)
    caplog.set_level(logging.INFO, logger="connector.requests")
    caplog.clear()
    path = f"/elements/api-v2/hubs/crm/contacts/{contact}"
    answer = Client(app.wsgi_app).get(path, headers=warm.headers)
    assert answer.status_code == 400
    (line,) = _request_lines(caplog)
    assert line.status == 400 and line.requestId == answer.headers["Elements-Request-Id"]
    # the request cannot have been answered before the sandbox answered it
    assert line.durationMs >= HELD_SECONDS * 1000, line.getMessage()


def _duration_sum(url: str) -> float:
    text = requests.get(url + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "autotask_connector_http_request_duration_seconds_sum"
                and sample.labels == {"method": "GET", "route": ROUTE}
            ):
                return sample.value
    return 0.0


def test_a_read_that_fails_is_measured_with_the_time_the_read_took(sandbox, warm, live_server):
    """The same over real HTTP, in the request-duration histogram: it grew by Flask's
    rendering only, not by the read."""
    contact = sandbox.ids("Contacts")[1]
    _hold_then_refuse(sandbox, contact)
    before = _duration_sum(live_server.url)
    answer = warm.get(f"contacts/{contact}")
    assert answer.status_code == 400
    grown = _duration_sum(live_server.url) - before
    assert grown >= HELD_SECONDS, f"the histogram grew by {grown:.4f} s"


def test_the_autotask_calls_of_a_fast_path_read_are_logged_with_its_request_id(
    app, sandbox, warm, caplog
):
    """LOG_LEVEL=DEBUG logs each Autotask call with the id of the request that made it
    (session.py, `request_ids.current()`), so an operator can find the calls behind an
    answer. A read answered by the fast path runs outside any Flask request context: its
    calls are logged as `(request -)`, and the id it answers with is made after the read."""
    caplog.set_level(logging.DEBUG, logger="connector.autotask")
    caplog.clear()
    path = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[1]}"
    served = app.wsgi_app.served
    answer = Client(app.wsgi_app).get(path, headers=warm.headers)
    assert answer.status_code == 200 and app.wsgi_app.served == served + 1
    calls = [
        r.getMessage()
        for r in caplog.records
        if r.name == "connector.autotask" and r.getMessage().startswith("autotask GET Contacts/")
    ]
    assert len(calls) == 1
    assert f"(request {answer.headers['Elements-Request-Id']})" in calls[0], calls[0]


def _raw_get(url: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """GET `target` exactly as written (a client library would quote or refuse it)."""
    host, port = url.removeprefix("http://").split(":")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_a_path_ending_in_an_encoded_newline_is_not_read_as_the_record(
    app, sandbox, warm, live_server
):
    """`/contacts/{id}%0A`: Flask's route refuses the id (`hubs.not_an_id`, a 400, nothing
    read); the fast path's pattern ends in `$`, which also matches before a final newline,
    so it read the record from Autotask and answered 200."""
    contact = sandbox.ids("Contacts")[1]
    target = f"/elements/api-v2/hubs/crm/contacts/{contact}%0A"
    flask = Client(app.wsgi_app.inner).get(target, headers=warm.headers)
    assert flask.status_code == 400
    served = app.wsgi_app.served
    sandbox.clear_requests()
    status, body = _raw_get(live_server.url, target, warm.headers)
    assert (status, app.wsgi_app.served) == (400, served), body[:200]
    assert sandbox.requests() == []


def test_an_id_of_thousands_of_digits_falls_through_to_flask(app, sandbox, warm):
    """Past 4300 digits `int()` refuses a string (CPython's int_max_str_digits); the fast path
    calls it before any check, so the ValueError left the WSGI app (the server's bare 500: no
    JSON error, no request id, no log line) where Flask answers a 404."""
    path = "/elements/api-v2/hubs/crm/contacts/" + "9" * 5000
    flask = Client(app.wsgi_app.inner).get(path, headers=warm.headers)
    assert flask.status_code == 404
    try:
        fast = Client(app.wsgi_app).get(path, headers=warm.headers)
    except ValueError as exc:  # what the WSGI server would have turned into a bare 500
        pytest.fail(f"the fast path raised {type(exc).__name__}: {str(exc)[:60]}")
    assert fast.status_code == 404
    assert fast.get_json()["message"] == flask.get_json()["message"]
