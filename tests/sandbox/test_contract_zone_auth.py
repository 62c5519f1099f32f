"""Checklist "Zone and auth" (reference sections 1, 2 and 13), over real HTTP."""

from __future__ import annotations

import pytest
import requests

from tests.sandbox.refusals import refused


def test_zone_information_needs_no_credentials_and_points_back_at_the_sandbox(sandbox):
    answer = requests.get(
        sandbox.zone_url, params={"user": sandbox.credentials.username}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "zoneName": "Sandbox",
        "url": f"{sandbox.url}/ATServicesRest/",
        "webUrl": f"{sandbox.url}/",
        "ci": 31337,
    }


@pytest.mark.parametrize(
    "user",
    [
        pytest.param("nobody@example.com", id="an unknown user"),
        pytest.param("", id="a blank user"),
    ],
)
def test_zone_information_for_an_unknown_user_is_a_500_with_errors(sandbox, user):
    answer = requests.get(sandbox.zone_url, params={"user": user}, timeout=10)
    assert answer.status_code == 500
    assert answer.json() == {"errors": ["Zone information could not be determined"]}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/atservicesrest/v1.0/zoneInformation", id="lower-case prefix"),
        pytest.param("/ATServicesRest/V1.0/ZONEINFORMATION", id="upper-case path"),
    ],
)
def test_paths_match_case_insensitively(sandbox, path):
    answer = requests.get(
        sandbox.url + path, params={"user": sandbox.credentials.username}, timeout=10
    )
    assert answer.status_code == 200


def test_version_information_lists_v1(sandbox):
    answer = requests.get(f"{sandbox.url}/atservicesrest/versioninformation", timeout=10)
    assert answer.json() == {"apiVersions": ["V1.0"]}


def test_the_default_credentials_open_entity_calls(sandbox):
    assert sandbox.call("GET", "Companies/0").json()["item"]["id"] == 0


@pytest.mark.parametrize(
    ("override", "status", "body"),
    [
        pytest.param(
            {"Secret": "wrong"},
            401,
            {"Message": "Authorization has been denied for this request."},
            id="a wrong secret is a 401",
        ),
        pytest.param(
            {"ApiIntegrationCode": "WRONG"},
            500,
            {"errors": ["IntegrationCode is invalid."]},
            id="a wrong integration code is a 500",
        ),
        pytest.param(
            {"UserName": "nobody@example.com"},
            500,
            {"errors": ["Zone information could not be determined"]},
            id="an unknown username is a 500 like the zone lookup",
        ),
    ],
)
def test_bad_credentials_answer_like_autotask(sandbox, override, status, body):
    answer = sandbox.call("GET", "Companies/0", headers=override)
    assert (answer.status_code, answer.json()) == (status, body)
    company = {"companyName": "X", "companyType": 1, "ownerResourceID": 29682881, "phone": "1"}
    write = refused(sandbox, "POST", "Companies", company, headers=override, status=status)
    assert write == body


def test_header_names_are_case_insensitive(sandbox):
    creds = sandbox.credentials
    headers = {
        "APIIntegrationcode": creds.integration_code,
        "Username": creds.username,
        "secret": creds.secret,
    }
    answer = requests.get(f"{sandbox.rest_url}/Companies/0", headers=headers, timeout=10)
    assert answer.status_code == 200


def test_more_api_users_can_be_configured(make_sandbox):
    box = make_sandbox(api_users=[{"username": "second@sandbox.local", "secret": "two"}])
    answer = box.call(
        "GET", "Companies/0", headers={"UserName": "second@sandbox.local", "Secret": "two"}
    )
    assert answer.status_code == 200


def test_an_unknown_route_is_a_404_with_message(sandbox):
    answer = sandbox.call("GET", "NoSuchEntity/query")
    assert answer.status_code == 404
    assert answer.json()["Message"].startswith("No HTTP resource was found")


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("99999999999999999999999", id="an id beyond Int64"),
        pytest.param("\u00b2", id="a superscript two (a latin-1 digit to str.isdigit)"),
    ],
)
def test_an_impersonation_header_that_is_not_an_ascii_int64_is_autotasks_500(sandbox, header):
    answer = sandbox.call("GET", "Companies/0", headers={"ImpersonationResourceId": header})
    assert (answer.status_code, answer.json()) == (
        500,
        {"errors": [f"The impersonated resource {header} does not exist or is inactive."]},
    )
