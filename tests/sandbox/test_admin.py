"""The admin endpoints under /_sandbox (documented in the README)."""

from __future__ import annotations

import requests


def admin(box, method, path, **kwargs):
    return requests.request(method, f"{box.url}/_sandbox/{path}", timeout=30, **kwargs)


def test_the_request_log_is_served_filtered_and_cleared(sandbox):
    sandbox.call("GET", "Companies/0")
    sandbox.call("POST", "Contacts/query", json={"filter": []})
    listed = admin(sandbox, "GET", "requests", params={"path_contains": "contacts"}).json()
    assert [entry["method"] for entry in listed["requests"]] == ["POST"]
    assert admin(sandbox, "DELETE", "requests").status_code == 200
    assert admin(sandbox, "GET", "requests").json() == {"requests": []}


def test_config_changes_tunables_and_hides_secrets(sandbox):
    changed = admin(sandbox, "POST", "config", json={"threshold": 42}).json()
    assert changed["threshold"] == 42
    assert changed["api_users"][0]["secret"] == "****"
    assert sandbox.call("GET", "ThresholdInformation").json()["externalRequestThreshold"] == 42


def test_config_refuses_unknown_settings(sandbox):
    assert admin(sandbox, "POST", "config", json={"thresold": 1}).status_code == 400


def test_reseed_replaces_the_data(sandbox):
    answer = admin(sandbox, "POST", "reseed", json={"records": 3}).json()
    assert answer["counts"]["Companies"] == 4  # three, plus company 0
    assert admin(sandbox, "GET", "counts").json()["Contacts"] == 12


def test_records_are_readable_without_credentials(sandbox):
    assert admin(sandbox, "GET", "records/Companies/0").json()["item"]["id"] == 0
