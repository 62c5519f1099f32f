"""Turn the change events of a write into queued callouts, in the write's transaction.

A webhook gets an event when it is active and ready, subscribed to the action, and the
change was not made by one of its excluded resources. An update fires only when a subscribed
field or UDF changed; `Fields` then holds the changed subscribed fields plus the "display
always" ones (all of them on create, none on delete), values as strings. A second change
while the first callout still waits unclaimed is merged into it (duplicate suppression);
once a worker has claimed it, the change queues as an event of its own.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

from connector.sandbox.catalog import Catalog, EntityDef
from connector.sandbox.store import quote

_SUBSCRIPTION = {
    "Create": "isSubscribedToCreateEvents",
    "Update": "isSubscribedToUpdateEvents",
    "Delete": "isSubscribedToDeleteEvents",
}


def wire_name(name: str) -> str:
    return name[:1].upper() + name[1:]


def text_value(value: Any, data_type: str = "string") -> str | None:
    """A field value as the string a callout carries (.NET's ToString for booleans)."""
    if value is None:
        return None
    if data_type == "boolean":
        return "True" if value else "False"
    if isinstance(value, float):
        return format(value, "g") if not value.is_integer() else str(int(value))
    return str(value)


def event_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_sequence(conn: sqlite3.Connection, hook_entity: str, hook_id: int) -> int:
    conn.execute(
        "INSERT INTO _webhook_state (webhook_entity, webhook_id, sequence, failures) "
        "VALUES (?, ?, 1, 0) ON CONFLICT (webhook_entity, webhook_id) "
        "DO UPDATE SET sequence = sequence + 1",
        (hook_entity, hook_id),
    )
    return conn.execute(
        "SELECT sequence FROM _webhook_state WHERE webhook_entity = ? AND webhook_id = ?",
        (hook_entity, hook_id),
    ).fetchone()[0]


def _subscriptions(conn, catalog: Catalog, hook: EntityDef, hook_id: int, target: EntityDef):
    """(subscribed names, display-always names, excluded resource ids) of one webhook."""
    by_id = {f.webhook_field_id: f.name for f in target.fields}
    by_id_udf = {u.id: u.name for u in target.udfs}
    subscribed, always, excluded = set(), set(), set()
    for alias, child_name in hook.children.items():
        child = catalog.entity(child_name)
        if alias == "ExcludedResources":
            excluded |= {
                row[0]
                for row in conn.execute(
                    f"SELECT resourceID FROM {quote(child.table)} WHERE webhookID = ?", (hook_id,)
                )
            }
            continue
        key, names = ("fieldID", by_id) if alias == "Fields" else ("udfFieldID", by_id_udf)
        for field_id, display, subscribe in conn.execute(
            f"SELECT {key}, isDisplayAlwaysField, isSubscribedField FROM {quote(child.table)} "
            "WHERE webhookID = ?",
            (hook_id,),
        ):
            name = names.get(field_id)
            if name and subscribe:
                subscribed.add(name)
            if name and display:
                always.add(name)
    return subscribed, always, excluded


def _fields(target: EntityDef, after: dict[str, Any], names: set[str]) -> dict[str, Any]:
    udfs = after.get("_udf") or {}
    result = {}
    for item in target.fields:
        if item.name in names:
            result[wire_name(item.name)] = text_value(after.get(item.name), item.data_type)
    for udf in target.udfs:
        if udf.name in names:
            result[udf.name] = udfs.get(udf.name)
    return result


def enqueue_events(
    conn: sqlite3.Connection, catalog: Catalog, events: list, *, actor_id: int | None = None
) -> int:
    queued = 0
    for event in events:
        for hook in catalog.webhook_entities_for(event.entity):
            hooks = conn.execute(
                f"SELECT id, webhookGUID FROM {quote(hook.table)} WHERE isActive = 1 AND "
                f"isReady = 1 AND {_SUBSCRIPTION[event.action]} = 1"
            ).fetchall()
            for hook_id, guid in hooks:
                queued += _enqueue_one(conn, catalog, hook, hook_id, guid, event, actor_id)
    return queued


def _enqueue_one(conn, catalog, hook, hook_id, guid, event, actor_id) -> int:
    subscribed, always, excluded = _subscriptions(conn, catalog, hook, hook_id, event.entity)
    if actor_id is not None and actor_id in excluded:
        return 0
    if event.action == "Update":
        names = event.changed & subscribed
        if not names:
            return 0
        names |= always
    elif event.action == "Create":
        names = subscribed | always
    else:
        names = set()
    fields = _fields(event.entity, event.after or {}, names)
    # Only an event no worker holds may absorb the change: a claimed one is being posted
    # with its old payload, so the change queues behind it (reference 9, "in order").
    pending = conn.execute(
        "SELECT id, payload FROM _webhook_events WHERE webhook_entity = ? AND webhook_id = ? "
        "AND entity_id = ? AND action = ? AND status = 'pending' AND attempts = 0 "
        "AND (claimed_until IS NULL OR claimed_until < ?)",
        (hook.name, hook_id, event.record_id, event.action, time.time()),
    ).fetchone()
    if pending is not None:
        payload = json.loads(pending[1])
        payload["Fields"].update(fields)
        payload["EventTime"] = event_time()
        conn.execute(
            "UPDATE _webhook_events SET payload = ? WHERE id = ?", (json.dumps(payload), pending[0])
        )
        return 0
    payload = {
        "Action": event.action,
        "Guid": guid,
        "EntityType": event.entity.webhook_entity_type or event.entity.singular,
        "Id": event.record_id,
        "Fields": fields,
        "EventTime": event_time(),
        "SequenceNumber": next_sequence(conn, hook.name, hook_id),
        "PersonID": actor_id,
    }
    now = time.time()
    conn.execute(
        "INSERT INTO _webhook_events (webhook_entity, webhook_id, action, entity_id, payload, "
        "created, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (hook.name, hook_id, event.action, event.record_id, json.dumps(payload), now, now),
    )
    return 1
