"""Parsing of Cloud Elements' `Authorization: User <s>, Organization <s>[, Element <t>]` header.

Pure: no Redis, no Flask. The words are matched case-insensitively and in any order; the older
`User <s>, Element <t>` form (no Organization) is accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.errors import AuthenticationError

_SCHEMES = {"user": "user", "organization": "organization", "element": "element"}
FORMAT = "User <user secret>, Organization <organization secret>[, Element <instance token>]"


@dataclass(frozen=True)
class Authorization:
    user: str | None = None
    organization: str | None = None
    element: str | None = None

    def __repr__(self) -> str:  # never show a secret, even in a traceback
        present = [name for name in ("user", "organization", "element") if getattr(self, name)]
        return f"Authorization({', '.join(present)})"


def parse_authorization(header: str | None) -> Authorization:
    if not header or not header.strip():
        raise AuthenticationError(f"Missing Authorization header; send `{FORMAT}`")
    found: dict[str, str] = {}
    for part in header.split(","):
        words = part.strip().split(None, 1)
        if len(words) != 2 or words[0].lower() not in _SCHEMES or not words[1].strip():
            raise AuthenticationError(f"Malformed Authorization header; send `{FORMAT}`")
        name = _SCHEMES[words[0].lower()]
        if name in found:
            raise AuthenticationError(f"Authorization names {words[0]} twice; send `{FORMAT}`")
        found[name] = words[1].strip()
    return Authorization(**found)
