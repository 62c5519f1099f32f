"""Webhook records: a GUID and an owner on create; isReady once a field or UDF subscribes;
one subscription per field; switching a webhook back on resets its consecutive failures;
deleting a webhook deletes its children and pending callouts."""

from __future__ import annotations

import uuid
from typing import Any

from connector.sandbox.errors import autotask_error
from connector.sandbox.rules import EntityRules
from connector.sandbox.store import delete_rows, quote

_KEY_FIELD = {"Fields": "fieldID", "UdfFields": "udfFieldID", "ExcludedResources": "resourceID"}


def _children(w, webhook_entity) -> dict[str, Any]:
    return {alias: w.catalog.entity(name) for alias, name in webhook_entity.children.items()}


def refresh_ready(w, webhook_entity, webhook_id: int, *, ignoring: int | None = None) -> None:
    """isReady: at least one Field or UdfField row (other than `ignoring`) subscribes."""
    total = 0
    for alias, child in _children(w, webhook_entity).items():
        if alias in ("Fields", "UdfFields"):
            total += w.conn.execute(
                f"SELECT COUNT(*) FROM {quote(child.table)} WHERE webhookID = ? AND id != ?",
                (webhook_id, ignoring if ignoring is not None else -1),
            ).fetchone()[0]
    w.conn.execute(
        f"UPDATE {quote(webhook_entity.table)} SET isReady = ? WHERE id = ?",
        (int(total > 0), webhook_id),
    )


class WebhookRules(EntityRules):
    def prepare_create(self, w, record: dict[str, Any]) -> None:
        record["webhookGUID"] = str(uuid.uuid4())
        record["ownerResourceID"] = w.actor_id
        record["isReady"] = 0

    def after_write(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        if previous is not None and not previous.get("isActive") and record.get("isActive"):
            # Switched back on: the consecutive failures that switched it off no longer count.
            w.conn.execute(
                "UPDATE _webhook_state SET failures = 0 WHERE webhook_entity = ? AND "
                "webhook_id = ?",
                (w.entity.name, record["id"]),
            )

    def before_delete(self, w, previous: dict[str, Any]) -> None:
        for child in _children(w, w.entity).values():
            delete_rows(w.conn, child, "webhookID = ?", (previous["id"],))
        w.conn.execute(
            "DELETE FROM _webhook_events WHERE webhook_entity = ? AND webhook_id = ? "
            "AND status = 'pending'",
            (w.entity.name, previous["id"]),
        )


class WebhookChildRules(EntityRules):
    def _alias(self, w) -> str:
        parent = w.catalog.entity(w.entity.parent_entity)
        return w.catalog.alias_of(parent, w.entity)

    def validate(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        key = _KEY_FIELD[self._alias(w)]
        clash = w.conn.execute(
            f"SELECT id FROM {quote(w.entity.table)} WHERE webhookID = ? AND {quote(key)} = ? "
            "AND id != ?",
            (record["webhookID"], record[key], record.get("id") or -1),
        ).fetchone()
        if clash is not None:
            raise autotask_error(
                f"A {w.entity.singular} already exists with {key} [{record[key]}] for "
                f"webhook [{record['webhookID']}]."
            )

    def after_write(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        refresh_ready(w, w.catalog.entity(w.entity.parent_entity), record["webhookID"])

    def before_delete(self, w, previous: dict[str, Any]) -> None:
        refresh_ready(
            w,
            w.catalog.entity(w.entity.parent_entity),
            previous["webhookID"],
            ignoring=previous["id"],
        )
