"""Self-contained, signed `nextPage` tokens, so any worker on any host serves the next page.

A token carries the instance, a digest of the query it continues (object, where, orderBy,
fields, page size), and the position: the last id seen (id-cursor paging) or an offset into a
sorted result kept in Redis. It is base64url JSON plus an HMAC-SHA256 signature made with a key
derived from CONNECTOR_SECRET_KEY; a token that was altered, or that belongs to another
instance or query, is refused with 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Any

from connector.errors import BadRequestError


@dataclass(frozen=True)
class PagePosition:
    instance: int
    query: str  # digest of the query this token continues
    after_id: int | None = None  # id cursor: rows with id greater than this come next
    offset: int | None = None  # sorted results: rows from this offset come next
    sort_key: str | None = None  # where the sorted ids wait in Redis


def query_digest(*parts: Any) -> str:
    raw = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class PageTokens:
    def __init__(self, secret_key: str) -> None:
        # one signing key per CONNECTOR_SECRET_KEY entry: the first signs, any verifies, so
        # rotating the keys does not break the pages clients are following
        self._keys = [
            hashlib.sha256(b"connector page token\0" + k.strip().encode()).digest()
            for k in secret_key.split(",")
            if k.strip()
        ]

    def _sign(self, payload: bytes, key: bytes | None = None) -> str:
        mac = hmac.new(key or self._keys[0], payload, hashlib.sha256).digest()[:20]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def encode(self, position: PagePosition) -> str:
        data = {k: v for k, v in asdict(position).items() if v is not None}
        payload = json.dumps(data, separators=(",", ":")).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(payload)}"

    def decode(self, token: str, *, instance: int, query: str) -> PagePosition:
        try:
            body, signature = token.strip().split(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (ValueError, TypeError):
            raise _invalid() from None
        given = signature.encode()
        if not any(
            hmac.compare_digest(self._sign(payload, key).encode(), given) for key in self._keys
        ):
            raise _invalid()
        try:
            position = PagePosition(**json.loads(payload))
        except (ValueError, TypeError):
            raise _invalid() from None
        if position.instance != instance:
            raise BadRequestError("Invalid nextPage token: it belongs to another instance")
        if position.query != query:
            raise BadRequestError(
                "Invalid nextPage token: it continues another query; send the same where, "
                "orderBy, fields and pageSize as the first page"
            )
        return position


def _invalid() -> BadRequestError:
    return BadRequestError("Invalid nextPage token: it was altered or is not one of ours")
