"""Finding the records upload rows match: one `in` query per batch of identifiers.

Values compare as Autotask compares them (strings without regard to case, numbers as
numbers). `created_like` answers whether a create whose answer never came did happen: by the
identifier when there is one, else by every plain field the create sent.
"""

from __future__ import annotations

from typing import Any

from connector.autotask import filters
from connector.autotask.retries import may_have_run as _may_have_run
from connector.errors import ProviderError

Matches = dict[Any, list[dict[str, Any]]]
PAGE = 500
MAX_EQUALS = 10  # plain fields compared when a create without identifier is looked for


def may_have_run(exc: ProviderError) -> bool:
    return _may_have_run(exc) or bool(getattr(exc, "earlier_attempt_may_have_run", False))


def key(value: Any) -> Any:
    """The comparable form of an identifier value; None for no value."""
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


def _keys(value: Any) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    return [k for k in (key(v) for v in values) if k is not None]


class Finder:
    def __init__(self, resource: Any, ctx: Any, client: Any, identifier: str | None) -> None:
        self.resource = resource
        self.ctx = ctx
        self.client = client
        self.identifier = identifier

    def key_of(self, data: dict[str, Any]) -> Any:
        if self.identifier is None:
            return None
        return key(self.resource.get(data, self.identifier))

    def find(self, rows: list[dict[str, Any]]) -> Matches:
        """The existing records of each identifier among `rows` (at most 500 distinct)."""
        if self.identifier is None:
            return {}
        wanted: dict[Any, Any] = {}
        for data in rows:
            raw = self.resource.get(data, self.identifier)
            if isinstance(raw, list):
                raw = next((v for v in raw if v not in (None, "")), None)
            k = key(raw)
            if k is not None:
                wanted.setdefault(k, raw)
        if not wanted:
            return {}
        condition = self.resource.translate(
            self.identifier, filters.IN, list(wanted.values()), self.ctx
        )
        return self._matches([condition], set(wanted))

    def _matches(self, condition: list[dict[str, Any]], wanted: set[Any]) -> Matches:
        found: Matches = {}
        base = [*self.resource.fixed_filter, *condition]
        after = None
        while True:
            cursor = [filters.condition(filters.GT, "id", after)] if after is not None else []
            page = self.client.query_page(self.resource.entity, [*base, *cursor], max_records=PAGE)
            for item in page.items:
                record = self.resource.to_record(item, self.ctx)
                for k in _keys(self.resource.get(record, self.identifier)):
                    if k in wanted:
                        found.setdefault(k, []).append(item)
            if not page.has_more or not page.items:
                return found
            after = int(page.items[-1]["id"])

    def created_like(self, data: dict[str, Any], vendor: dict[str, Any]) -> list[dict[str, Any]]:
        """Records that a lost create of this row would have made, oldest first."""
        if self.identifier is not None:
            k = self.key_of(data)
            if k is None:
                return []
            raw = self.resource.get(data, self.identifier)
            if isinstance(raw, list):
                raw = next((v for v in raw if v not in (None, "")), None)
            condition = self.resource.translate(self.identifier, filters.EQ, raw, self.ctx)
            return self._matches([condition], {k}).get(k, [])
        plain = [
            filters.condition(filters.EQ, name, value)
            for name, value in vendor.items()
            if name.lower() != "id" and isinstance(value, (str, int, float)) and value != ""
        ][:MAX_EQUALS]
        if not plain:
            return []
        page = self.client.query_page(self.resource.entity, plain, max_records=PAGE)
        return [item for item in page.items if same(vendor, item)]


def _norm(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text) if text and text.lstrip("-").replace(".", "", 1).isdigit() else text
        except ValueError:
            return text
    return value


def same(vendor: dict[str, Any], existing: dict[str, Any]) -> bool:
    """Whether writing `vendor` would change nothing in `existing` (field names in any case)."""
    current = {str(k).lower(): v for k, v in existing.items()}
    for name, value in vendor.items():
        if name == "userDefinedFields":
            stored = {
                str(u.get("name")).lower(): u.get("value")
                for u in current.get("userdefinedfields") or []
            }
            for udf in value or []:
                if _norm(udf.get("value")) != _norm(stored.get(str(udf.get("name")).lower())):
                    return False
            continue
        if _norm(value) != _norm(current.get(name.lower())):
            return False
    return True
