"""A ticket deleted as the Autotask UI deletes it (the API has no ticket DELETE): its notes go
with it and a `DeletedTicketLogs` row records who deleted which ticket, and when."""

from __future__ import annotations

from typing import Any

from connector.sandbox.catalog import DELETED_TICKETS
from connector.sandbox.store import delete_rows, next_id, quote


def log_deleted_ticket(w, previous: dict[str, Any]) -> None:
    """In the delete's own transaction: drop the ticket's notes, write the log row."""
    for child in w.catalog.entities.values():
        if child.parent_entity == w.entity.name and child.parent_field:
            delete_rows(w.conn, child, f"{quote(child.parent_field)} = ?", (previous["id"],))
    logs = w.catalog.entity(DELETED_TICKETS)
    w.conn.execute(
        f"INSERT INTO {quote(logs.table)} (id, ticketID, ticketNumber, ticketTitle, "
        "deletedByResourceID, deletedDateTime) VALUES (?, ?, ?, ?, ?, ?)",
        (
            next_id(w.conn, logs),
            previous["id"],
            previous.get("ticketNumber"),
            previous.get("title"),
            w.actor_id,
            w.now,
        ),
    )
