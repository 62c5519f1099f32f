"""Who is calling: the organization and user of the secrets, and the instance of a token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import g, request

from connector.api.deps import deps
from connector.errors import AuthenticationError, ForbiddenError, NotFoundError
from connector.tenancy.accounts import Organization, User
from connector.tenancy.auth import Authorization, parse_authorization
from connector.tenancy.instances import Instance

# the environ key under which the fast path leaves the caller it found for this request
LOOKED_UP = "connector.caller"


@dataclass(frozen=True)
class Caller:
    organization: Organization
    user: User
    instance: Instance | None = None


def platform_caller(header: Authorization | None = None) -> Caller:
    """The caller of a platform API: User and Organization secrets (Element optional)."""
    header = header or parse_authorization(request.headers.get("Authorization"))
    if not header.user:
        raise AuthenticationError("Authorization needs `User <user secret>`")
    lookup = deps().lookup.lookup
    user, org, instance = lookup(header.user, header.organization, header.element)
    if user is None and _is_single_tenant(header.user, header.organization):
        deps().accounts.ensure(deps().settings.org_secret, deps().settings.user_secret)
        user, org, instance = lookup(header.user, header.organization, header.element)
    if user is not None and header.organization is None:
        org = deps().accounts.organization(user.organizationId)  # the older User+Element form
    caller = authorize(header, user, org, instance)
    g.caller = caller
    return caller


def authorize(
    header: Authorization,
    user: User | None,
    org: Organization | None,
    instance: Instance | None,
    *,
    need_instance: bool = False,
    allow_disabled: bool = False,
) -> Caller:
    """The rules of who may call, on records already looked up (no I/O)."""
    if user is None or org is None or org.id != user.organizationId:
        raise AuthenticationError("Unknown user or organization secret")
    if need_instance and not header.element:
        raise AuthenticationError("Authorization needs `Element <instance token>` for this call")
    if header.element and (instance is None or instance.organizationId != org.id):
        raise AuthenticationError("Unknown or deleted instance token")
    if need_instance and instance is not None and instance.disabled and not allow_disabled:
        raise ForbiddenError("This instance is disabled; enable it with PUT /instances/enabled")
    return Caller(org, user, instance)


def element_caller(*, allow_disabled: bool = False) -> Caller:
    """The caller of a hub API: its secrets and an instance token of its organization."""
    header = parse_authorization(request.headers.get("Authorization"))
    if not header.element:
        raise AuthenticationError("Authorization needs `Element <instance token>` for this call")
    caller = request.environ.get(LOOKED_UP)  # found by the fast path for this same header
    if caller is None:
        caller = platform_caller(header)
    else:
        g.caller = caller
    return authorize(
        header,
        caller.user,
        caller.organization,
        caller.instance,
        need_instance=True,
        allow_disabled=allow_disabled,
    )


def owned_instance(instance_id: int) -> Instance:
    """`/instances/{id}/...`: the instance, if the caller's organization owns it."""
    caller = platform_caller()
    instance = deps().instances.get_for_org(instance_id, caller.organization.id)
    if instance is None:
        raise NotFoundError(f"No instance {instance_id} in your organization")
    return instance


def token_instance() -> Instance:
    """`/instances/...` without an id: the instance of the `Element` token (a fresh copy: the
    caller's may be shared), disabled or not, as Cloud Elements' token-scoped routes."""
    caller = element_caller(allow_disabled=True)
    if caller.instance is None:  # element_caller refuses a token of no instance already
        raise AuthenticationError("Unknown or deleted instance token")
    instance = deps().instances.get(caller.instance.id)
    if instance is None:
        raise NotFoundError("This instance was deleted")
    return instance


def _is_single_tenant(user: str, organization: str | None) -> bool:
    """The secrets of CONNECTOR_USER_SECRET/CONNECTOR_ORG_SECRET (provisioned on first use)."""
    settings = deps().settings
    if not (settings.user_secret and settings.org_secret):
        return False
    same_org = organization is None or _same(organization, settings.org_secret)
    return _same(user, settings.user_secret) and same_org


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode(), secret.encode())  # bytes: any header text
