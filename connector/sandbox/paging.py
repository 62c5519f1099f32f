"""Opaque, signed paging tokens for `nextPageUrl`/`prevPageUrl` (reference section 3.5).

The token carries the whole query (entity, filter, IncludeFields, MaxRecords) and the id
cursor, so a client may follow the URL by GET or by POST, with or without the original body.
It is compressed JSON plus an HMAC over it, made with a secret stored in the database so that
every worker accepts every other worker's tokens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from typing import Any

from connector.sandbox.errors import autotask_error

_SIGNATURE_BYTES = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_token(payload: dict[str, Any], secret: str) -> str:
    body = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 9)
    signature = hmac.new(secret.encode(), body, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return _b64(signature + body)


def decode_token(token: str, secret: str) -> dict[str, Any]:
    """The payload of a token this database made; a 500 for anything else."""
    try:
        raw = _unb64(token.strip())
        signature, body = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        if not hmac.compare_digest(signature, expected):
            raise ValueError("bad signature")
        payload = json.loads(zlib.decompress(body))
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        return payload
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError):
        raise autotask_error("The paging token is invalid or has expired.") from None
