"""The one door for outbound HTTP: every call the connector makes to a host it does not run.

    from connector.outbound import OutboundClient, OutboundPolicy, autotask_policy

    policy = autotask_policy(settings_allowed_hosts, settings_allow_private)  # blank: Autotask's
    client = OutboundClient(policy)                  # one per policy; thread-safe, pooled
    answer = client.request("GET", url, headers=auth, deadline_seconds=10,
                            max_response_bytes=8 << 20,
                            sensitive_headers=AUTOTASK_SENSITIVE_HEADERS)
    answer.status, answer.headers["Content-Type"], answer.body, answer.json(), answer.elapsed

What every call obeys:
- The URL is parsed strictly (printable ASCII, no userinfo, no fragment, dotted-decimal IPv4
  only) and checked against the `OutboundPolicy`: https unless the host is in `http_hosts`,
  the host and port in `allowed_hosts` (None: any), see hosts.py for the pattern syntax.
- The host is resolved by the client (an injectable `resolver`), and every address must be
  public unless `allow_private` (loopback, private, shared, link-local); documentation,
  benchmark, multicast, reserved and unspecified ranges are refused always. IPv6 forms that
  embed IPv4 (mapped, NAT64, 6to4) are judged by the IPv4 inside. A host that is an IP literal
  named by an exact pattern of `allowed_hosts` (the operator's sandbox) is allowed as named.
- The connection goes to the checked address itself (pinned: no second resolution), pooled
  with keep-alive per (address, port, host); TLS sends SNI for and verifies the host name.
- One total deadline covers resolution, connect, TLS, send, headers and the whole body: every
  socket read and write gets only the time left. The body is capped at `max_response_bytes`.
- Redirects are followed only when asked (`follow_redirects=N`), each hop checked by the same
  rules; on a hop to another origin the `sensitive_headers` (and Authorization, Cookie) are
  dropped. Nothing is retried.

Errors (connector/outbound/errors.py), all under `OutboundError(ConnectorError)`:
`OutboundRefusedError` (400, `rule`: syntax, scheme, userinfo, fragment, host, port, address,
header), `OutboundTimeoutError` (504), `OutboundConnectError` (502), `OutboundTooLargeError`
(502); timeouts and connect errors carry `request_sent`. Their messages are fixed texts that
never name the target, its addresses, whether it resolved, or an errno.
"""

from __future__ import annotations

from connector.outbound.addresses import PRIVATE_CATEGORIES, category
from connector.outbound.check import check_static, check_url
from connector.outbound.client import ALWAYS_SENSITIVE, OutboundClient
from connector.outbound.errors import (
    OutboundConnectError,
    OutboundError,
    OutboundRefusedError,
    OutboundTimeoutError,
    OutboundTooLargeError,
)
from connector.outbound.hosts import HostPattern
from connector.outbound.policy import (
    AUTOTASK_DEFAULT_HOSTS,
    AUTOTASK_KNOWN_ZONE_HOSTS,
    AUTOTASK_SENSITIVE_HEADERS,
    OutboundPolicy,
    autotask_policy,
    parse_flag,
)
from connector.outbound.resolve import Resolver, system_resolver
from connector.outbound.response import OutboundResponse
from connector.outbound.urls import Target

__all__ = [
    "ALWAYS_SENSITIVE",
    "AUTOTASK_DEFAULT_HOSTS",
    "AUTOTASK_KNOWN_ZONE_HOSTS",
    "AUTOTASK_SENSITIVE_HEADERS",
    "PRIVATE_CATEGORIES",
    "HostPattern",
    "OutboundClient",
    "OutboundConnectError",
    "OutboundError",
    "OutboundPolicy",
    "OutboundRefusedError",
    "OutboundResponse",
    "OutboundTimeoutError",
    "OutboundTooLargeError",
    "Resolver",
    "Target",
    "autotask_policy",
    "category",
    "check_static",
    "check_url",
    "parse_flag",
    "system_resolver",
]
