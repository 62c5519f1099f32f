"""The answer of an outbound call, read in full (within the call's size cap)."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutboundResponse:
    """`headers` is case-insensitive; `elapsed` is seconds for the whole call, redirects
    included; `url` is the URL that answered; `redirects` how many were followed."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float
    url: str
    redirects: int = 0

    def json(self) -> Any:
        """The body as JSON; ValueError when it is empty or not JSON."""
        return jsonlib.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")
