"""The fast path's reads (api/fast_path.py) answer exactly as the Flask route does.

Each case sends the same GET twice, once through the fast path and once straight to Flask
(the app's inner WSGI callable), after one request has put the caller in this worker's
copies, and compares status, body and headers (request ids and the threshold figure, which
moves by the request between them, aside). The sandbox's log shows that a read failing in the
fast path is read once, not again by Flask.
"""

from __future__ import annotations

import dataclasses

import pytest
from werkzeug.test import Client

from connector.api.deps import THREADS

VARYING = {"Elements-Request-Id", "Autotask-Threshold-Used"}


@pytest.fixture
def uncached(connect_hub, sandbox, app):
    hub = connect_hub(sandbox)  # caching off: every read is one Autotask call
    record = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[0]}"
    assert Client(app.wsgi_app).get(record, headers=hub.headers).status_code == 200  # copies
    return hub


def _body(answer) -> dict:
    """The JSON answer; an error's requestId (its own) checked against its header, set aside."""
    body = answer.get_json()
    if isinstance(body, dict) and "requestId" in body:
        assert body.pop("requestId") == answer.headers["Elements-Request-Id"]
    return body


def _same(fast, flask) -> None:
    assert fast.status_code == flask.status_code
    assert _body(fast) == _body(flask)
    assert fast.get_data().endswith(b"\n") and flask.get_data().endswith(b"\n")
    assert {k: v for k, v in fast.headers if k not in VARYING} == {
        k: v for k, v in flask.headers if k not in VARYING
    }
    assert {k for k, _ in fast.headers} == {k for k, _ in flask.headers}


def _twice(app, sandbox, path, headers):
    """(fast answer, Flask answer, Autotask requests the fast one made, Flask's)."""
    sandbox.clear_requests()
    fast = Client(app.wsgi_app).get(path, headers=headers)
    sent_fast = len(sandbox.requests())
    flask = Client(app.wsgi_app.inner).get(path, headers=headers)
    return fast, flask, sent_fast, len(sandbox.requests()) - sent_fast


def test_an_uncached_read_is_answered_here_as_flask_would(app, sandbox, uncached):
    path = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[1]}"
    served = app.wsgi_app.served
    fast, flask, sent_fast, sent_flask = _twice(app, sandbox, path, uncached.headers)
    assert app.wsgi_app.served == served + 1
    assert fast.status_code == 200
    _same(fast, flask)
    assert fast.headers["Elements-Cache"] == "off"
    assert fast.headers["Autotask-Calls"] == "1"
    assert int(fast.headers["Autotask-Threshold-Used"]) > 0
    assert (sent_fast, sent_flask) == (1, 1)


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        pytest.param(None, 404, id="a missing record"),
        pytest.param({"kind": "error", "status": 400}, 400, id="an Autotask refusal"),
        pytest.param({"kind": "error", "status": 401}, 401, id="credentials Autotask refuses"),
    ],
)
def test_a_read_that_fails_here_is_rendered_by_flask_and_read_once(
    app, sandbox, uncached, fault, status
):
    contact = sandbox.ids("Contacts")[1]
    if fault is None:
        contact = 999_999_999
    else:
        sandbox.set_faults(**fault, path_contains=f"Contacts/{contact}")
    path = f"/elements/api-v2/hubs/crm/contacts/{contact}"
    served = app.wsgi_app.served
    fast, flask, sent_fast, sent_flask = _twice(app, sandbox, path, uncached.headers)
    assert app.wsgi_app.served == served  # Flask rendered it
    assert fast.status_code == status, fast.get_data()
    _same(fast, flask)
    assert sent_fast == sent_flask >= 1  # the failure was not read a second time
    assert fast.headers["Autotask-Calls"] == str(sent_fast)


def test_a_cache_miss_is_read_here_and_the_hit_follows(app, connect_hub, sandbox):
    hub = connect_hub(sandbox, cachingEnabled=True)
    first, second = sandbox.ids("Contacts")[:2]
    warm = f"/elements/api-v2/hubs/crm/contacts/{first}"
    assert Client(app.wsgi_app).get(warm, headers=hub.headers).status_code == 200
    path = f"/elements/api-v2/hubs/crm/contacts/{second}"
    served = app.wsgi_app.served
    sandbox.clear_requests()
    miss = Client(app.wsgi_app).get(path, headers=hub.headers)
    hit = Client(app.wsgi_app).get(path, headers=hub.headers)
    flask_hit = Client(app.wsgi_app.inner).get(path, headers=hub.headers)
    assert app.wsgi_app.served == served + 2
    assert [miss.headers["Elements-Cache"], hit.headers["Elements-Cache"]] == ["miss", "hit"]
    assert miss.get_data() == hit.get_data() == flask_hit.get_data()
    assert len(sandbox.requests()) == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("contacts/abc", 400, id="an id that is no integer"),
        pytest.param("contacts/9223372036854775808", 404, id="an id past the route's bound"),
        pytest.param("nope/1", 404, id="an unknown resource"),
    ],
)
def test_what_the_route_refuses_falls_through_to_flask(app, sandbox, uncached, path, status):
    full = f"/elements/api-v2/hubs/crm/{path}"
    served = app.wsgi_app.served
    sandbox.clear_requests()
    fast = Client(app.wsgi_app).get(full, headers=uncached.headers)
    flask = Client(app.wsgi_app.inner).get(full, headers=uncached.headers)
    assert app.wsgi_app.served == served
    assert fast.status_code == status
    _same(fast, flask)
    assert sandbox.requests() == []


def test_an_instance_past_its_thread_share_is_refused_before_any_read(app, sandbox, uncached):
    share = app.extensions[THREADS]
    instance = uncached.instance["id"]
    organization = app.extensions["connector.deps"].instances.get(instance).organizationId
    taken = 0
    while share.running(instance) < share.per_instance:  # other requests hold its share
        share.enter(instance, organization)
        taken += 1
    path = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[1]}"
    try:
        fast, flask, sent_fast, sent_flask = _twice(app, sandbox, path, uncached.headers)
    finally:
        for _ in range(taken):
            share.leave(instance, organization)
    assert fast.status_code == 429 and fast.headers["Retry-After"] == "1"
    _same(fast, flask)
    assert (sent_fast, sent_flask) == (0, 0)


class TestWithCors:
    ORIGIN = "https://app.example.test"

    @pytest.fixture
    def settings(self, settings):
        return dataclasses.replace(settings, cors_origins=self.ORIGIN)

    def test_a_cors_request_goes_to_flask_which_adds_the_cors_headers(
        self, app, connect_hub, sandbox
    ):
        hub = connect_hub(sandbox, cachingEnabled=True)
        path = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[0]}"
        assert Client(app.wsgi_app).get(path, headers=hub.headers).status_code == 200
        served = app.wsgi_app.served
        answer = Client(app.wsgi_app).get(path, headers={**hub.headers, "Origin": self.ORIGIN})
        assert answer.status_code == 200
        assert answer.headers["Access-Control-Allow-Origin"] == self.ORIGIN
        assert answer.headers["Elements-Cache"] == "hit"
        assert app.wsgi_app.served == served  # Flask answered, with flask-cors' headers
