"""The WSGI short way for cached record reads answers exactly as the Flask route does."""

from __future__ import annotations

import pytest
from werkzeug.test import Client


@pytest.fixture
def cached(connect_hub, sandbox, app):
    hub = connect_hub(sandbox, cachingEnabled=True)
    contact = sandbox.ids("Contacts")[0]
    path = f"/elements/api-v2/hubs/crm/contacts/{contact}"
    return hub, path


def _answers(app, path, headers):
    fast = Client(app.wsgi_app).get(path, headers=headers)
    flask = Client(app.wsgi_app.inner).get(path, headers=headers)
    return fast, flask


def test_a_hit_is_answered_here_exactly_as_flask_would(app, cached):
    hub, path = cached
    client = Client(app.wsgi_app)
    assert client.get(path, headers=hub.headers).headers["Elements-Cache"] == "miss"
    served = app.wsgi_app.served
    fast, flask = _answers(app, path, hub.headers)
    assert app.wsgi_app.served == served + 1
    assert fast.status_code == flask.status_code == 200
    assert fast.get_data() == flask.get_data()
    names = {k for k, _ in fast.headers} - {"Elements-Request-Id"}
    assert names == {k for k, _ in flask.headers} - {"Elements-Request-Id"}
    assert fast.headers["Elements-Cache"] == flask.headers["Elements-Cache"] == "hit"
    assert len(fast.headers["Elements-Request-Id"]) == 24


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param(lambda h, p: (h, p + "?fields=id"), 200, id="a query string goes to Flask"),
        pytest.param(
            lambda h, p: ({"Authorization": h["Authorization"] + "x"}, p),
            401,
            id="an unknown token goes to Flask",
        ),
        pytest.param(lambda h, p: ({}, p), 401, id="no Authorization goes to Flask"),
        pytest.param(
            lambda h, p: (h, p.rsplit("/", 1)[0] + "/999999999"),
            404,
            id="an uncached record goes to Flask",
        ),
    ],
)
def test_anything_else_falls_through_to_flask(app, cached, change, status):
    hub, path = cached
    Client(app.wsgi_app).get(path, headers=hub.headers)
    headers, target = change(hub.headers, path)
    served = app.wsgi_app.served
    response = Client(app.wsgi_app).get(target, headers=headers)
    assert response.status_code == status
    assert app.wsgi_app.served == served


def test_a_disabled_instance_is_refused_even_with_a_copy(app, cached):
    hub, path = cached
    client = Client(app.wsgi_app)
    client.get(path, headers=hub.headers)
    assert (
        client.delete("/elements/api-v2/instances/enabled", headers=hub.headers).status_code == 200
    )
    assert client.get(path, headers=hub.headers).status_code == 403


def test_an_uncached_read_falls_through_with_the_caller_found_here(
    app, connect_hub, sandbox, caplog
):
    hub = connect_hub(sandbox)  # no caching: the fast path only looks the caller up
    path = f"/elements/api-v2/hubs/crm/contacts/{sandbox.ids('Contacts')[0]}"
    served = app.wsgi_app.served
    with caplog.at_level("INFO", logger="connector.requests"):
        fast, flask = _answers(app, path, hub.headers)
    assert app.wsgi_app.served == served
    assert fast.status_code == flask.status_code == 200
    assert fast.get_data() == flask.get_data()
    assert fast.headers["Elements-Element-Instance-Id"] == str(hub.instance["id"])
    missing = path.rsplit("/", 1)[0] + "/999999999"
    with caplog.at_level("INFO", logger="connector.requests"):
        fast, flask = _answers(app, missing, hub.headers)
    assert fast.status_code == flask.status_code == 404
    assert fast.get_json()["message"] == flask.get_json()["message"]
    for target in (path, missing):  # an error's log line names the instance too
        logged = [r for r in caplog.records if getattr(r, "path", None) == target]
        assert [r.instanceId for r in logged] == [hub.instance["id"]] * 2
