"""What an outbound call may reach: `OutboundPolicy`, and how to build one from settings.

A policy has three parts: `allowed_hosts` (None: any host; else `HostPattern`s), `http_hosts`
(the only hosts plain http may reach; https is the rule) and `allow_private` (the operator's
choice to reach loopback, private, shared and link-local addresses; other special ranges stay
refused). A URL whose host is an IP literal named by an exact IP pattern of `allowed_hosts`
may reach that address even without `allow_private`: the operator chose it.

Settings strings are comma-separated patterns; an `http://` prefix also allows plain http for
that pattern, and `*` alone means any host:

    OutboundPolicy.from_settings("http://127.0.0.1:8001, webservices*.autotask.net", "false")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from connector.errors import ConfigurationError
from connector.outbound.hosts import HostPattern

_AUTOTASK = yaml.safe_load(Path(__file__).with_name("autotask.yaml").read_text())

#: The default of AUTOTASK_ALLOWED_HOSTS: Autotask's zone hosts, https only.
AUTOTASK_DEFAULT_HOSTS: tuple[str, ...] = tuple(_AUTOTASK["allowed_hosts"])
#: The zone hosts known today (all matched by AUTOTASK_DEFAULT_HOSTS).
AUTOTASK_KNOWN_ZONE_HOSTS: tuple[str, ...] = tuple(_AUTOTASK["known_zone_hosts"])
#: Autotask's credential headers, for `OutboundClient.request(sensitive_headers=...)`.
AUTOTASK_SENSITIVE_HEADERS: frozenset[str] = frozenset(_AUTOTASK["sensitive_headers"])

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _patterns(items: Iterable[HostPattern | str]) -> tuple[HostPattern, ...]:
    return tuple(i if isinstance(i, HostPattern) else HostPattern.parse(i) for i in items)


@dataclass(frozen=True)
class OutboundPolicy:
    allowed_hosts: tuple[HostPattern, ...] | None = None
    http_hosts: tuple[HostPattern, ...] = ()
    allow_private: bool = False

    def __post_init__(self) -> None:
        # Strings are accepted for convenience; the stored form is always parsed patterns.
        if self.allowed_hosts is not None:
            object.__setattr__(self, "allowed_hosts", _patterns(self.allowed_hosts))
        object.__setattr__(self, "http_hosts", _patterns(self.http_hosts))

    @classmethod
    def from_settings(
        cls,
        allowed_hosts: str | None,
        allow_private: str | bool | None = None,
        *,
        default: str = "*",
    ) -> OutboundPolicy:
        """A policy from the operator's strings; a blank `allowed_hosts` means `default`."""
        text = allowed_hosts if allowed_hosts and allowed_hosts.strip() else default
        hosts, http = parse_host_list(text)
        return cls(hosts, http, parse_flag(allow_private))

    def with_hosts(self, text: str) -> OutboundPolicy:
        """This policy plus the patterns of a settings string (`serve` adds its sandbox)."""
        hosts, http = parse_host_list(text)
        merged = None
        if self.allowed_hosts is not None and hosts is not None:
            merged = self.allowed_hosts + hosts
        return replace(self, allowed_hosts=merged, http_hosts=self.http_hosts + http)

    def host_rule(self, scheme: str, host: str, port: int) -> str | None:
        """The rule (`host` or `scheme`) that (scheme, host, port) breaks, or None. A host
        the list names at another port breaks `host` too: telling the two apart would let a
        caller learn the list, one probe at a time."""
        default_port = 443 if scheme == "https" else 80
        if self.allowed_hosts is not None:
            if not any(p.matches(host, port, default_port) for p in self.allowed_hosts):
                return "host"
        if scheme == "http" and not any(p.matches(host, port, 80) for p in self.http_hosts):
            return "scheme"
        return None

    def names_address(self, host: str, port: int, default_port: int) -> bool:
        """True when an exact IP pattern of `allowed_hosts` names this literal host and port."""
        return self.allowed_hosts is not None and any(
            p.is_address and p.matches(host, port, default_port) for p in self.allowed_hosts
        )


def autotask_policy(
    allowed_hosts: str | None = None, allow_private: str | bool | None = None
) -> OutboundPolicy:
    """The policy for Autotask calls from AUTOTASK_ALLOWED_HOSTS (blank: Autotask's hosts)."""
    return OutboundPolicy.from_settings(
        allowed_hosts, allow_private, default=",".join(AUTOTASK_DEFAULT_HOSTS)
    )


def parse_host_list(text: str) -> tuple[tuple[HostPattern, ...] | None, tuple[HostPattern, ...]]:
    """(allowed patterns or None for any host, http-allowed patterns) from a settings string."""
    allowed: list[HostPattern] = []
    http: list[HostPattern] = []
    any_host = False
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        scheme, sep, rest = item.partition("://")
        if not sep:
            scheme, rest = "https", item
        if scheme.lower() not in ("http", "https") or "/" in rest or "@" in rest:
            raise ConfigurationError(
                f"bad host pattern {item!r}: write host, host:port or http://host"
            )
        pattern = HostPattern.parse(rest)
        if pattern.host == "*" and pattern.port is None:
            any_host = True
        allowed.append(pattern)
        if scheme.lower() == "http":
            http.append(pattern)
    if not allowed:
        raise ConfigurationError("the allowed hosts list is empty: write * for any host")
    return (None if any_host else tuple(allowed)), tuple(http)


def parse_flag(value: str | bool | None) -> bool:
    """An on/off setting: 1/true/yes/on or 0/false/no/off (blank: off)."""
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"expected true or false, got {value!r}")
