"""`check_url`: a URL against a policy, statically and then on every address it resolves to."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import lru_cache

from connector.outbound.addresses import allowed, parse_ip
from connector.outbound.errors import OutboundConnectError, OutboundTimeoutError
from connector.outbound.policy import OutboundPolicy
from connector.outbound.resolve import Resolver, resolve_within, system_resolver
from connector.outbound.urls import Target, parse_url, refused

DEFAULT_RESOLVE_SECONDS = 5.0
UNREACHABLE = "The upstream host could not be reached."
TOO_SLOW = "The upstream host did not answer in time."


def check_static(url: str, policy: OutboundPolicy) -> Target:
    """The rules that need no DNS: syntax, scheme, userinfo, fragment, host, port, and the
    address of an IP-literal host. Returns the Target with `addresses` empty for a name."""
    target = parse_url(url)
    addresses = _origin_addresses(target.scheme, target.host, target.port, policy)
    return replace(target, addresses=addresses) if addresses else target


@lru_cache(maxsize=1024)
def _origin_addresses(scheme: str, host: str, port: int, policy: OutboundPolicy) -> tuple[str, ...]:
    """The policy's verdict on an origin: () for an allowed name, the address of an allowed
    IP literal, else OutboundRefusedError (not kept: a refusal is worked out each time).
    Kept per origin: every Autotask call of a zone asks the same (ipaddress parsing was a
    twentieth of an uncached read's own work)."""
    rule = policy.host_rule(scheme, host, port)
    if rule is not None:
        raise refused(rule)
    literal = parse_ip(host)
    if literal is None:
        return ()
    named = policy.names_address(host, port, 443 if scheme == "https" else 80)
    if not named and not allowed(literal, allow_private=policy.allow_private):
        raise refused("address")
    return (literal.compressed,)


def check_addresses(target: Target, answer: list[str], policy: OutboundPolicy) -> Target:
    """`target` with the resolver's `answer`, when every address in it is allowed."""
    checked = []
    for text in answer:
        address = parse_ip(text.split("%", 1)[0])
        if address is None or "%" in text:
            raise refused("address")  # a scoped (zone) address is link-local by nature
        if not allowed(address, allow_private=policy.allow_private):
            raise refused("address")
        if address.compressed not in checked:
            checked.append(address.compressed)
    return replace(target, addresses=tuple(checked))


def check_url(
    url: str,
    policy: OutboundPolicy,
    *,
    resolver: Resolver = system_resolver,
    timeout: float = DEFAULT_RESOLVE_SECONDS,
) -> Target:
    """The checked Target of `url`, its `addresses` resolved and every one allowed.

    Raises OutboundRefusedError naming the rule, or OutboundTimeoutError when resolution
    outlasts `timeout`. Under a policy open to any host, a name that does not resolve breaks
    the `address` rule with the same message as a private address, so a tenant cannot tell
    the two apart; under an operator's host list it is an OutboundConnectError.
    """
    target = check_static(url, policy)
    if target.addresses:
        return target
    return resolve_target(target, policy, resolver, time.monotonic() + timeout)


def resolve_target(
    target: Target, policy: OutboundPolicy, resolver: Resolver, deadline: float
) -> Target:
    try:
        answer = resolve_within(resolver, target.host, target.port, deadline - time.monotonic())
    except TimeoutError:
        raise OutboundTimeoutError(TOO_SLOW, request_sent=False) from None
    except OSError:
        if policy.allowed_hosts is None:
            raise refused("address") from None
        raise OutboundConnectError(UNREACHABLE, request_sent=False) from None
    return check_addresses(target, answer, policy)
