"""ClientPortalUsers: userName unique (case-insensitively, inferred), the password write-only.

The password is kept as a salted PBKDF2 hash, never the text: it is not answered, not
queryable, and a PATCH or PUT that does not carry it keeps the one set before (inferred).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from connector.sandbox.errors import autotask_error, too_long
from connector.sandbox.rules import EntityRules
from connector.sandbox.store import quote

_ITERATIONS = 20000  # a sandbox login nobody attacks: enough to never hold the text


def password_hash(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    if not stored or stored.count("$") != 3:
        return False
    _, _, salt, _ = stored.split("$")
    return secrets.compare_digest(password_hash(password, salt), stored)


class ClientPortalUserRules(EntityRules):
    def _password(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        if "password" not in w.provided:
            record["password"] = previous.get("password") if previous else None
            return
        text = record.get("password")
        if text is None:
            return
        limit = w.entity.field("password").length
        if len(text) > limit:
            raise too_long("password")
        record["password"] = password_hash(text)

    def prepare_create(self, w, record: dict[str, Any]) -> None:
        self._password(w, record, None)

    def prepare_update(self, w, record: dict[str, Any], previous: dict[str, Any]) -> None:
        self._password(w, record, previous)

    def validate(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        clash = w.conn.execute(
            f'SELECT id FROM {quote(w.entity.table)} WHERE "userName" = ? AND id != ?',
            (record.get("userName"), record.get("id") or -1),
        ).fetchone()
        if clash is not None:
            raise autotask_error(
                f"A ClientPortalUser already exists with userName [{record.get('userName')}]."
            )
