"""CORS (flask-cors) from CONNECTOR_CORS_ORIGINS: off by default, origins checked at start."""

from __future__ import annotations

import dataclasses

import pytest

from connector.api import cors
from connector.app import create_app
from connector.errors import ConfigurationError

BASE = "/elements/api-v2"


@pytest.mark.parametrize(
    ("raw", "origins"),
    [
        pytest.param("", [], id="unset: no CORS"),
        pytest.param("*", ["*"], id="any origin"),
        pytest.param(
            " https://app.example.com/, http://localhost:3000 ",
            ["https://app.example.com", "http://localhost:3000"],
            id="a list, spaces and a trailing slash trimmed",
        ),
    ],
)
def test_origins_are_read_from_the_setting(raw, origins):
    assert cors.origins_of(raw) == origins


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("app.example.com", id="no scheme"),
        pytest.param("https://app.example.com/path", id="a path"),
        pytest.param("ftp://app.example.com", id="not http"),
    ],
)
def test_a_malformed_origin_stops_the_start_naming_the_setting(settings, raw):
    with pytest.raises(ConfigurationError, match="CONNECTOR_CORS_ORIGINS"):
        create_app(dataclasses.replace(settings, cors_origins=raw))


def test_without_the_setting_no_cors_header_is_sent(client):
    answer = client.get(f"{BASE}/health", headers={"Origin": "https://app.example.com"})
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_any_origin_and_the_metrics_page_left_alone(settings):
    app = create_app(dataclasses.replace(settings, cors_origins="*"))
    try:
        client = app.test_client()
        answer = client.get(f"{BASE}/health", headers={"Origin": "https://a.example"})
        assert answer.headers["Access-Control-Allow-Origin"] == "https://a.example"  # echoed
        assert "Elements-Request-Id" in answer.headers["Access-Control-Expose-Headers"]
        metrics = client.get("/metrics", headers={"Origin": "https://a.example"})
        assert "Access-Control-Allow-Origin" not in metrics.headers  # only the API's paths
    finally:
        app.extensions["connector.deps"].local.close()


def test_a_preflight_on_a_hub_path_is_answered(settings):
    app = create_app(dataclasses.replace(settings, cors_origins="https://app.example.com"))
    try:
        answer = app.test_client().options(
            f"{BASE}/hubs/crm/contacts",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert answer.status_code == 200
        assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "authorization" in answer.headers["Access-Control-Allow-Headers"].lower()
        exposed = answer.headers.get("Access-Control-Expose-Headers", "")
        other = app.test_client().get(f"{BASE}/health", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
        assert exposed == "" or "Elements-Next-Page-Token" in exposed
    finally:
        app.extensions["connector.deps"].local.close()
