"""Query, count and paging (reference sections 3.1-3.5).

Rows come back in ascending id order, at most MaxRecords (1-500, default 500) per page;
`nextPageUrl` is set only when more rows remain, `prevPageUrl` only past the first page.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as urlquote

from connector.sandbox.catalog import EntityDef
from connector.sandbox.errors import FILTER_MISSING, MAX_RECORDS_RANGE, autotask_error
from connector.sandbox.errors import unknown_field as unknown_field_error
from connector.sandbox.filtering import compile_filter
from connector.sandbox.paging import decode_token, encode_token
from connector.sandbox.records import ItemShape
from connector.sandbox.store import quote
from connector.sandbox.values import ascii_integer

MAX_PAGE = 500


@dataclass(frozen=True)
class QuerySpec:
    """A parsed QueryModel: `filter` None means the key was missing."""

    filter: list[Any] | None
    include: list[str] | None
    max_records: int

    def as_token(self, entity: EntityDef, after: int | None, before: int | None) -> dict:
        return {
            "e": entity.name,
            "f": self.filter,
            "i": self.include,
            "m": self.max_records,
            "a": after,
            "b": before,
        }


def parse_search(text: str | None) -> Any:
    if text is None or text.strip() == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise autotask_error("The search parameter is not valid JSON.") from None


def parse_spec(entity: EntityDef, body: Any) -> QuerySpec:
    """Keys match case-insensitively (`filter`/`Filter`, `IncludeFields`/`includeFields`)."""
    if not isinstance(body, dict):
        raise autotask_error(FILTER_MISSING)
    keyed = {str(key).lower(): value for key, value in body.items()}
    raw_filter = keyed.get("filter")
    if raw_filter is not None and not isinstance(raw_filter, list):
        raw_filter = [raw_filter] if isinstance(raw_filter, dict) else None
    include = keyed.get("includefields")
    if include is not None:
        if not isinstance(include, list) or not all(isinstance(n, str) for n in include):
            raise autotask_error("IncludeFields must be an array of field names.")
        for name in include:
            if name.lower() == "userdefinedfields":
                continue  # asks for every UDF
            if entity.field(name) is None and entity.udf(name) is None:
                raise unknown_field_error(name, entity.singular)
        include = include or None
    return QuerySpec(raw_filter, include, _max_records(keyed.get("maxrecords")))


def _max_records(raw: Any) -> int:
    if raw is None:
        return MAX_PAGE
    try:
        if isinstance(raw, bool) or (isinstance(raw, str) and not ascii_integer(raw)):
            raise ValueError(raw)
        value = int(raw)
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
    except (TypeError, ValueError):
        raise autotask_error(MAX_RECORDS_RANGE) from None
    if not 1 <= value <= MAX_PAGE:
        raise autotask_error(MAX_RECORDS_RANGE)
    return value


def _where(entity: EntityDef, spec: QuerySpec) -> tuple[str, list[Any]]:
    if spec.filter is None:
        raise autotask_error(FILTER_MISSING)
    if not spec.filter:
        return "0", []  # `"filter": []` answers no rows
    return compile_filter(entity, spec.filter)


def count(conn: sqlite3.Connection, entity: EntityDef, spec: QuerySpec) -> int:
    where, params = _where(entity, spec)
    sql = f"SELECT COUNT(*) FROM {quote(entity.table)} WHERE {where}"
    return conn.execute(sql, params).fetchone()[0]


def fetch_page(
    conn: sqlite3.Connection,
    entity: EntityDef,
    spec: QuerySpec,
    *,
    after: int | None = None,
    before: int | None = None,
) -> tuple[list[dict[str, Any]], bool, bool]:
    """(items, more after, more before) for one page walking by id.

    The cursor's id bound comes first in the WHERE clause: SQLite ranges over the rowid with
    the first bound it meets, and the cursor is the tight one (a filter's own `id gt X` is
    used on a first page, which has no cursor).
    """
    where, params = _where(entity, spec)
    shape = ItemShape(entity, spec.include)
    table = quote(entity.table)
    limit = spec.max_records + 1
    if before is not None:
        sql = (
            f"SELECT {shape.columns} FROM {table} WHERE id < ? AND ({where}) "
            "ORDER BY id DESC LIMIT ?"
        )
        rows = conn.execute(sql, [before, *params, limit]).fetchall()
        more_before = len(rows) > spec.max_records
        rows = list(reversed(rows[: spec.max_records]))
        return [shape.item(row) for row in rows], True, more_before
    if after is None:
        sql = f"SELECT {shape.columns} FROM {table} WHERE {where} ORDER BY id LIMIT ?"
        rows = conn.execute(sql, [*params, limit]).fetchall()
    else:
        sql = f"SELECT {shape.columns} FROM {table} WHERE id > ? AND ({where}) ORDER BY id LIMIT ?"
        rows = conn.execute(sql, [after, *params, limit]).fetchall()
    more_after = len(rows) > spec.max_records
    rows = rows[: spec.max_records]
    return [shape.item(row) for row in rows], more_after, after is not None


def page_answer(
    conn: sqlite3.Connection,
    entity: EntityDef,
    spec: QuerySpec,
    *,
    base_url: str,
    secret: str,
    search_text: str,
    after: int | None = None,
    before: int | None = None,
) -> dict[str, Any]:
    items, more_after, more_before = fetch_page(conn, entity, spec, after=after, before=before)
    next_url = prev_url = None
    if items and more_after:
        token = encode_token(spec.as_token(entity, items[-1]["id"], None), secret)
        next_url = _page_url(base_url, entity, "next", token, search_text)
    if items and more_before:
        token = encode_token(spec.as_token(entity, None, items[0]["id"]), secret)
        prev_url = _page_url(base_url, entity, "prev", token, search_text)
    return {
        "items": items,
        "pageDetails": {
            "count": len(items),
            "requestCount": spec.max_records,
            "prevPageUrl": prev_url,
            "nextPageUrl": next_url,
        },
    }


def _page_url(base_url: str, entity: EntityDef, direction: str, token: str, search: str) -> str:
    return (
        f"{base_url}/ATServicesRest/V1.0/{entity.name}/query/{direction}"
        f"?paging={urlquote(token, safe='')}&search={urlquote(search, safe='')}"
    )


def spec_from_token(entity: EntityDef, token: str, secret: str) -> tuple[QuerySpec, dict]:
    payload = decode_token(token, secret)
    if str(payload.get("e", "")).lower() != entity.name.lower():
        raise autotask_error("The paging token does not belong to this entity.")
    spec = QuerySpec(payload.get("f"), payload.get("i"), int(payload.get("m") or MAX_PAGE))
    return spec, payload
