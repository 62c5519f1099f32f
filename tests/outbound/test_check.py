"""connector/outbound/urls.py and check.py: strict URLs, rules named, nothing revealed."""

from __future__ import annotations

import pytest

from connector.outbound import OutboundConnectError, OutboundPolicy, OutboundRefusedError
from connector.outbound.check import check_static, check_url

P = pytest.param
ANY = OutboundPolicy()  # any host, https only, public addresses only
REFUSED = [
    P("ftp://example.com/", "scheme", id="another scheme"),
    P("http://example.com/", "scheme", id="plain http to a host not allowed http"),
    P("https://user:pw@example.com/", "userinfo", id="userinfo"),
    P("https://example.com@127.0.0.1/", "userinfo", id="userinfo hiding the real host"),
    P("https://example.com/#x", "fragment", id="a fragment"),
    P("https://good.example#@evil.example/", "fragment", id="a fragment posing as userinfo"),
    P("https://good.example\\@evil.example/", "syntax", id="a backslash"),
    P("https://exa\nmple.com/", "syntax", id="a newline the stdlib would drop"),
    P("https://exa\tmple.com/", "syntax", id="a tab the stdlib would drop"),
    P("https://example.com/ a", "syntax", id="a space"),
    P("https://exämple.com/", "syntax", id="non-ASCII"),
    P("https://example.com:0/", "syntax", id="port zero"),
    P("https://example.com:99999/", "syntax", id="port too large"),
    P("https://example.com:/", "syntax", id="an empty port"),
    P("https://example.com:+443/", "syntax", id="a signed port"),
    P("https:///path", "syntax", id="no host"),
    P("example.com/path", "syntax", id="not absolute"),
    P("https://127.1/", "syntax", id="short IPv4 form"),
    P("https://2130706433/", "syntax", id="integer IPv4 form"),
    P("https://0x7f.0.0.1/", "syntax", id="hex IPv4 form"),
    P("https://[fe80::1%25eth0]/", "syntax", id="an IPv6 zone"),
    P("https://[127.0.0.1]/", "syntax", id="IPv4 in brackets"),
    P("https://127.0.0.1/", "address", id="literal IPv4 loopback"),
    P("https://[::1]/", "address", id="literal IPv6 loopback"),
    P("https://[::ffff:127.0.0.1]/", "address", id="literal mapped loopback"),
    P("https://[::ffff:7f00:1]/", "address", id="literal mapped loopback in hex"),
    P("https://169.254.169.254/latest/meta-data", "address", id="literal metadata address"),
    P("https://[64:ff9b::a9fe:a9fe]/", "address", id="literal NAT64 of metadata"),
    P("https://10.0.0.1:8443/", "address", id="literal private address with port"),
]


@pytest.mark.parametrize(("url", "rule"), REFUSED)
def test_static_refusals_name_the_rule(url, rule):
    with pytest.raises(OutboundRefusedError) as caught:
        check_static(url, ANY)
    assert caught.value.rule == rule
    assert caught.value.status == 400 and caught.value.code == "outbound_refused"


def test_a_good_url_keeps_its_request_target_byte_for_byte():
    target = check_static("HTTPS://Example.COM./a%2fb?paging=%7b%22x%22%7d&q=1", ANY)
    assert (target.scheme, target.host, target.port) == ("https", "example.com", 443)
    assert target.target == "/a%2fb?paging=%7b%22x%22%7d&q=1"
    assert target.host_header == "example.com"
    assert check_static("https://example.com?x=1", ANY).target == "/?x=1"
    assert check_static("https://[2001:4860::1]:8443", ANY).host_header == "[2001:4860::1]:8443"


def test_query_tricks_do_not_change_the_host():
    target = check_static("https://good.example/?next=https://127.0.0.1/&@evil.example", ANY)
    assert target.host == "good.example"


def fake_resolver(answers):
    """A FAKE resolver: real DNS cannot be controlled from a test, so names map to a table."""

    def resolve(host, port):
        if host not in answers:
            raise OSError("no such name")
        return answers[host]

    return resolve


NAMES = {
    "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "loopback.example": ["127.0.0.1"],
    "mixed.example": ["93.184.215.14", "10.0.0.7"],
    "mapped.example": ["::ffff:169.254.169.254"],
    "zoned.example": ["fe80::1%eth0"],
}


@pytest.mark.parametrize(
    "host",
    [
        P("loopback.example", id="a name resolving to loopback"),
        P("mixed.example", id="a name with one private address among public ones"),
        P("mapped.example", id="a name resolving to mapped metadata"),
        P("zoned.example", id="a name resolving to a scoped address"),
        P("missing.example", id="a name that does not resolve, under any-host policy"),
    ],
)
def test_resolved_addresses_are_all_checked_and_refusals_reveal_nothing(host):
    with pytest.raises(OutboundRefusedError) as caught:
        check_url(f"https://{host}/x", ANY, resolver=fake_resolver(NAMES))
    assert caught.value.rule == "address"
    text = str(caught.value)
    # One message for all: not the host, not an address, not whether the name resolved.
    assert text == "The URL's host must resolve to public addresses only."
    assert host not in text and "127." not in text and "10." not in text


def test_a_public_answer_passes_with_every_address_kept_in_order():
    target = check_url("https://public.example/", ANY, resolver=fake_resolver(NAMES))
    assert target.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")


def test_allow_private_opens_loopback_names_and_literals():
    policy = OutboundPolicy(allow_private=True)
    resolver = fake_resolver(NAMES)
    assert check_url("https://loopback.example/", policy, resolver=resolver).addresses == (
        "127.0.0.1",
    )
    assert check_static("https://[::1]:8443/", policy).addresses == ("::1",)


def test_an_exact_ip_pattern_names_its_address_without_allow_private():
    policy = OutboundPolicy.from_settings("http://127.0.0.1:8001")
    assert check_static("http://127.0.0.1:8001/x", policy).addresses == ("127.0.0.1",)
    with pytest.raises(OutboundRefusedError) as caught:
        check_static("http://127.0.0.1:8002/x", policy)
    assert caught.value.rule == "host"


def test_under_an_operator_host_list_a_missing_name_is_unreachable_not_refused():
    policy = OutboundPolicy.from_settings("*.example")
    with pytest.raises(OutboundConnectError) as caught:
        check_url("https://missing.example/", policy, resolver=fake_resolver(NAMES))
    assert caught.value.request_sent is False
    assert "missing" not in str(caught.value)
