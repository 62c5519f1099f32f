"""The small values the client trades in: credentials, a zone, one page of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Credentials:
    """An Autotask API user. `repr` and `str` never show the secret."""

    username: str
    secret: str = field(repr=False)
    integration_code: str = field(repr=False)
    impersonation_resource_id: int | None = None

    def __str__(self) -> str:
        return f"Autotask API user {self.username}"


@dataclass(frozen=True)
class Zone:
    """A zoneInformation answer. `url` is the API base ending in "/" (".../ATServicesRest/")."""

    name: str
    url: str
    web_url: str
    ci: int

    @classmethod
    def from_answer(cls, answer: dict[str, Any]) -> Zone:
        """Build from Autotask's JSON (`zoneName`, `url`, `webUrl`, `ci`; any key case).
        ValueError without a url or an integer `ci`: the database id keys every tenant's
        caches and request counts, so guessing one would mix tenants."""
        lowered = {str(k).lower(): v for k, v in answer.items()}
        url = str(lowered.get("url") or "")
        if not url:
            raise ValueError("the zone answer has no url")
        return cls(
            name=str(lowered.get("zonename") or ""),
            url=url if url.endswith("/") else url + "/",
            web_url=str(lowered.get("weburl") or ""),
            ci=_database_id(lowered.get("ci")),
        )

    def to_answer(self) -> dict[str, Any]:
        return {"zoneName": self.name, "url": self.url, "webUrl": self.web_url, "ci": self.ci}

    @property
    def database(self) -> str:
        """What identifies the database for caches and counters: the API host and `ci`.
        `ci` alone is what the zone answer claims; a server that is not Autotask could claim
        another tenant's, so the host it answered for is part of the name."""
        return f"{urlsplit(self.url).netloc.lower()}/{self.ci}"

    def api(self, path: str) -> str:
        """The absolute URL of a v1.0 path such as "Companies/query"."""
        return f"{self.url}V1.0/{path.lstrip('/')}"


def _database_id(value: Any) -> int:
    """`ci` as an int: a JSON integer, or its digits as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise ValueError("the zone answer has no integer ci (the database id)")


@dataclass(frozen=True)
class Page:
    """One upstream query answer. `has_more` says whether another call could return rows."""

    items: list[dict[str, Any]]
    has_more: bool
    next_page_url: str | None = None

    @property
    def last_id(self) -> int | None:
        """The id of the last row, the cursor for `id gt` paging; None on an empty page."""
        return row_id(self.items[-1]) if self.items else None


def row_id(row: dict[str, Any]) -> int | None:
    """A row's id (`id`, `Id` or `ID`), None when it has none."""
    value = row.get("id", row.get("Id", row.get("ID")))
    return int(value) if value is not None else None
