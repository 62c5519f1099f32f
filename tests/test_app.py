"""The service shell: health, the error shape for every failure, request ids and logging."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from flask import Blueprint

from connector.app import create_app
from connector.config import Settings

BASE = "/elements/api-v2"


def _assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.get_json() if hasattr(response, "get_json") else response.json()
    assert set(body) == {"message", "requestId", "providerMessage"}
    assert body["requestId"] == response.headers["Elements-Request-Id"]
    assert body["providerMessage"] is None
    assert "Traceback" not in body["message"] and "<html" not in body["message"].lower()
    return body


def test_health_reports_redis_round_trip_and_versions(client):
    response = client.get(f"{BASE}/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["redis"]["roundTripMs"] >= 0
    assert body["redis"]["version"]
    assert body["version"]
    assert len(response.headers["Elements-Request-Id"]) == 24


def test_health_answers_503_with_a_clear_message_when_redis_is_down(settings):
    from connector.storage.embedded_redis import free_port

    dead = settings.with_overrides(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    response = create_app(dead).test_client().get(f"{BASE}/health")
    body = _assert_error_shape(response, 503)
    assert "Redis does not answer" in body["message"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        # one segment under the base path is a resource with no hub segment since #18
        # (`/elements/api-v2/contacts`), so the unknown path has a non-numeric record id
        pytest.param("GET", f"{BASE}/no/such/thing", 404, id="an unknown path is a JSON 404"),
        pytest.param("GET", "/", 404, id="the root outside the base path is a JSON 404"),
        pytest.param("DELETE", f"{BASE}/health", 405, id="a wrong method is a JSON 405"),
    ],
)
def test_routing_errors_are_json(live_server, method, path, status):
    response = requests.request(method, live_server.url + path, timeout=5)
    _assert_error_shape(response, status)
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_malformed_json_body_is_a_json_400(app):
    bp = Blueprint("echo_for_test", __name__)

    @bp.post("/echo-for-test")
    def echo():
        from flask import jsonify, request

        return jsonify(request.get_json())

    app.register_blueprint(bp, url_prefix=BASE)
    response = app.test_client().post(
        f"{BASE}/echo-for-test", data="{not json", content_type="application/json"
    )
    body = _assert_error_shape(response, 400)
    assert body["message"] == (
        "The request body is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 2"
    )


def test_unhandled_error_is_logged_with_request_id_and_hidden_from_client(app, caplog):
    bp = Blueprint("boom_for_test", __name__)

    @bp.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret-detail-that-must-not-leak")

    app.register_blueprint(bp, url_prefix=BASE)
    with caplog.at_level(logging.ERROR, logger="connector"):
        response = app.test_client().get(f"{BASE}/boom-for-test")
    body = _assert_error_shape(response, 500)
    assert "secret-detail" not in json.dumps(body)
    logged = [r for r in caplog.records if r.name == "connector.errors"]
    assert logged and body["requestId"] in logged[0].getMessage()


def test_request_log_line_has_method_path_status_duration_and_id_without_headers(settings, caplog):
    app = create_app(settings)
    with caplog.at_level(logging.INFO, logger="connector.requests"):
        response = app.test_client().get(
            f"{BASE}/health?token=query-secret",
            headers={"Authorization": "User header-secret, Organization org-secret"},
        )
    record = next(r for r in caplog.records if r.name == "connector.requests")
    assert (record.method, record.path, record.status) == ("GET", f"{BASE}/health", 200)
    assert record.requestId == response.headers["Elements-Request-Id"]
    assert record.durationMs >= 0
    text = caplog.text
    for secret in ("header-secret", "org-secret", "query-secret"):
        assert secret not in text


def test_json_log_format_writes_one_json_object_per_request(settings, capsys):
    app = create_app(settings.with_overrides(log_format="json"))
    try:
        app.test_client().get(f"{BASE}/health")
        line = [ln for ln in capsys.readouterr().err.splitlines() if '"connector.requests"' in ln]
        entry = json.loads(line[-1])
        assert entry["method"] == "GET" and entry["status"] == 200 and entry["requestId"]
    finally:
        create_app(settings)  # restore the text formatter for the tests that follow


def test_settings_read_from_environment():
    settings = Settings.from_env(
        {"REDIS_URL": "redis://x:1/2", "AUTOTASK_TIMEOUT": "7.5", "LOG_FORMAT": "json"}
    )
    assert settings.redis_url == "redis://x:1/2"
    assert settings.autotask_timeout == 7.5
    assert settings.log_format == "json"


def test_a_bad_transformation_map_stops_the_app_naming_file_and_field(settings, tmp_path):
    from connector.errors import MappingError

    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "gadgets.yaml").write_text(
        "entity: Companies\ndescription: x\n"
        "operations: {list: true, get: true, create: true, update: true, delete: true}\n"
        "fields:\n  - {path: id, type: integer, vendor: id, direction: read}\n"
        "  - {path: name, type: sparkles, vendor: companyName}\n"
    )
    with pytest.raises(MappingError) as caught:
        create_app(settings.with_overrides(transformations_dir=str(maps)))
    assert "gadgets.yaml" in caught.value.message and "sparkles" in caught.value.message
