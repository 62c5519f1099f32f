"""A callout's bytes and signature, as Autotask makes them.

The body is JSON serialized .NET-style: inside strings `& < > ' " + \\`` and every non-ASCII
character are written as `\\uXXXX` (upper-case hex, UTF-16 units), with no spaces between
tokens. `X-Hook-Signature` is `sha1=` + base64(HMAC-SHA1(secretKey, the exact body bytes)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

_ESCAPED = set("&<>'\"+`")
_SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT:
            out.append(_SHORT[char])
        elif char in _ESCAPED or code > 127 or code < 32:
            if code > 0xFFFF:  # a surrogate pair, as .NET strings hold it
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
            else:
                out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def dotnet_json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_string(str(k))}:{dotnet_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dotnet_json(v) for v in value) + "]"
    raise TypeError(f"cannot serialize {type(value).__name__}")


def body_bytes(payload: dict[str, Any]) -> bytes:
    return dotnet_json(payload).encode("ascii")


def signature(secret_key: str, body: bytes) -> str:
    digest = hmac.new(secret_key.encode("utf-8"), body, hashlib.sha1).digest()
    return "sha1=" + base64.b64encode(digest).decode("ascii")
