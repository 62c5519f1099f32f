"""The bulk query: `select <fields|*> from <resource> [where <CEQL>] [order by <field> [asc|desc]]`.

Also the JSON body form, `{"q": "select ..."}` or `{"resource", "fields", "where", "orderBy"}`.
Keywords are found outside quotes and backticks only, so a CEQL literal may say "order by".
The where clause and the order are parsed here with the hub's CEQL parser, so a malformed
query is a 400 before any job exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connector import ceql
from connector.errors import BadRequestError

MAX_QUERY_LENGTH = 20_000
_KEYWORDS = re.compile(r"\b(select|from|where|order\s+by)\b", re.IGNORECASE)
_RESOURCE = re.compile(r"^[A-Za-z][\w-]{0,63}$")
SYNTAX = "select <fields|*> from <resource> [where <CEQL>] [order by <field> [asc|desc]]"


@dataclass(frozen=True)
class BulkQuery:
    resource: str
    fields: list[str] | None = None  # None: every field
    where: str | None = None
    order_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "fields": self.fields,
            "where": self.where,
            "orderBy": self.order_by,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> BulkQuery:
        return cls(raw["resource"], raw.get("fields"), raw.get("where"), raw.get("orderBy"))

    def text(self) -> str:
        """The query as `q` spells it."""
        text = f"select {', '.join(self.fields) if self.fields else '*'} from {self.resource}"  # noqa: S608 - CEQL text, never SQL
        if self.where:
            text += f" where {self.where}"
        if self.order_by:
            text += f" order by {self.order_by}"
        return text


def _outside_quotes(text: str) -> list[tuple[str, int, int]]:
    """(keyword, start, end) of each keyword that is not inside '...' or `...`."""
    found: list[tuple[str, int, int]] = []
    quote: str | None = None
    masked = []
    for char in text:
        if quote is None and char in "'`":
            quote = char
        elif quote is not None and char == quote:
            quote = None  # '' inside a literal closes and reopens: still masked right
            masked.append(" ")
            continue
        masked.append(" " if quote is not None else char)
    for match in _KEYWORDS.finditer("".join(masked)):
        found.append((re.sub(r"\s+", " ", match.group(1).lower()), match.start(), match.end()))
    return found


def parse_q(text: str | None) -> BulkQuery:
    if text is None or not text.strip():
        raise BadRequestError(f"Give the query in q: {SYNTAX}")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadRequestError(f"q is longer than {MAX_QUERY_LENGTH} characters")
    marks = _outside_quotes(text)
    names = [name for name, _, _ in marks]
    if names[:2] != ["select", "from"] or marks[0][1] != len(text) - len(text.lstrip()):
        raise BadRequestError(f"q must read: {SYNTAX}")
    rest = names[2:]
    if rest not in ([], ["where"], ["order by"], ["where", "order by"]):
        raise BadRequestError(f"q must read: {SYNTAX} (each clause once, in this order)")
    parts: dict[str, str] = {}
    for index, (name, _, end) in enumerate(marks):
        stop = marks[index + 1][1] if index + 1 < len(marks) else len(text)
        parts[name] = text[end:stop].strip()
    return build(
        parts["from"],
        None if parts["select"] == "*" else parts["select"],
        parts.get("where"),
        parts.get("order by"),
        where_given="where" in parts,
        order_given="order by" in parts,
    )


def parse_body(body: Any) -> BulkQuery:
    if not isinstance(body, dict):
        raise BadRequestError(f"Send q, or a JSON object with q or resource: {SYNTAX}")
    if "q" in body or "query" in body:
        q = body.get("q", body.get("query"))
        if not isinstance(q, str):
            raise BadRequestError("q must be a string")
        return parse_q(q)
    resource = body.get("resource")
    if not isinstance(resource, str):
        raise BadRequestError("The JSON form needs resource (a string)")
    fields = body.get("fields")
    if fields is not None and not (
        isinstance(fields, list) and all(isinstance(f, str) for f in fields)
    ):
        raise BadRequestError("fields must be a list of field names")
    for name in ("where", "orderBy"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise BadRequestError(f"{name} must be a string")
    return build(
        resource, ",".join(fields) if fields else None, body.get("where"), body.get("orderBy")
    )


def build(
    resource: str,
    fields: str | None,
    where: str | None,
    order_by: str | None,
    *,
    where_given: bool = False,
    order_given: bool = False,
) -> BulkQuery:
    if not _RESOURCE.match(resource or ""):
        raise BadRequestError(f"'{resource}' is not a resource name; q must read: {SYNTAX}")
    selected = None
    if fields is not None and fields.strip() not in ("", "*"):
        selected = ceql.parse_fields(fields)
    elif fields is not None and fields.strip() == "":
        raise BadRequestError("select needs * or a list of fields")
    if where_given and not (where or "").strip():
        raise BadRequestError("where needs a condition")
    if order_given and not (order_by or "").strip():
        raise BadRequestError("order by needs a field")
    where = where.strip() if where and where.strip() else None
    ceql.parse(where)  # a syntax error is a 400 now, not a failed job later
    order_by = order_by.strip() if order_by and order_by.strip() else None
    if order_by:
        ceql.parse_order_by(order_by)
    return BulkQuery(resource, selected, where, order_by)
