"""What every part of the key builder shares: the prefix and how a key is joined."""

from __future__ import annotations

import hashlib


class KeyBase:
    """Key builder bound to a prefix. Arguments are identifiers, never secrets in clear."""

    def __init__(self, prefix: str = "atc:") -> None:
        self.prefix = prefix

    def _k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def pattern(self, *parts: object) -> str:
        """A SCAN pattern under the prefix, e.g. `pattern("cache", 7, "*")`."""
        return self._k(*parts)


def digest(value: str) -> str:
    """A fixed-length stand-in for a value a key name must not carry (or carry whole)."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]
