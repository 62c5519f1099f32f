from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from connector.autotask import AutotaskClient
from connector.config import Settings
from tests.autotask.conftest import sandbox_credentials, upstream


def test_probe_is_one_cheap_authenticated_call(sandbox, autotask):
    sandbox.clear_requests()
    autotask.probe()
    log = sandbox.requests()
    assert [e["path"].rsplit("/", 1)[-1] for e in log] == ["ThresholdInformation"]
    assert autotask.stats["probe"] == 1


def test_threshold_information(sandbox, autotask, redis_client, keys):
    autotask.get("Companies", 0)
    answer = autotask.threshold()
    assert answer["externalRequestThreshold"] == 10000
    assert answer["requestThresholdTimeframe"] == 60
    assert answer["currentTimeframeRequestCount"] >= 2
    assert redis_client.get(keys.threshold(autotask.caller.database)) is not None


def test_threshold_information_is_read_now_and_then_not_every_call(sandbox, autotask):
    for _ in range(5):
        autotask.get("Companies", 0)
    assert len(upstream(sandbox, "ThresholdInformation")) == 1
    assert autotask.stats["threshold"] == 1


def test_links_open_the_sandbox_ui(sandbox, autotask):
    ticket = sandbox.ids("Tickets")[0]
    url = autotask.link("OpenTicketDetail", TicketID=ticket)
    parts = urlsplit(url)
    assert url.startswith(sandbox.url + "/Autotask/AutotaskExtend/ExecuteCommand.aspx?")
    assert parse_qs(parts.query) == {"Code": ["OpenTicketDetail"], "TicketID": [str(ticket)]}
    assert requests.get(url, timeout=5).status_code == 200


def test_record_links(sandbox, autotask):
    assert "Code=OpenAccount&AccountID=0" in autotask.record_link("Companies", 0)
    assert autotask.record_link("Resources", 1) is None


def test_stats_count_by_kind(sandbox, autotask):
    autotask.get("Companies", 0)
    autotask.count("Companies", None)
    snapshot = autotask.stats.snapshot()
    assert snapshot["byKind"] == {"get": 1, "count": 1, "threshold": 1}
    assert snapshot["calls"] == 3 == autotask.stats.calls


def test_the_client_is_cheap_to_build_and_shares_one_guarded_client(sandbox, autotask, make_client):
    other = make_client(sandbox)
    assert isinstance(other, AutotaskClient)
    assert other.caller.outbound is autotask.caller.outbound
    assert "secret" not in repr(autotask).lower()


def test_connect_discovers_the_zone_then_builds_the_client(sandbox, redis_client, keys):
    creds = sandbox_credentials(sandbox)
    settings = Settings(autotask_zone_url=sandbox.zone_url)
    client = AutotaskClient.connect(creds, redis=redis_client, keys=keys, settings=settings)
    assert client.zone.url.lower() == sandbox.api_url.lower()
    assert client.get("Companies", 0)["id"] == 0
    AutotaskClient.connect(creds, redis=redis_client, keys=keys, settings=settings)
    assert len(upstream(sandbox, "zoneInformation")) == 1  # the second found it cached
