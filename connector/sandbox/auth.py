"""The three Autotask headers (reference section 2) and the impersonation header.

An unknown username answers like Autotask: 500 "Zone information could not be determined";
a known user with the wrong secret gets 401; a bad integration code 500. The secret is
compared in constant time and never stored or logged.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.sandbox.catalog import PERMISSIONS
from connector.sandbox.errors import (
    INTEGRATION_CODE_INVALID,
    ZONE_UNKNOWN,
    autotask_error,
    unauthorized,
)
from connector.sandbox.values import ascii_id


@dataclass(frozen=True)
class Caller:
    username: str
    integration_code: str
    resource_id: int | None  # who acts: the API user's resource, or the impersonated one
    impersonator_id: int | None = None  # the API user's resource while impersonating
    denied: frozenset[str] = frozenset()  # permissions the API user's security level lacks

    @property
    def impersonating(self) -> bool:
        return self.impersonator_id is not None


def find_user(settings: dict[str, Any], username: str | None) -> dict[str, Any] | None:
    if not username:
        return None
    for user in settings.get("api_users") or []:
        if str(user.get("username", "")).lower() == username.strip().lower():
            return user
    return None


def authenticate(
    conn: sqlite3.Connection, settings: dict[str, Any], headers: Mapping[str, str]
) -> Caller:
    """The caller of an entity request, or the SandboxError Autotask would answer."""
    username = headers.get("UserName")
    user = find_user(settings, username)
    if user is None:
        raise autotask_error(ZONE_UNKNOWN)
    secret = headers.get("Secret") or ""
    if not hmac.compare_digest(secret.encode(), str(user.get("secret", "")).encode()):
        raise unauthorized()
    code = (headers.get("ApiIntegrationCode") or "").strip()
    codes = {str(c).upper() for c in settings.get("integration_codes") or []}
    if code.upper() not in codes:
        raise autotask_error(INTEGRATION_CODE_INVALID)
    resource_id = user.get("resourceID")
    if resource_id is None:
        row = conn.execute(
            'SELECT id FROM "Resources" WHERE "userName" = ? ORDER BY id LIMIT 1',
            (user["username"][:32],),
        ).fetchone()
        resource_id = row[0] if row else None
    denied = frozenset(name for name in PERMISSIONS if user.get(name, True) is False)
    impersonated = (headers.get("ImpersonationResourceId") or "").strip()
    if impersonated:
        wanted = ascii_id(impersonated)  # None (no such resource): not digits, or beyond Int64
        row = conn.execute(
            'SELECT id FROM "Resources" WHERE id = ? AND "isActive" = 1', (wanted,)
        ).fetchone()
        if row is None:
            raise autotask_error(
                f"The impersonated resource {impersonated} does not exist or is inactive."
            )
        return Caller(user["username"], code, row[0], impersonator_id=resource_id, denied=denied)
    return Caller(user["username"], code, resource_id, denied=denied)
