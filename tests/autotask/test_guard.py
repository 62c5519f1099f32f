"""What the guard remembers between requests: zone URLs that passed (until the policy changes)
and database identities (a pure function of the zone and its lookup URL)."""

from __future__ import annotations

import pytest

from connector.autotask import Zone, guard
from connector.config import Settings

SETTINGS = Settings()


def _zone(port: int, ci: int = 7) -> Zone:
    return Zone(name="Z", url=f"http://127.0.0.1:{port}/ATServicesRest/", web_url="", ci=ci)


def test_a_zone_that_passed_is_refused_once_its_host_is_taken_back():
    zone = _zone(1)  # port 1: nothing listens, nothing is sent
    with pytest.raises(guard.AutotaskHostError):
        guard.check_zone(zone, SETTINGS)
    guard.allow_hosts("http://127.0.0.1:1")
    try:
        assert guard.check_zone(zone, SETTINGS) is zone
        assert guard.check_zone(zone, SETTINGS) is zone  # remembered
    finally:
        guard.forget_hosts("http://127.0.0.1:1")
    with pytest.raises(guard.AutotaskHostError):
        guard.check_zone(zone, SETTINGS)


def test_a_remembered_zone_is_only_the_one_checked():
    guard.allow_hosts("http://127.0.0.1:1")
    try:
        guard.check_zone(_zone(1), SETTINGS)
        with pytest.raises(guard.AutotaskHostError):
            guard.check_zone(_zone(2), SETTINGS)
        with pytest.raises(guard.AutotaskHostError) as caught:  # same host, no API path
            guard.check_zone(Zone("Z", "http://127.0.0.1:1/other/", "", 7), SETTINGS)
        assert caught.value.rule == "path"
    finally:
        guard.forget_hosts("http://127.0.0.1:1")


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        pytest.param(
            "https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation",
            "127.0.0.1:1/7",
            id="Autotask's own lookup answered: the API host and ci alone",
        ),
        pytest.param(
            "http://127.0.0.1:9/atservicesrest/v1.0/zoneInformation",
            "http://127.0.0.1:9>127.0.0.1:1/7",
            id="another lookup server answered: its origin comes first",
        ),
    ],
)
def test_database_identity_asked_again_gives_the_same_key(lookup, expected):
    zone = _zone(1)
    first = guard.database_identity(zone, lookup)
    assert guard.database_identity(_zone(1), lookup) == first
    assert first.endswith(zone.database) and first == expected
    assert guard.database_identity(_zone(1, ci=8), lookup) != first
