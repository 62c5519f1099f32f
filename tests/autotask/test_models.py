from __future__ import annotations

import pytest

from connector.autotask import Credentials, Page, Zone


def test_credentials_never_show_the_secret_or_the_integration_code():
    creds = Credentials("api@example.com", "s3cr3t-value", "INTEGRATIONCODE27CHARSXXXXX", 42)
    for text in (repr(creds), str(creds), f"{creds}", f"{creds!r}"):
        assert "s3cr3t-value" not in text
        assert "INTEGRATIONCODE27CHARSXXXXX" not in text
        assert "api@example.com" in text


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param(
            {
                "zoneName": "Pre Release",
                "url": "https://webservices2.autotask.net/ATServicesRest/",
                "webUrl": "https://ww2.autotask.net/",
                "ci": 30595,
            },
            Zone(
                "Pre Release",
                "https://webservices2.autotask.net/ATServicesRest/",
                "https://ww2.autotask.net/",
                30595,
            ),
            id="Autotask's documented answer",
        ),
        pytest.param(
            {
                "ZONENAME": "AE02",
                "URL": "https://webservices14.autotask.net/ATServicesRest",
                "WEBURL": "",
                "CI": "7",
            },
            Zone("AE02", "https://webservices14.autotask.net/ATServicesRest/", "", 7),
            id="keys in another case, a url without its slash and ci as a string",
        ),
    ],
)
def test_zone_from_answer(answer, expected):
    assert Zone.from_answer(answer) == expected


def test_zone_api_builds_v1_paths():
    zone = Zone("z", "https://h/ATServicesRest/", "", 1)
    assert zone.api("Companies/query") == "https://h/ATServicesRest/V1.0/Companies/query"


def test_zone_without_url_is_refused():
    with pytest.raises(ValueError):
        Zone.from_answer({"zoneName": "x", "ci": 1})


def test_page_last_id():
    assert Page([{"id": 3}, {"id": 9}], has_more=True).last_id == 9
    assert Page([], has_more=False).last_id is None


@pytest.mark.parametrize(
    "ci",
    [
        pytest.param(None, id="no ci at all"),
        pytest.param("", id="an empty ci"),
        pytest.param("thirty", id="a ci that is not a number"),
        pytest.param(1.5, id="a fractional ci"),
        pytest.param(True, id="a boolean ci"),
    ],
)
def test_zone_without_an_integer_ci_is_refused(ci):
    answer = {"zoneName": "x", "url": "https://h/ATServicesRest/"}
    if ci is not None:
        answer["ci"] = ci
    with pytest.raises(ValueError, match="ci"):
        Zone.from_answer(answer)
