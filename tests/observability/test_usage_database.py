"""A client's calls are reported under the database of the limits that admitted them, not
the client's default: a probe of another zone is not usage of the instance's database."""

from __future__ import annotations

from connector.autotask import AutotaskClient, Credentials, discover_zone
from connector.config import Settings
from connector.storage.keys import Keys


def test_each_call_is_reported_under_the_limits_it_went_through(
    sandbox, redis_client, redis_url, key_prefix
):
    keys = Keys(key_prefix)
    settings = Settings(
        redis_url=redis_url, key_prefix=key_prefix, autotask_zone_url=sandbox.zone_url
    )
    given = sandbox.credentials
    creds = Credentials(given.username, given.secret, given.integration_code)
    zone = discover_zone(
        creds.username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url, ttl=60
    )
    client = AutotaskClient(creds, zone, redis=redis_client, keys=keys, settings=settings)
    caller = client.caller
    seen: list[tuple[str, str]] = []
    caller.on_call = lambda database, endpoint, kind, outcome: seen.append((database, kind))
    other = caller.limits_for(zone, database="elsewhere")
    url = zone.api("ThresholdInformation")
    caller.attempt("probe", "GET", url, "ThresholdInformation", None, limits=other)
    caller.attempt("threshold", "GET", url, "ThresholdInformation", None)
    assert seen == [("elsewhere", "probe"), (caller.limits.database, "threshold")]
    assert caller.limits.database != "elsewhere"
