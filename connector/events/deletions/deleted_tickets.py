"""Deleted tickets from Autotask's DeletedTicketLogs (events.md, "Deletions"): query-only,
one row per ticket deleted in the UI, readable with an admin-level Service Desk permission.

A poll asks for log rows after the last one reported (`id gt lastId`; before the first, those
deleted since events were turned on): an idle poll is one call, N deletions ceil(N/500). Each
row is a DELETED change of every watched resource on Tickets, its version the log row's id.
A refusal is kept: the status says so, and the reconcile sweep takes over.
"""

from __future__ import annotations

from collections.abc import Callable

from connector.errors import ProviderError, ProviderRateLimitedError, ProviderUnavailableError
from connector.events.changes import Change
from connector.events.deletions.plan import DELETED_TICKETS, LOG, plan
from connector.events.deletions.store import DeletionStore
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.registration import refusal
from connector.events.webhooks.store import utc_now
from connector.tenancy.instances import Instance

FIELDS = ["id", "ticketID", "deletedDateTime"]
TRANSIENT = (ProviderRateLimitedError, ProviderUnavailableError)  # a later poll retries


class DeletedTicketFeed:
    def __init__(self, env: WebhookEnv) -> None:
        self.env = env
        self.store = DeletionStore(env.redis, env.keys)

    def poll(self, instance: Instance, sink: Callable[[list[Change]], object]) -> int:
        """Hand the deletions logged since the last poll to `sink`, then move the cursor;
        answers how many log rows were read."""
        resources = [s.resource for s in plan(self.env, instance) if s.source == LOG]
        if not resources:
            return 0
        cursor = self.store.cursor(instance.id) or {"since": utc_now()}
        if "lastId" in cursor:
            condition = {"op": "gt", "field": "id", "value": cursor["lastId"]}
        else:
            condition = {"op": "gte", "field": "deletedDateTime", "value": cursor["since"]}
        client = self.env.clients(instance)
        try:
            rows = list(client.query(DELETED_TICKETS, [condition], FIELDS))
        except TRANSIENT:
            raise
        except ProviderError as error:
            self.store.refuse(
                instance.id,
                DELETED_TICKETS,
                f"Autotask refused {DELETED_TICKETS} ({refusal(error)}): the API user's "
                "security level needs the admin-level Service Desk permission",
            )
            return 0
        changes = [
            Change(
                instance_id=instance.id,
                resource=resource,
                entity="Tickets",
                object_id=int(row["ticketID"]),
                event_type="DELETED",
                source="polling",
                changed_at=str(row.get("deletedDateTime") or utc_now()),
                version=f"{DELETED_TICKETS}:{row['id']}",
            )
            for row in rows
            for resource in resources
        ]
        if changes:
            sink(changes)
        if rows:
            cursor = {"lastId": max(int(row["id"]) for row in rows)}
        self.store.set_cursor(instance.id, cursor)
        return len(rows)
