"""connector/outbound/hosts.py and policy.py: patterns, ports, schemes, settings strings."""

from __future__ import annotations

import pytest

from connector.errors import ConfigurationError
from connector.outbound.hosts import HostPattern
from connector.outbound.policy import (
    AUTOTASK_DEFAULT_HOSTS,
    AUTOTASK_KNOWN_ZONE_HOSTS,
    AUTOTASK_SENSITIVE_HEADERS,
    OutboundPolicy,
    autotask_policy,
    parse_flag,
)

P = pytest.param
MATCHES = [
    P("*.autotask.net", "webservices2.autotask.net", 443, True, id="star matches one label"),
    P("*.autotask.net", "a.b.autotask.net", 443, False, id="star never matches a dot"),
    P("*.autotask.net", "autotask.net", 443, False, id="star needs a label before the dot"),
    P("*.autotask.net", "evilautotask.net", 443, False, id="a suffix without the dot is no match"),
    P("*.autotask.net", "webservices2.autotask.net", 8443, False, id="no port: default only"),
    P("webservices*.autotask.net", "webservices.autotask.net", 443, True, id="star may be empty"),
    P("webservices*.autotask.net", "webservicesprde.autotask.net", 443, True, id="star in label"),
    P("webservices*.autotask.net", "ww2.autotask.net", 443, False, id="web UI host is no match"),
    P("webservices2.autotask.net", "webservices2.autotask.net", 443, True, id="exact name"),
    P("webservices2.autotask.net", "webservices3.autotask.net", 443, False, id="other name"),
    P("127.0.0.1:8001", "127.0.0.1", 8001, True, id="IP and port match"),
    P("127.0.0.1:8001", "127.0.0.1", 8002, False, id="IP with another port is no match"),
    P("127.0.0.1:8001", "127.0.0.2", 8001, False, id="another IP is no match"),
    P("[::1]:8443", "::1", 8443, True, id="bracketed IPv6 with port"),
    P("[0:0::1]", "::1", 443, True, id="IPv6 pattern is compared compressed"),
    P("Example.COM.", "example.com", 443, True, id="case and a trailing dot do not matter"),
    P("*", "anything.example", 1234, True, id="lone star is any host, any port"),
    P("*.0.0.1", "127.0.0.1", 443, False, id="a wildcard never matches an IP address"),
]


@pytest.mark.parametrize(("pattern", "host", "port", "expected"), MATCHES)
def test_pattern_matches(pattern, host, port, expected):
    assert HostPattern.parse(pattern).matches(host, port, 443) is expected


@pytest.mark.parametrize(
    "text",
    [
        P("exa mple.com", id="a space"),
        P("example.com:0", id="port zero"),
        P("example.com:65536", id="port too large"),
        P("example.com:", id="an empty port"),
        P("example.com:８０", id="non-ASCII digits in the port"),
        P("[::1", id="an unclosed bracket"),
        P("-bad.example", id="a label starting with a hyphen"),
        P("a..b", id="an empty label"),
    ],
)
def test_bad_patterns_are_configuration_errors(text):
    with pytest.raises(ConfigurationError):
        HostPattern.parse(text)


def test_default_autotask_hosts_match_every_known_zone_host_and_nothing_else():
    policy = autotask_policy(None)
    assert AUTOTASK_DEFAULT_HOSTS == ("webservices*.autotask.net",)
    for host in AUTOTASK_KNOWN_ZONE_HOSTS:
        assert policy.host_rule("https", host, 443) is None, host
        assert policy.host_rule("http", host, 80) == "scheme", host
    for host in ("ww2.autotask.net", "evil.example", "webservices2.autotask.net.evil.example"):
        assert policy.host_rule("https", host, 443) == "host", host
    assert policy.host_rule("https", "webservices2.autotask.net", 8443) == "host"
    assert policy.allow_private is False
    assert {"Secret", "UserName", "ApiIntegrationCode"} <= AUTOTASK_SENSITIVE_HEADERS


def test_settings_string_with_http_prefix_allows_plain_http_for_that_pattern_only():
    policy = autotask_policy("http://127.0.0.1:8001, webservices*.autotask.net", "false")
    assert policy.host_rule("http", "127.0.0.1", 8001) is None
    assert policy.host_rule("https", "127.0.0.1", 8001) is None
    assert policy.host_rule("http", "webservices2.autotask.net", 80) == "scheme"
    assert policy.host_rule("http", "127.0.0.1", 8002) == "host"
    assert policy.host_rule("https", "10.0.0.1", 443) == "host"


def test_star_setting_allows_any_host_but_still_https_only():
    policy = OutboundPolicy.from_settings("*", "no")
    assert policy.allowed_hosts is None
    assert policy.host_rule("https", "hooks.example", 8443) is None
    assert policy.host_rule("http", "hooks.example", 80) == "scheme"


def test_blank_setting_takes_the_default_and_with_hosts_adds_to_it():
    policy = OutboundPolicy.from_settings("  ", default="api.example")
    assert [str(p) for p in policy.allowed_hosts] == ["api.example"]
    grown = policy.with_hosts("http://127.0.0.1:8001")
    assert grown.host_rule("http", "127.0.0.1", 8001) is None
    assert grown.host_rule("https", "api.example", 443) is None
    assert policy.host_rule("http", "127.0.0.1", 8001) == "host"  # frozen: unchanged


def test_policy_accepts_pattern_strings_and_stays_hashable():
    policy = OutboundPolicy(allowed_hosts=["*.example.com"], http_hosts=["127.0.0.1:9"])
    assert policy.allowed_hosts == (HostPattern("*.example.com"),)
    assert hash(policy) == hash(OutboundPolicy(("*.example.com",), ("127.0.0.1:9",)))


@pytest.mark.parametrize(
    "text",
    [
        P("", id="an empty list"),
        P("ftp://example.com", id="another scheme"),
        P("https://example.com/path", id="a path"),
        P("user@example.com", id="userinfo"),
    ],
)
def test_bad_settings_strings_are_configuration_errors(text):
    with pytest.raises(ConfigurationError):
        OutboundPolicy.from_settings(text, default="")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        P("1", True, id="1"),
        P("TRUE", True, id="TRUE"),
        P("on", True, id="on"),
        P("", False, id="blank"),
        P(None, False, id="unset"),
        P("0", False, id="0"),
        P("no", False, id="no"),
        P(True, True, id="a bool passes"),
    ],
)
def test_parse_flag(value, expected):
    assert parse_flag(value) is expected


def test_parse_flag_refuses_anything_else():
    with pytest.raises(ConfigurationError):
        parse_flag("maybe")
