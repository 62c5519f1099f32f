"""Host patterns: `*.autotask.net`, `webservices*.autotask.net`, `127.0.0.1:8001`, `[::1]:8443`.

A `*` stands for any run of letters, digits and hyphens inside one DNS label, never a dot, so
`*.autotask.net` matches `webservices2.autotask.net` but not `a.b.autotask.net` or
`autotask.net`. A pattern with a port allows that port only; one without allows only the
scheme's default port (443, or 80 for http). The lone pattern `*` allows any host and port.
IP literals match exactly; wildcards are for DNS names only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from connector.errors import ConfigurationError
from connector.outbound.addresses import parse_ip

_LABEL = re.compile(r"[a-z0-9_*](?:[a-z0-9_*-]{0,61}[a-z0-9_*])?")


def normalize_host(host: str) -> str:
    """Lower case, one trailing dot dropped, IPv6 in its compressed form without brackets."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    address = parse_ip(host)
    if address is not None:
        return address.compressed
    return host[:-1] if host.endswith(".") else host


@dataclass(frozen=True)
class HostPattern:
    host: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> HostPattern:
        """A pattern from the operator's text; a ConfigurationError names a bad one."""
        raw = text.strip()
        host, port = raw, None
        if raw.startswith("["):
            end = raw.find("]")
            host, rest = raw[: end + 1], raw[end + 1 :]
            if end < 0 or rest == ":" or (rest and not rest.startswith(":")):
                raise ConfigurationError(f"bad host pattern {raw!r}")
            port = rest[1:] or None
        elif raw.count(":") == 1:
            host, port = raw.split(":")
        number = None
        if port is not None:
            if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
                raise ConfigurationError(f"bad port in host pattern {raw!r}")
            number = int(port)
        host = normalize_host(host)
        if host != "*" and parse_ip(host) is None:
            labels = host.split(".")
            if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
                raise ConfigurationError(f"bad host pattern {raw!r}")
        return cls(host, number)

    @property
    def is_address(self) -> bool:
        """True for an IP literal: the operator named the address itself."""
        return parse_ip(self.host) is not None

    def matches_host(self, host: str) -> bool:
        if self.host == "*":
            return True
        if "*" not in self.host:
            return host == self.host
        if parse_ip(host) is not None:
            return False  # wildcards are for DNS names: "*.0.0.1" never matches an address
        return _regex(self.host).fullmatch(host) is not None

    def matches(self, host: str, port: int, default_port: int) -> bool:
        if self.host == "*" and self.port is None:
            return True
        wanted = self.port if self.port is not None else default_port
        return port == wanted and self.matches_host(host)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", "[a-z0-9_-]*"))
