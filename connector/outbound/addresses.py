"""Which IP addresses an outbound call may reach: one category per address, from ranges.yaml.

`category(address)` answers "public" or the special-purpose range it falls in. IPv6 forms that
carry an IPv4 address (mapped, NAT64, 6to4) are judged by that IPv4 address; IPv4-compatible
(`::a.b.c.d`) is deprecated and falls in `reserved`. IPv6 outside global unicast (2000::/3) is
`reserved` too, so an unlisted future range is refused, not allowed.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

import yaml

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: The categories `OutboundPolicy.allow_private` opens; every other non-public one stays shut.
PRIVATE_CATEGORIES = frozenset({"loopback", "private", "shared", "link-local"})

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def _load() -> tuple[tuple[str, ipaddress.IPv4Network | ipaddress.IPv6Network], ...]:
    data = yaml.safe_load((Path(__file__).with_name("ranges.yaml")).read_text())
    return tuple(
        (name, ipaddress.ip_network(cidr)) for name, cidrs in data.items() for cidr in cidrs
    )


_RANGES = _load()


def parse_ip(text: str) -> IPAddress | None:
    """The address written in `text` (IPv6 without brackets or zone), else None."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address a mapped, NAT64 or 6to4 IPv6 address stands for, else None."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


@lru_cache(maxsize=4096)
def category(address: IPAddress) -> str:
    """`public`, or the special-purpose range `address` (or the IPv4 inside it) falls in."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return category(inner)
    for name, network in _RANGES:
        if address.version == network.version and address in network:
            return name
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST:
        return "reserved"
    # A backstop for anything the table misses: the standard library's own view.
    if not address.is_global:
        return "reserved"
    return "public"


def allowed(address: IPAddress, *, allow_private: bool) -> bool:
    """True when a call may connect to `address` under the policy's `allow_private`."""
    found = category(address)
    return found == "public" or (allow_private and found in PRIVATE_CATEGORIES)
