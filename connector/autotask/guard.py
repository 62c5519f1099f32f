"""Where Autotask calls may go: the outbound guard's policy for Autotask, and its clients.

The policy is AUTOTASK_ALLOWED_HOSTS (blank: Autotask's own zone hosts, https only) plus the
hosts the operator's own code adds in this process with `allow_hosts` (the test fixtures add
the sandboxes they start; `serve` instead puts its sandbox into the setting it hands to its
workers). Tenants never add a host: what they choose (the server URL, what their zone lookup
answers) is checked against this policy before anything is sent.

    client = outbound_for(settings)          # one OutboundClient per setting, pooled
    check_zone_url(zone.url, settings)       # a zone answer's API base, before it is used

A zone answer's `url` must be a plain API base: an allowed host, no user, query or fragment,
and a path of plain segments ending in `/ATServicesRest/`, so the connector's fixed suffix
(`V1.0/Companies/query`) stays a path under it and cannot become a query string (`?x=`) or
climb to another path (`..`, `%2e`).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from connector.autotask.models import Zone
from connector.config import Settings
from connector.errors import ValidationError
from connector.outbound import (
    AUTOTASK_DEFAULT_HOSTS,
    HostPattern,
    OutboundClient,
    OutboundPolicy,
    OutboundRefusedError,
    autotask_policy,
    check_static,
)
from connector.outbound.urls import parse_url

#: The API base path of a zone: plain segments, the last one ATServicesRest (any case).
_API_PATH = re.compile(r"(?:/[A-Za-z0-9_-]+)*/atservicesrest/", re.IGNORECASE)

_lock = threading.Lock()
_added: list[str] = []
_clients: dict[tuple[str, int], OutboundClient] = {}
_DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# zone URLs that passed `check_zone`, by (AUTOTASK_ALLOWED_HOSTS, the policy's generation):
# every Autotask client checks its zone when built, once a request, and the answer changes
# only with the policy (`allow_hosts`/`forget_hosts` start a new generation)
_generation = 0
_zones_passed: set[tuple[str, str, int]] = set()
_ZONES_KEPT = 4096


class AutotaskHostError(ValidationError):
    """An Autotask URL (the server URL, a zone answer, a page link) breaks the host rules.

    The message names the field and the rule, never the target, its addresses or its words.
    """

    code = "autotask_host_refused"

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(
            f"{field} is refused by the outbound guard (rule: {rule}): Autotask calls go only "
            "to https hosts the operator allows with AUTOTASK_ALLOWED_HOSTS (default: "
            "Autotask's own webservices hosts)"
        )
        self.field = field
        self.rule = rule


def allow_hosts(text: str) -> None:
    """Add host patterns (settings syntax, e.g. `http://127.0.0.1:8001`) for this process."""
    with _lock:
        _added.append(text)
        _repolicy()


def forget_hosts(text: str) -> None:
    """Take back one `allow_hosts(text)`."""
    with _lock:
        if text in _added:
            _added.remove(text)
            _repolicy()


def policy_for(settings: Settings) -> OutboundPolicy:
    """AUTOTASK_ALLOWED_HOSTS's policy plus the hosts `allow_hosts` added."""
    return _policy(settings.autotask_allowed_hosts)


def _policy(setting: str) -> OutboundPolicy:
    policy = autotask_policy(setting or None)
    for text in list(_added):
        policy = policy.with_hosts(text)
    return policy


def outbound_for(settings: Settings) -> OutboundClient:
    """The process's OutboundClient for this setting (thread-safe, pooled, fork-safe)."""
    hosts = settings.autotask_allowed_hosts or ""
    cap = settings.autotask_max_response_bytes or _DEFAULT_MAX_BYTES
    with _lock:
        client = _clients.get((hosts, cap))
        if client is None:
            client = OutboundClient(_policy(hosts), max_response_bytes=cap)
            _clients[(hosts, cap)] = client
        return client


def _repolicy() -> None:
    global _generation
    _generation += 1
    _zones_passed.clear()
    for (hosts, _cap), client in _clients.items():
        client.policy = _policy(hosts)


def check_url(url: str, settings: Settings, field: str) -> None:
    """AutotaskHostError when `url` breaks a static rule of the policy (no DNS, no socket)."""
    try:
        check_static(url, outbound_for(settings).policy)
    except OutboundRefusedError as exc:
        raise AutotaskHostError(field, exc.rule) from None


def check_zone(zone: Zone, settings: Settings) -> Zone:
    """`zone` when its API base is allowed and plain; else AutotaskHostError. A URL that
    passed is remembered until the policy changes (refusals are checked afresh each time)."""
    passed = (settings.autotask_allowed_hosts or "", zone.url, _generation)
    if passed in _zones_passed:
        return zone
    check_url(zone.url, settings, "the zone answer's url")
    path = zone.url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    if "?" in zone.url or "#" in zone.url or not _API_PATH.fullmatch(path):
        raise AutotaskHostError("the zone answer's url", "path")
    with _lock:
        if passed[2] == _generation:  # not a verdict of a policy replaced meanwhile
            if len(_zones_passed) >= _ZONES_KEPT:
                _zones_passed.clear()
            _zones_passed.add(passed)
    return zone


def default_code_allowed(settings: Settings) -> bool:
    """Whether the operator's AUTOTASK_INTEGRATION_CODE may be sent: only when the policy
    names its hosts (a `*` policy lets tenants pick any host, which must not get it)."""
    return outbound_for(settings).policy.allowed_hosts is not None


_AUTOTASK_HOSTS = tuple(HostPattern.parse(text) for text in AUTOTASK_DEFAULT_HOSTS)


@lru_cache(maxsize=4096)  # a pure function of its arguments, asked several times a request
def database_identity(zone: Zone, lookup_url: str) -> str:
    """What keys a database's caches, counters and threshold snapshot.

    When Autotask's own lookup (https on Autotask's hosts) answered, its API host and `ci`:
    the same for every instance of that database. When another lookup server answered (the
    sandbox, a proxy the operator allows), that server's origin comes first, so whatever
    `ci` it claims lands only beside other answers of that same server, never under the key
    of a database Autotask itself located.
    """
    api = zone.database
    try:
        lookup = parse_url(lookup_url)
    except OutboundRefusedError:
        return f"unchecked:{lookup_url}>{api}"
    if lookup.scheme == "https" and any(
        p.matches(lookup.host, lookup.port, 443) for p in _AUTOTASK_HOSTS
    ):
        return api
    return f"{lookup.scheme}://{lookup.host_header}>{api}"
