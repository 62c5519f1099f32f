from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connector.autotask import UnknownUsernameError, Zone, discover_zone
from connector.errors import ProviderError
from tests.autotask.conftest import upstream


def test_discovers_the_zone_without_credentials(sandbox, redis_client, keys):
    zone = discover_zone(
        sandbox.credentials.username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url
    )
    assert isinstance(zone, Zone)
    assert zone.url.lower() == sandbox.api_url.lower()
    assert zone.url.endswith("/")
    assert zone.ci == 31337
    assert zone.web_url.rstrip("/") == sandbox.url


def test_the_answer_is_cached_per_username_with_a_ttl(sandbox, redis_client, keys):
    username = sandbox.credentials.username
    first = discover_zone(
        username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url, ttl=600
    )
    second = discover_zone(
        username.upper(), redis=redis_client, keys=keys, zone_url=sandbox.zone_url
    )
    assert first == second
    assert len(upstream(sandbox, "zoneInformation")) == 1
    assert 0 < redis_client.ttl(keys.zone(sandbox.zone_url, username)) <= 600
    assert json.loads(redis_client.get(keys.zone(sandbox.zone_url, username)))["ci"] == first.ci


def test_refresh_asks_again(sandbox, redis_client, keys):
    username = sandbox.credentials.username
    discover_zone(username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url)
    discover_zone(username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url, refresh=True)
    assert len(upstream(sandbox, "zoneInformation")) == 2


def test_no_credential_header_goes_to_the_zone_lookup(sandbox, redis_client, keys):
    discover_zone(
        sandbox.credentials.username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url
    )
    (lookup,) = upstream(sandbox, "zoneInformation")
    # the sandbox logs the credential headers it gets (never the Secret's value)
    assert lookup["integration_code"] is None
    assert lookup["username"] is None


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("nobody@example.com", id="an unknown user"),
        pytest.param("  ", id="a blank user, refused before any call"),
    ],
)
def test_unknown_users_are_an_auth_error_with_autotask_text(sandbox, redis_client, keys, username):
    with pytest.raises(UnknownUsernameError) as caught:
        discover_zone(username, redis=redis_client, keys=keys, zone_url=sandbox.zone_url)
    assert caught.value.status == 401
    if username.strip():
        assert caught.value.provider_message == "Zone information could not be determined"
    else:
        assert upstream(sandbox, "zoneInformation") == []


class _ZoneAnswerWithoutCi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
        base = f"http://127.0.0.1:{self.server.server_port}"
        body = json.dumps({"zoneName": "NoCi", "url": f"{base}/ATServicesRest/", "webUrl": base})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_zone_server_without_ci(allow_autotask_host) -> Iterator[str]:
    """A FAKE zoneInformation that leaves out `ci`: a fault the sandbox cannot produce."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ZoneAnswerWithoutCi)
    allow_autotask_host(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/atservicesrest/v1.0/zoneInformation"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_zone_answer_without_ci_is_refused(fake_zone_server_without_ci, redis_client, keys):
    # without ci, every such tenant would share database 0's caches and request counts
    with pytest.raises(ProviderError) as caught:
        discover_zone(
            "someone@example.com",
            redis=redis_client,
            keys=keys,
            zone_url=fake_zone_server_without_ci,
        )
    assert "ci" in caught.value.message
    assert caught.value.status == 502
    assert redis_client.get(keys.zone(fake_zone_server_without_ci, "someone@example.com")) is None
