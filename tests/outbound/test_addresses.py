"""connector/outbound/addresses.py: one category per address, IPv4 and IPv6, embedded IPv4."""

from __future__ import annotations

import ipaddress

import pytest

from connector.outbound.addresses import allowed, category

P = pytest.param
CASES = [
    P("8.8.8.8", "public", id="a public IPv4 address is public"),
    P("93.184.215.14", "public", id="another public IPv4 address is public"),
    P("0.0.0.0", "unspecified", id="IPv4 unspecified 0.0.0.0"),  # noqa: S104
    P("0.1.2.3", "unspecified", id="IPv4 this-network 0/8"),
    P("127.0.0.1", "loopback", id="IPv4 loopback 127.0.0.1"),
    P("127.255.0.9", "loopback", id="all of 127/8 is loopback"),
    P("10.1.2.3", "private", id="RFC 1918 10/8"),
    P("172.16.0.1", "private", id="RFC 1918 172.16/12 low end"),
    P("172.31.255.254", "private", id="RFC 1918 172.16/12 high end"),
    P("172.32.0.1", "public", id="172.32 is just outside 172.16/12"),
    P("192.168.1.1", "private", id="RFC 1918 192.168/16"),
    P("100.64.0.1", "shared", id="carrier-grade NAT shared 100.64/10"),
    P("100.127.255.255", "shared", id="top of shared 100.64/10"),
    P("169.254.169.254", "link-local", id="cloud metadata address is link-local"),
    P("224.0.0.1", "multicast", id="IPv4 multicast"),
    P("239.255.255.250", "multicast", id="IPv4 SSDP multicast"),
    P("240.0.0.1", "reserved", id="IPv4 class E reserved"),
    P("255.255.255.255", "reserved", id="IPv4 limited broadcast"),
    P("192.0.2.10", "documentation", id="TEST-NET-1 documentation"),
    P("198.51.100.7", "documentation", id="TEST-NET-2 documentation"),
    P("203.0.113.99", "documentation", id="TEST-NET-3 documentation"),
    P("198.18.0.1", "benchmark", id="IPv4 benchmarking 198.18/15"),
    P("198.19.255.1", "benchmark", id="top of IPv4 benchmarking 198.18/15"),
    P("192.0.0.8", "protocol", id="IETF protocol assignments 192.0.0/24"),
    P("192.88.99.1", "protocol", id="6to4 relay anycast"),
    P("2001:4860:4860::8888", "public", id="a public IPv6 address is public"),
    P("::", "unspecified", id="IPv6 unspecified"),
    P("::1", "loopback", id="IPv6 loopback"),
    P("fc00::1", "private", id="IPv6 unique local fc00::/7"),
    P("fd12:3456::1", "private", id="IPv6 unique local fd00::/8"),
    P("fe80::1", "link-local", id="IPv6 link-local"),
    P("fec0::1", "reserved", id="IPv6 deprecated site-local"),
    P("ff02::1", "multicast", id="IPv6 multicast"),
    P("2001:db8::1", "documentation", id="IPv6 documentation 2001:db8::/32"),
    P("3fff::1", "documentation", id="IPv6 documentation 3fff::/20"),
    P("2001:2::1", "benchmark", id="IPv6 benchmarking 2001:2::/48"),
    P("2001::1", "protocol", id="Teredo 2001::/32 is refused whole"),
    P("100::1", "reserved", id="IPv6 discard-only 100::/64"),
    P("4000::1", "reserved", id="IPv6 outside global unicast 2000::/3"),
    P("::ffff:127.0.0.1", "loopback", id="IPv4-mapped loopback is loopback"),
    P("::ffff:10.0.0.1", "private", id="IPv4-mapped private is private"),
    P("::ffff:169.254.169.254", "link-local", id="IPv4-mapped metadata is link-local"),
    P("::ffff:8.8.8.8", "public", id="IPv4-mapped public is public"),
    P("::127.0.0.1", "reserved", id="IPv4-compatible loopback is refused"),
    P("::8.8.8.8", "reserved", id="IPv4-compatible form is deprecated, refused"),
    P("64:ff9b::7f00:1", "loopback", id="NAT64 of 127.0.0.1 is loopback"),
    P("64:ff9b::a00:1", "private", id="NAT64 of 10.0.0.1 is private"),
    P("64:ff9b::808:808", "public", id="NAT64 of 8.8.8.8 is public"),
    P("64:ff9b:1::1", "protocol", id="local-use NAT64 64:ff9b:1::/48"),
    P("2002:7f00:1::", "loopback", id="6to4 of 127.0.0.1 is loopback"),
    P("2002:a9fe:a9fe::1", "link-local", id="6to4 of 169.254.169.254 is link-local"),
    P("2002:c0a8:101::", "private", id="6to4 of 192.168.1.1 is private"),
    P("2002:808:808::", "public", id="6to4 of 8.8.8.8 is public"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_category(text, expected):
    assert category(ipaddress.ip_address(text)) == expected


OPENED = [
    P("127.0.0.1", True, id="allow_private opens IPv4 loopback"),
    P("::1", True, id="allow_private opens IPv6 loopback"),
    P("10.0.0.1", True, id="allow_private opens RFC 1918"),
    P("100.64.0.1", True, id="allow_private opens shared space"),
    P("fe80::1", True, id="allow_private opens link-local"),
    P("::ffff:127.0.0.1", True, id="allow_private opens mapped loopback"),
    P("0.0.0.0", False, id="allow_private never opens unspecified"),  # noqa: S104
    P("224.0.0.1", False, id="allow_private never opens multicast"),
    P("192.0.2.1", False, id="allow_private never opens documentation"),
    P("240.0.0.1", False, id="allow_private never opens reserved"),
    P("::127.0.0.1", False, id="allow_private never opens IPv4-compatible"),
]


@pytest.mark.parametrize(("text", "opened"), OPENED)
def test_allow_private_opens_only_the_private_categories(text, opened):
    address = ipaddress.ip_address(text)
    assert allowed(address, allow_private=False) is False
    assert allowed(address, allow_private=True) is opened


def test_public_is_allowed_either_way():
    for text in ("8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"):
        address = ipaddress.ip_address(text)
        assert allowed(address, allow_private=False) and allowed(address, allow_private=True)
