"""Reading records: rows -> Autotask item JSON, with IncludeFields and user-defined fields."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from connector.sandbox.catalog import EntityDef
from connector.sandbox.store import quote
from connector.sandbox.values import output_converter


class ItemShape:
    """Which fields an answer carries, and how to build an item from a row quickly.

    `id` and `userDefinedFields` are always present (reference section 3.2), write-only fields
    never are; with IncludeFields
    only the named fields come back, and UDFs only when named too, one by one or all at once
    as "userDefinedFields" (inferred).
    """

    def __init__(self, entity: EntityDef, include: list[str] | None = None) -> None:
        self.entity = entity
        readable = [f for f in entity.fields if not f.write_only]
        if include is None:
            fields = readable
            udfs = list(entity.udfs)
        else:
            wanted = {name.lower() for name in include}
            fields = [f for f in readable if f.name.lower() in wanted or f.name == "id"]
            every_udf = "userdefinedfields" in wanted
            udfs = [u for u in entity.udfs if every_udf or u.name.lower() in wanted]
        self.fields = fields
        self.udfs = udfs
        self.names = [f.name for f in fields]
        self.converters = [output_converter(f) for f in fields]
        self.columns = ", ".join(quote(name) for name in self.names) + ', "_udf"'

    def item(self, row: tuple[Any, ...]) -> dict[str, Any]:
        item: dict[str, Any] = {}
        for name, convert, value in zip(self.names, self.converters, row, strict=False):
            item[name] = convert(value) if convert is not None and value is not None else value
        stored = json.loads(row[-1]) if row[-1] else {}
        item["userDefinedFields"] = [
            {"name": udf.name, "value": stored.get(udf.name)} for udf in self.udfs
        ]
        return item


def fetch_one(conn: sqlite3.Connection, entity: EntityDef, record_id: int) -> dict | None:
    shape = ItemShape(entity)
    row = conn.execute(
        f"SELECT {shape.columns} FROM {quote(entity.table)} WHERE id = ?", (record_id,)
    ).fetchone()
    return shape.item(row) if row else None


def fetch_raw(conn: sqlite3.Connection, entity: EntityDef, record_id: int) -> dict | None:
    """The stored values (0/1 booleans, stored datetimes) keyed by field name, plus `_udf`."""
    names = [f.name for f in entity.fields]
    columns = ", ".join(quote(name) for name in names)
    row = conn.execute(
        f'SELECT {columns}, "_udf" FROM {quote(entity.table)} WHERE id = ?', (record_id,)
    ).fetchone()
    if row is None:
        return None
    values = dict(zip(names, row[:-1], strict=True))
    values["_udf"] = json.loads(row[-1]) if row[-1] else {}
    return values


def exists(conn: sqlite3.Connection, entity: EntityDef, record_id: Any) -> bool:
    return (
        conn.execute(f"SELECT 1 FROM {quote(entity.table)} WHERE id = ?", (record_id,)).fetchone()
        is not None
    )
