"""Autotask's callout signature: `X-Hook-Signature: sha1=<base64 HMAC-SHA1(exact body bytes,
secretKey)>` (reference section 9). Verified over the bytes received, never a re-serialization
(Autotask writes .NET-style JSON that no Python serializer reproduces)."""

from __future__ import annotations

import base64
import hashlib
import hmac

HEADER = "X-Hook-Signature"


def sign(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).digest()
    return "sha1=" + base64.b64encode(digest).decode("ascii")


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` under `secret` (constant time)."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body).encode("ascii"), header.strip().encode("utf-8"))
