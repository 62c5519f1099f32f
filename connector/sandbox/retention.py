"""Rows Autotask keeps for a limited time: an entity's `retentionDays` (WebhookEventErrorLogs:
30 days, reference section 9). Expired rows are pruned when the entity is written or read, so
no reader ever sees one and no background job is needed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from connector.sandbox.catalog import EntityDef
from connector.sandbox.store import delete_rows, quote
from connector.sandbox.values import format_datetime


def prune_expired(conn: sqlite3.Connection, entity: EntityDef, now: datetime | None = None) -> int:
    """Delete the rows created more than `retention_days` ago; how many went."""
    if not entity.retention_days:
        return 0
    (created,) = entity.system_fields("created")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=entity.retention_days)
    return delete_rows(conn, entity, f"{quote(created)} < ?", (format_datetime(cutoff),))
