"""The server URL and the operator's integration code against AUTOTASK_ALLOWED_HOSTS."""

from __future__ import annotations

import pytest

from connector.autotask import guard
from connector.commands.serve import allow_sandbox
from connector.config import DEFAULT_ZONE_URL, Settings
from connector.errors import ValidationError
from connector.tenancy import element
from connector.tenancy.provisioning import credentials_from, zone_lookup_url

CONFIG = {
    element.USERNAME: "api@example.com",
    element.PASSWORD: "secret-secret",
    element.SERVER_URL: "https://ww3.autotask.net",
}


@pytest.mark.parametrize(
    ("server_url", "lookup"),
    [
        pytest.param("https://ww3.autotask.net", DEFAULT_ZONE_URL, id="Autotask's web host"),
        pytest.param(
            "https://webservices2.autotask.net/",
            DEFAULT_ZONE_URL,
            id="an Autotask API host",
        ),
    ],
)
def test_autotask_server_urls_use_the_global_lookup(server_url, lookup):
    assert zone_lookup_url(server_url, Settings()) == lookup


@pytest.mark.parametrize(
    ("server_url", "rule"),
    [
        pytest.param("http://ww3.autotask.net", "scheme", id="Autotask over plain http"),
        pytest.param("https://proxy.example.com", "host", id="a host the operator never named"),
        pytest.param("https://proxy.autotask.net:8443", "host", id="another port (as host)"),
        pytest.param("https://user:pw@proxy.autotask.net", "userinfo", id="userinfo"),
    ],
)
def test_other_server_urls_are_refused_naming_the_field_and_rule(server_url, rule):
    with pytest.raises(guard.AutotaskHostError) as caught:
        zone_lookup_url(server_url, Settings(autotask_allowed_hosts="proxy.autotask.net:443"))
    assert caught.value.status == 400
    assert caught.value.field == element.SERVER_URL
    assert caught.value.rule == rule


def test_the_operators_integration_code_goes_only_to_named_hosts():
    named = Settings(autotask_integration_code="OPERATOR-CODE")
    assert credentials_from(CONFIG, named).integration_code == "OPERATOR-CODE"
    anywhere = Settings(autotask_integration_code="OPERATOR-CODE", autotask_allowed_hosts="*")
    with pytest.raises(ValidationError) as caught:
        credentials_from(CONFIG, anywhere)
    assert element.INTEGRATION_CODE in caught.value.message
    own = {**CONFIG, element.INTEGRATION_CODE: "TENANT-CODE"}
    assert credentials_from(own, anywhere).integration_code == "TENANT-CODE"


def test_serve_allows_the_sandbox_it_started_and_keeps_autotask():
    settings = allow_sandbox(Settings(), "http://127.0.0.1:8001")
    policy = guard.policy_for(settings)
    assert policy.host_rule("http", "127.0.0.1", 8001) is None
    assert policy.host_rule("http", "127.0.0.1", 8002) == "host"
    assert policy.host_rule("https", "webservices14.autotask.net", 443) is None
    assert policy.host_rule("http", "webservices14.autotask.net", 80) == "scheme"
    own = allow_sandbox(
        Settings(autotask_allowed_hosts="proxy.example.com"), "http://127.0.0.1:8001"
    )
    assert guard.policy_for(own).host_rule("https", "webservices14.autotask.net", 443) == "host"
