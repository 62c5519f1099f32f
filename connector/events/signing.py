"""Signatures of what the connector POSTs to a user's URL (event notifications, bulk
callbacks), over exactly the bytes sent.

- Cloud Elements': `Elements-Webhook-Signature: sha256=<base64 HMAC-SHA256(body, key)>`.
- Standard Webhooks' (the `standardwebhooks` package): `webhook-id`, `webhook-timestamp` and
  `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`, keyed with the same
  key's bytes (a receiver's secret is `whsec_` + base64 of the key), so a receiver can refuse
  a replayed or stale message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

ELEMENTS_HEADER = "Elements-Webhook-Signature"


def elements_signature(body: bytes, key: str) -> str:
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def standard_secret(key: str) -> str:
    """The key as Standard Webhooks libraries take it."""
    return "whsec_" + base64.b64encode(key.encode()).decode()


def signed_headers(
    body: bytes, key: str, message_id: str, at: datetime | None = None
) -> dict[str, str]:
    """Both signatures' headers for `body` (bytes as they go on the wire)."""
    at = at or datetime.now(UTC)
    standard = Webhook(key.encode()).sign(msg_id=message_id, timestamp=at, data=body.decode())
    return {
        ELEMENTS_HEADER: elements_signature(body, key),
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": standard,
    }
