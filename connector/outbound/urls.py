"""Strict parsing of an outbound URL into a `Target`: what is connected to, and what is sent.

Stricter than `urllib.parse`, which drops tabs and newlines, accepts a backslash in the host,
and leaves `127.1` or `0x7f.0.0.1` for the resolver to read as IPv4: any of those is refused.
The request target (path and query) is kept byte for byte as written.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlencode

from connector.outbound.addresses import parse_ip
from connector.outbound.errors import OutboundRefusedError
from connector.outbound.hosts import normalize_host

MAX_URL_LENGTH = 16384
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<rest>.*)", re.S)
_FORBIDDEN = re.compile(r"[\x00-\x20\\\x7f]")  # controls, space, backslash, DEL
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")

MESSAGES = {
    "syntax": "The URL is not a well-formed absolute http(s) URL.",
    "scheme": "The URL must use https; plain http is only for hosts the operator allows.",
    "userinfo": "The URL must not carry a user name or password.",
    "fragment": "The URL must not carry a fragment (#...).",
    "host": "The URL's host is not one of the allowed hosts.",
    "port": "The URL's port is not allowed for its host.",
    "address": "The URL's host must resolve to public addresses only.",
}


def refused(rule: str) -> OutboundRefusedError:
    return OutboundRefusedError(rule, MESSAGES[rule])


@dataclass(frozen=True)
class Target:
    """A checked URL. `addresses` are the checked IPs to connect to (empty until resolved)."""

    scheme: str
    host: str
    port: int
    target: str
    addresses: tuple[str, ...] = ()

    @property
    def default_port(self) -> int:
        return 443 if self.scheme == "https" else 80

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == self.default_port else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.target}"

    def with_params(self, params: dict[str, str] | None) -> Target:
        if not params:
            return self
        joiner = "&" if "?" in self.target else "?"
        return replace(self, target=self.target + joiner + urlencode(params))


def parse_url(url: str) -> Target:
    """The Target of `url`, or OutboundRefusedError naming the broken rule (no policy yet)."""
    if not isinstance(url, str) or not 0 < len(url) <= MAX_URL_LENGTH:
        raise refused("syntax")
    if not url.isascii() or _FORBIDDEN.search(url):
        raise refused("syntax")
    match = _URL.fullmatch(url)
    if match is None:
        raise refused("syntax")
    scheme = match["scheme"].lower()
    if scheme not in ("http", "https"):
        raise refused("scheme")
    netloc, rest = match["netloc"], match["rest"]
    if "@" in netloc:
        raise refused("userinfo")
    if "#" in rest:
        raise refused("fragment")
    host, port = _split_netloc(netloc, 443 if scheme == "https" else 80)
    if not rest.startswith("/"):
        rest = "/" + rest  # "https://h?x" asks for "/?x"
    return Target(scheme, host, port, rest)


@lru_cache(maxsize=1024)
def _split_netloc(netloc: str, default_port: int) -> tuple[str, int]:
    """(host, port) of a netloc, else OutboundRefusedError; kept per netloc (a zone's calls
    all name one), refusals not kept."""
    host, port = netloc, ""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise refused("syntax")
        host, tail = netloc[1:end], netloc[end + 1 :]
        if tail and not tail.startswith(":"):
            raise refused("syntax")
        port = tail[1:] if tail else ""
        if tail == ":" or "%" in host or parse_ip(host) is None or parse_ip(host).version != 6:
            raise refused("syntax")
    elif ":" in netloc:
        host, _, port = netloc.partition(":")
        if port == "":
            raise refused("syntax")
    if port and not (port.isdigit() and len(port) <= 5 and 0 < int(port) < 65536):
        raise refused("syntax")
    host = normalize_host(host)
    if not host or (not netloc.startswith("[") and not _dns_or_ipv4(host)):
        raise refused("syntax")
    return host, int(port) if port else default_port


def _dns_or_ipv4(host: str) -> bool:
    """True for dotted-decimal IPv4 or a DNS name; False for other forms the resolver reads."""
    address = parse_ip(host)
    if address is not None:
        return address.version == 4
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return False
    if labels[-1].isdigit():
        return False  # "127.1", "2130706433": a resolver reads these as IPv4
    try:
        socket.inet_aton(host)  # "0x7f.0.0.1" and friends
    except OSError:
        return True
    return False
