"""Create, update (PATCH merges, PUT replaces) and delete, inside one write transaction.

Binding is Autotask's: JSON keys match field names case-insensitively, unknown keys are
ignored, read-only fields are ignored on create and refused on update when they change.
System fields are kept per the best-practices seed's table (createDate, lastActivityDate,
lastModifiedDate, ...), and writes to child records count as activity on their parents.
Each write records a change event for the webhooks.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.catalog import Catalog, EntityDef
from connector.sandbox.errors import NO_MATCHING_RECORDS, autotask_error, required_missing
from connector.sandbox.errors import unknown_field as unknown_field_error
from connector.sandbox.records import fetch_raw
from connector.sandbox.rules import rules_for
from connector.sandbox.store import delete_rows, next_id, quote
from connector.sandbox.validation import check_fields, check_udfs
from connector.sandbox.values import now_text, to_store, udf_to_store


@dataclass
class ChangeEvent:
    entity: EntityDef
    action: str  # Create | Update | Delete
    record_id: int
    after: dict[str, Any] | None
    changed: set[str]


@dataclass
class WriteContext:
    conn: sqlite3.Connection
    catalog: Catalog
    entity: EntityDef
    actor_id: int | None  # the resource making the change
    impersonator_id: int | None = None  # the API user's resource while impersonating
    settings: dict[str, Any] = field(default_factory=dict)
    now: str = field(default_factory=now_text)
    provided: set[str] = field(default_factory=set)  # field names the body carried
    events: list[ChangeEvent] = field(default_factory=list)


def bind(entity: EntityDef, body: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A JSON body -> (stored values of known fields, UDF values or None when not sent)."""
    if not isinstance(body, dict):
        raise autotask_error("The request body must be a JSON object.")
    values: dict[str, Any] = {}
    udfs: dict[str, Any] | None = None
    for key, raw in body.items():
        lowered = str(key).lower()
        if lowered == "userdefinedfields":
            udfs = _bind_udfs(entity, raw)
            continue
        item = entity.field(lowered)
        if item is not None:
            values[item.name] = to_store(item, raw)
    return values, udfs


def _bind_udfs(entity: EntityDef, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise autotask_error("userDefinedFields must be an array of {name, value} objects.")
    result: dict[str, Any] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise autotask_error("userDefinedFields must be an array of {name, value} objects.")
        keyed = {str(k).lower(): v for k, v in entry.items()}
        udf = entity.udf(str(keyed.get("name") or ""))
        if udf is None:
            raise unknown_field_error(str(keyed.get("name")), entity.singular)
        result[udf.name] = udf_to_store(keyed.get("value"))
    return result


def _fill_defaults(entity: EntityDef, record: dict[str, Any], *, all_fields: bool) -> None:
    for item in entity.fields:
        if item.default is None or record.get(item.name) is not None:
            continue
        if all_fields or item.required:
            record[item.name] = to_store(item, item.default)


def _stamp(w: WriteContext, record: dict[str, Any], *, creating: bool) -> None:
    entity = w.entity
    roles = ["activity", "modified", "tracked"]
    if creating:
        roles.append("created")
        for name in entity.system_fields("creator"):
            record[name] = w.actor_id
        if w.impersonator_id is not None:
            for name in entity.system_fields("impersonatorCreator"):
                record[name] = w.impersonator_id
    elif w.impersonator_id is not None:
        for name in entity.system_fields("impersonatorUpdater"):
            record[name] = w.impersonator_id
    for role in roles:
        for name in entity.system_fields(role):
            record[name] = w.now


def _touch(w: WriteContext, record: dict[str, Any]) -> None:
    for touch in w.entity.touches:
        target_id = record.get(touch.field)
        if target_id is None:
            continue
        target = w.catalog.entity(touch.entity)
        w.conn.execute(
            f"UPDATE {quote(target.table)} SET {quote(touch.set)} = ? WHERE id = ?",
            (w.now, target_id),
        )


def _write_row(w: WriteContext, record: dict[str, Any], udfs: dict[str, Any], insert: bool):
    names = [f.name for f in w.entity.fields]
    values = [record.get(name) for name in names]
    udf_json = json.dumps({k: v for k, v in udfs.items() if v is not None}) if udfs else None
    table = quote(w.entity.table)
    if insert:
        columns = ", ".join(quote(n) for n in names) + ', "_udf"'
        marks = ", ".join("?" for _ in range(len(names) + 1))
        w.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [*values, udf_json])
    else:
        sets = ", ".join(f"{quote(n)} = ?" for n in names[1:]) + ', "_udf" = ?'
        w.conn.execute(
            f"UPDATE {table} SET {sets} WHERE id = ?", [*values[1:], udf_json, record["id"]]
        )


def _check_parent(w: WriteContext, values: dict[str, Any], parent_id: int | None) -> None:
    entity = w.entity
    if parent_id is None or not entity.parent_field:
        return
    given = values.get(entity.parent_field)
    if given is not None and given != parent_id:
        raise autotask_error(
            f"The {entity.parent_field} in the body ({given}) does not match the parent id in "
            f"the URL ({parent_id})."
        )
    values[entity.parent_field] = parent_id


def create(w: WriteContext, body: Any, *, parent_id: int | None = None) -> int:
    entity = w.entity
    values, udfs = bind(entity, body)
    w.provided = set(values)
    _check_parent(w, values, parent_id)
    record = {k: v for k, v in values.items() if not entity.field(k).read_only}
    _fill_defaults(entity, record, all_fields=True)
    rules = rules_for(entity)
    rules.prepare_create(w, record)
    udf_values = {u.name: u.default for u in entity.udfs if u.default is not None}
    udf_values.update(udfs or {})
    check_fields(
        w.conn, w.catalog, entity, record, None, parent_company_allowed=rules.parent_company_allowed
    )
    check_udfs(entity, udf_values, None)
    rules.validate(w, record, None)
    _stamp(w, record, creating=True)
    record["id"] = next_id(w.conn, entity)
    _write_row(w, record, udf_values, insert=True)
    _touch(w, record)
    rules.after_write(w, record, None)
    w.events.append(
        ChangeEvent(
            entity,
            "Create",
            record["id"],
            record | {"_udf": udf_values},
            set(record) | set(udf_values),
        )
    )
    return record["id"]


def update(w: WriteContext, body: Any, *, replace: bool, parent_id: int | None = None) -> int:
    entity = w.entity
    values, udfs = bind(entity, body)
    record_id = values.get("id")
    if record_id is None:
        raise required_missing("id")
    previous = fetch_raw(w.conn, entity, record_id)
    if previous is None:
        raise autotask_error(NO_MATCHING_RECORDS)
    if parent_id is not None and entity.parent_field and previous[entity.parent_field] != parent_id:
        raise autotask_error(NO_MATCHING_RECORDS)
    w.provided = set(values)
    if parent_id is not None and entity.parent_field:
        values.setdefault(entity.parent_field, parent_id)
    for name, value in values.items():
        item = entity.field(name)
        if item.read_only and name != "id" and value is not None and value != previous[name]:
            raise autotask_error(f"The field {item.name} is read-only and cannot be updated.")
    previous_udfs = previous.pop("_udf")
    if replace:
        record = {
            f.name: (previous[f.name] if f.read_only else values.get(f.name)) for f in entity.fields
        }
    else:
        record = dict(previous)
        record.update({k: v for k, v in values.items() if not entity.field(k).read_only})
    record["id"] = record_id
    _fill_defaults(entity, record, all_fields=False)
    udf_values = dict(previous_udfs)
    udf_values.update(udfs or {})
    rules = rules_for(entity)
    rules.prepare_update(w, record, previous)
    check_fields(
        w.conn,
        w.catalog,
        entity,
        record,
        previous,
        parent_company_allowed=rules.parent_company_allowed,
    )
    check_udfs(entity, udf_values, previous_udfs)
    rules.validate(w, record, previous)
    changed = {name for name in record if record.get(name) != previous.get(name)}
    changed |= {
        name
        for name in set(udf_values) | set(previous_udfs)
        if udf_values.get(name) != previous_udfs.get(name)
    }
    _stamp(w, record, creating=False)
    if not changed:  # nothing to track: keep the tracked-modification stamps as they were
        for name in entity.system_fields("tracked"):
            record[name] = previous[name]
    _write_row(w, record, udf_values, insert=False)
    _touch(w, record)
    rules.after_write(w, record, previous)
    w.events.append(
        ChangeEvent(entity, "Update", record_id, record | {"_udf": udf_values}, changed)
    )
    return record_id


def delete(w: WriteContext, record_id: int, *, parent_id: int | None = None) -> int:
    entity = w.entity
    previous = fetch_raw(w.conn, entity, record_id)
    if previous is None:
        raise autotask_error(NO_MATCHING_RECORDS)
    if parent_id is not None and entity.parent_field and previous[entity.parent_field] != parent_id:
        raise autotask_error(NO_MATCHING_RECORDS)
    rules_for(entity).before_delete(w, previous)
    delete_rows(w.conn, entity, "id = ?", (record_id,))
    w.events.append(ChangeEvent(entity, "Delete", record_id, None, set()))
    return record_id
